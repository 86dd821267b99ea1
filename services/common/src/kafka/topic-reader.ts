import { randomUUID } from 'node:crypto';
import { baseClientConfig, type KafkaConfig } from './client-config.js';
import { brokerUnreachable } from './producer.js';
import { KafkaConsumer, type Message } from './rdkafka.js';

export interface ReadTopicOptions {
  isolation?: 'read_committed' | 'read_uncommitted';
  /** Give up if the end of every partition is not reached by then. */
  timeoutMs?: number;
}

/**
 * Reads a topic from the beginning to its current end (no consumer group,
 * nothing committed): what the demo and the tests use to see what arrived.
 * The end is where librdkafka reports partition EOF, which under
 * read_committed is the last stable offset, so aborted data is never counted.
 */
export async function readTopic(cfg: KafkaConfig, topic: string, onMessage: (m: Message) => void, opts: ReadTopicOptions = {}): Promise<number> {
  const consumer = new KafkaConsumer(
    {
      ...baseClientConfig(cfg, 'stockstream-reader'),
      'group.id': `stockstream-reader-${randomUUID()}`,
      'enable.auto.commit': false,
      'enable.partition.eof': true,
      'isolation.level': opts.isolation ?? 'read_committed',
      'fetch.max.bytes': 64 * 1024 * 1024,
    } as never,
    { 'auto.offset.reset': 'earliest' },
  );
  await new Promise<void>((resolve, reject) =>
    consumer.connect({ timeout: cfg.connectTimeoutMs }, (err) => (err ? reject(brokerUnreachable(cfg, err)) : resolve())),
  );
  try {
    const meta = await new Promise<{ topics: { name: string; partitions: { id: number }[] }[] }>((resolve, reject) =>
      consumer.getMetadata({ topic, timeout: cfg.connectTimeoutMs }, (err, m) => (err ? reject(err) : resolve(m as never))),
    );
    const partitions = meta.topics.find((t) => t.name === topic)?.partitions.map((p) => p.id) ?? [];
    if (partitions.length === 0) throw new Error(`topic ${topic} does not exist`);
    const atEnd = new Set<number>();
    consumer.on('partition.eof', (tp) => atEnd.add(tp.partition));
    consumer.assign(partitions.map((partition) => ({ topic, partition, offset: 0 })));
    let count = 0;
    const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
    while (atEnd.size < partitions.length) {
      if (Date.now() > deadline) throw new Error(`reading ${topic}: end not reached within ${opts.timeoutMs ?? 120_000} ms`);
      const batch = await new Promise<Message[]>((resolve, reject) => consumer.consume(10_000, (err, ms) => (err ? reject(err) : resolve(ms))));
      for (const m of batch) {
        onMessage(m);
        count++;
      }
    }
    return count;
  } finally {
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
  }
}
