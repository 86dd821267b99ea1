import { randomUUID } from 'node:crypto';
import { boundedNativeCall } from '../lifecycle/process-exit.js';
import { CLOSE_BOUND_MS, baseClientConfig, type KafkaConfig } from './client-config.js';
import { connectClient } from './connect.js';
import { KafkaConsumer, type Message } from './rdkafka.js';

export interface ReadTopicOptions {
  isolation?: 'read_committed' | 'read_uncommitted';
  /** Give up if the end of every partition is not reached by then. */
  timeoutMs?: number;
  clientId?: string;
  /**
   * Bytes fetched and queued ahead at most (default 64 MB: fast reads of big
   * topics). A reader that stays open, like the FX feed, sets a few MB: the
   * client keeps the memory of its largest fetch for as long as it runs.
   */
  bufferBytes?: number;
}

/**
 * Reads a whole topic from the beginning, outside any consumer group and
 * committing nothing: for tables kept in topics (fx.rates) and for seeing what
 * arrived (demo, tests). The end is where librdkafka reports partition EOF,
 * which under read_committed is the last stable offset, so aborted data is
 * never seen.
 */
export class TopicTail {
  private following = false;
  private followLoop: Promise<void> | null = null;

  private constructor(
    private readonly consumer: InstanceType<typeof KafkaConsumer>,
    readonly topic: string,
    readonly partitions: number[],
    /** Messages per poll: fewer for a small-buffer reader, so a load allocates less at a time. */
    private readonly pollMax: number,
  ) {}

  static async open(cfg: KafkaConfig, topic: string, opts: ReadTopicOptions = {}): Promise<TopicTail> {
    const consumer = new KafkaConsumer(
      {
        ...baseClientConfig(cfg, opts.clientId ?? 'stockstream-reader'),
        'group.id': `stockstream-reader-${randomUUID()}`, // required by the client; never joined or committed
        'enable.auto.commit': false,
        'enable.partition.eof': true,
        'isolation.level': opts.isolation ?? 'read_committed',
        'fetch.max.bytes': opts.bufferBytes ?? 64 * 1024 * 1024,
        'queued.max.messages.kbytes': Math.ceil((opts.bufferBytes ?? 64 * 1024 * 1024) / 1024),
      } as never,
      { 'auto.offset.reset': 'earliest' },
    );
    await connectClient(consumer, cfg, (done) => consumer.connect({ timeout: cfg.connectTimeoutMs }, done));
    try {
      const meta = await new Promise<{ topics: { name: string; partitions: { id: number }[] }[] }>((resolve, reject) =>
        consumer.getMetadata({ topic, timeout: cfg.connectTimeoutMs }, (err, m) => (err ? reject(err) : resolve(m as never))),
      );
      const partitions = meta.topics.find((t) => t.name === topic)?.partitions.map((p) => p.id) ?? [];
      if (partitions.length === 0) throw new Error(`topic ${topic} does not exist`);
      consumer.assign(partitions.map((partition) => ({ topic, partition, offset: 0 })));
      return new TopicTail(consumer, topic, partitions, opts.bufferBytes ? 1_000 : 10_000);
    } catch (err) {
      await boundedNativeCall('reader close', CLOSE_BOUND_MS, (done) => consumer.disconnect(() => done())).catch(() => undefined);
      throw err;
    }
  }

  private poll(max: number, timeoutMs: number): Promise<Message[]> {
    this.consumer.setDefaultConsumeTimeout(timeoutMs);
    return new Promise((resolve, reject) => this.consumer.consume(max, (err, ms) => (err ? reject(err) : resolve(ms))));
  }

  /** Delivers every message up to the current end of every partition; returns how many. */
  async readToEnd(onMessage: (m: Message) => void | Promise<void>, timeoutMs = 120_000): Promise<number> {
    const atEnd = new Set<number>();
    const onEof = (tp: { partition: number }) => atEnd.add(tp.partition);
    this.consumer.on('partition.eof', onEof);
    let count = 0;
    const deadline = Date.now() + timeoutMs;
    try {
      while (atEnd.size < this.partitions.length) {
        if (Date.now() > deadline) throw new Error(`reading ${this.topic}: end not reached within ${timeoutMs} ms`);
        for (const m of await this.poll(this.pollMax, 200)) {
          await onMessage(m);
          count++;
        }
      }
    } finally {
      this.consumer.off('partition.eof', onEof);
    }
    return count;
  }

  /** Keeps delivering new messages in the background until close(); poll errors are reported and retried. */
  follow(onMessage: (m: Message) => void | Promise<void>, onError: (err: Error) => void): void {
    this.following = true;
    this.followLoop = (async () => {
      while (this.following) {
        try {
          for (const m of await this.poll(1000, 500)) await onMessage(m);
        } catch (err) {
          onError(err as Error);
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    })();
  }

  /** Stops following (after the poll in flight) and disconnects. */
  async close(): Promise<void> {
    this.following = false;
    await this.followLoop;
    await boundedNativeCall('reader close', CLOSE_BOUND_MS, (done) => this.consumer.disconnect(() => done()));
  }
}

/** Reads a topic from the beginning to its current end; returns the message count. */
export async function readTopic(cfg: KafkaConfig, topic: string, onMessage: (m: Message) => void, opts: ReadTopicOptions = {}): Promise<number> {
  const tail = await TopicTail.open(cfg, topic, opts);
  try {
    return await tail.readToEnd(onMessage, opts.timeoutMs);
  } finally {
    await tail.close();
  }
}
