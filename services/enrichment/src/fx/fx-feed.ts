// Kafka adapter of the FX table: loads the compacted fx.rates topic from the
// beginning at start, then keeps following it so new rates apply live.
import { randomUUID } from 'node:crypto';
import {
  KafkaConsumer, baseClientConfig, brokerUnreachable, type AvroDeserializer, type FxRate, type KafkaConfig, type Logger, type Message,
} from '@stockstream/common';
import { applyFxRecord } from './fx-record.js';
import type { FxTable } from './fx-table.js';

export class FxFeed {
  private stopped = false;
  private loop: Promise<void> | null = null;

  private constructor(
    private readonly consumer: InstanceType<typeof KafkaConsumer>,
    private readonly table: FxTable,
    private readonly de: AvroDeserializer<FxRate>,
    private readonly logger: Logger,
  ) {}

  /** Resolves once every partition of the topic has been read to its end. */
  static async start(cfg: KafkaConfig, topic: string, table: FxTable, de: AvroDeserializer<FxRate>, logger: Logger, timeoutMs: number): Promise<FxFeed> {
    const consumer = new KafkaConsumer(
      {
        ...baseClientConfig(cfg, 'stockstream-enrichment-fx'),
        'group.id': `stockstream-enrichment-fx-${randomUUID()}`, // never commits: always reads the whole table
        'enable.auto.commit': false,
        'enable.partition.eof': true,
        'isolation.level': 'read_committed',
      } as never,
      { 'auto.offset.reset': 'earliest' },
    );
    await new Promise<void>((resolve, reject) => consumer.connect({ timeout: cfg.connectTimeoutMs }, (err) => (err ? reject(brokerUnreachable(cfg, err)) : resolve())));
    const meta = await new Promise<{ topics: { name: string; partitions: { id: number }[] }[] }>((resolve, reject) =>
      consumer.getMetadata({ topic, timeout: cfg.connectTimeoutMs }, (err, m) => (err ? reject(err) : resolve(m as never))),
    );
    const partitions = meta.topics.find((t) => t.name === topic)?.partitions.map((p) => p.id) ?? [];
    if (partitions.length === 0) throw new Error(`FX topic ${topic} does not exist (TOPIC_FX)`);
    const feed = new FxFeed(consumer, table, de, logger.child({ component: 'fx-feed' }));
    const atEnd = new Set<number>();
    consumer.on('partition.eof', (tp) => atEnd.add(tp.partition));
    consumer.assign(partitions.map((partition) => ({ topic, partition, offset: 0 })));
    consumer.setDefaultConsumeTimeout(200);
    const deadline = Date.now() + timeoutMs;
    while (atEnd.size < partitions.length) {
      if (Date.now() > deadline) throw new Error(`FX topic ${topic} not loaded within ${timeoutMs} ms (FX_LOAD_TIMEOUT_MS)`);
      await feed.apply(await feed.poll(1000));
    }
    feed.loop = feed.follow();
    return feed;
  }

  private poll(max: number): Promise<Message[]> {
    return new Promise((resolve, reject) => this.consumer.consume(max, (err, ms) => (err ? reject(err) : resolve(ms))));
  }

  private async apply(messages: Message[]): Promise<void> {
    for (const m of messages) {
      let value: FxRate | null = null;
      try {
        value = m.value === null ? null : await this.de.decode(m.value);
      } catch (err) {
        this.logger.error({ err: (err as Error).message, offset: m.offset }, 'undecodable FX record ignored');
        continue;
      }
      const outcome = applyFxRecord(this.table, m.key == null ? null : m.key.toString(), value, Date.now());
      if (!outcome.ok) this.logger.error({ error: outcome.error, offset: m.offset }, 'invalid FX record ignored');
    }
  }

  private async follow(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.apply(await this.poll(1000));
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'FX feed poll failed; retrying');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await new Promise<void>((resolve) => this.consumer.disconnect(() => resolve()));
  }
}
