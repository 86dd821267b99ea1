import type { Logger } from 'pino';
import { baseClientConfig, type KafkaConfig } from './client-config.js';
import { brokerUnreachable } from './producer.js';
import { KafkaConsumer, type LibrdKafkaError, type Message, type TopicPartition } from './rdkafka.js';

export interface GroupConsumerOptions {
  groupId: string;
  clientId: string;
  topics: string[];
  /** Exactly-once readers must not see aborted transactions. */
  isolation: 'read_committed' | 'read_uncommitted';
  overrides?: Record<string, string | number | boolean>;
}

/**
 * A consumer-group member that never auto-commits: offsets are committed by
 * the caller (in a transaction, or after an upload), so what is committed is
 * always what was durably handled.
 */
export class GroupConsumer {
  /** Bumped on every assignment change, so a batch can tell it straddled one. */
  generation = 0;

  private constructor(readonly native: InstanceType<typeof KafkaConsumer>, private readonly cfg: KafkaConfig) {}

  static async connect(cfg: KafkaConfig, logger: Logger, opts: GroupConsumerOptions): Promise<GroupConsumer> {
    const native = new KafkaConsumer(
      {
        ...baseClientConfig(cfg, opts.clientId),
        'group.id': opts.groupId,
        'enable.auto.commit': false,
        'enable.auto.offset.store': false,
        'isolation.level': opts.isolation,
        'fetch.min.bytes': 1,
        'fetch.wait.max.ms': 100,
        'fetch.max.bytes': 64 * 1024 * 1024,
        'max.partition.fetch.bytes': 8 * 1024 * 1024,
        'queued.min.messages': 200_000,
        // A crashed member is noticed in seconds, not the 45 s default: recovery after SIGKILL waits for this.
        'session.timeout.ms': 10_000,
        'heartbeat.interval.ms': 1000,
        rebalance_cb: true,
        ...opts.overrides,
      } as never,
      { 'auto.offset.reset': 'earliest' },
    );
    const consumer = new GroupConsumer(native, cfg);
    const log = logger.child({ component: 'consumer' });
    native.on('rebalance', (err: LibrdKafkaError, assignment: TopicPartition[]) => {
      consumer.generation++;
      log.info({ event: err?.code === -175 ? 'assigned' : 'revoked', partitions: assignment.map((a) => `${a.topic}/${a.partition}`) }, 'rebalance');
    });
    native.on('event.error', (err) => log.warn({ err: err.message, code: err.code }, 'kafka client error'));
    await new Promise<void>((resolve, reject) =>
      native.connect({ timeout: cfg.connectTimeoutMs }, (err) => (err ? reject(brokerUnreachable(cfg, err)) : resolve())),
    );
    native.subscribe(opts.topics);
    return consumer;
  }

  /** Up to `max` messages; waits at most `timeoutMs` for the first. */
  consume(max: number, timeoutMs = 500): Promise<Message[]> {
    this.native.setDefaultConsumeTimeout(timeoutMs);
    return new Promise((resolve, reject) => this.native.consume(max, (err, messages) => (err ? reject(err) : resolve(messages))));
  }

  assignments(): TopicPartition[] {
    return this.native.assignments();
  }

  /**
   * Moves every assigned partition back to its committed offset (or the start
   * when nothing is committed). After an aborted transaction the position is
   * already past the aborted batch; without this the batch would be skipped.
   */
  async rewindToCommitted(): Promise<void> {
    const assigned = this.assignments();
    if (assigned.length === 0) return;
    const committed = await new Promise<{ topic: string; partition: number; offset?: number }[]>((resolve, reject) =>
      this.native.committed(assigned, this.cfg.connectTimeoutMs, (err, tps) => (err ? reject(err) : resolve(tps))),
    );
    for (const tp of committed) {
      const offset = tp.offset !== undefined && tp.offset >= 0 ? tp.offset : -2; // -2 = OFFSET_BEGINNING
      await new Promise<void>((resolve, reject) =>
        this.native.seek({ topic: tp.topic, partition: tp.partition, offset }, this.cfg.connectTimeoutMs, (err) => (err ? reject(err) : resolve())),
      );
    }
  }

  /** Records behind the end of each assigned partition (from the consumer's position). Fails when the broker does not answer. */
  async lag(timeoutMs = 1500): Promise<{ topic: string; partition: number; lag: number }[]> {
    return Promise.all(
      this.native.position().map(
        (p) =>
          new Promise<{ topic: string; partition: number; lag: number }>((resolve, reject) =>
            this.native.queryWatermarkOffsets(p.topic, p.partition, timeoutMs, (err, w) => {
              if (err) return reject(err);
              const pos = p.offset !== undefined && p.offset >= 0 ? p.offset : 0;
              resolve({ topic: p.topic, partition: p.partition, lag: Math.max(0, w.highOffset - pos) });
            }),
          ),
      ),
    );
  }

  async disconnect(): Promise<void> {
    await new Promise<void>((resolve) => this.native.disconnect(() => resolve()));
  }
}
