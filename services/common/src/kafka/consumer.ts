import type { Logger } from 'pino';
import { CLOSE_BOUND_MS, DEFAULT_CONSUMER_PREFETCH, baseClientConfig, consumerPrefetchConfig, type ConsumerPrefetch, type KafkaConfig } from './client-config.js';
import { boundedNativeCall } from '../lifecycle/process-exit.js';
import { connectClient } from './connect.js';
import { MessageBatch } from './message-batch.js';
import type { ConsumerMetrics } from '../observability/metrics.js';
import { KafkaConsumer, clientVersion, type LibrdKafkaError, type Message, type TopicPartition, type TopicPartitionOffset } from './rdkafka.js';

export interface GroupConsumerOptions {
  groupId: string;
  clientId: string;
  topics: string[];
  /** Exactly-once readers must not see aborted transactions. */
  isolation: 'read_committed' | 'read_uncommitted';
  /**
   * 'immediate' (default): the client applies every assignment change as it
   * arrives. 'deferred': changes wait in `pendingRebalances` until the caller
   * applies them (applyRebalance), so it can finish work on partitions it is
   * about to lose — the group waits meanwhile (up to max.poll.interval.ms).
   */
  rebalance?: 'immediate' | 'deferred';
  /** What is fetched ahead (KAFKA_CONSUMER_*); default: the declared defaults. */
  prefetch?: ConsumerPrefetch;
  overrides?: Record<string, string | number | boolean>;
}

/** An assignment change the group asked for; `revoke` comes first, then `assign`. */
export interface RebalanceEvent {
  kind: 'assign' | 'revoke';
  partitions: TopicPartition[];
}

const ERR_ASSIGN_PARTITIONS = -175;

/** The native method scripts/kafka-binding/patches/2-consume-columns.diff adds to the client (absent from a prebuilt or unpatched one). */
interface NativeColumnsClient {
  consumeColumns?: (
    timeoutMs: number, max: number, timeoutOnlyForFirstMessage: boolean,
    cb: (err: { message: string; code: number } | null, count?: number, data?: Buffer, ints?: Int32Array, doubles?: Float64Array, topics?: string[]) => void,
  ) => void;
}

/**
 * A consumer-group member that never auto-commits: offsets are committed by
 * the caller (in a transaction, or after an upload), so what is committed is
 * always what was durably handled.
 */
export class GroupConsumer {
  /** Bumped on every assignment change, so a batch can tell it straddled one. */
  generation = 0;
  /** Deferred mode: changes the group asked for and the caller has not applied yet, oldest first. */
  readonly pendingRebalances: RebalanceEvent[] = [];
  private closing = false;
  private metrics: ConsumerMetrics | null = null;

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
        ...consumerPrefetchConfig(opts.prefetch ?? DEFAULT_CONSUMER_PREFETCH),
        // A crashed member is noticed in seconds, not the 45 s default: recovery after SIGKILL waits for this.
        'session.timeout.ms': 10_000,
        'heartbeat.interval.ms': 1000,
        // Results of commits come back as 'offset.commit' events (commitAsync's failures: onCommitFailure).
        offset_commit_cb: true,
        // A function makes the client leave assign/unassign to us (deferred); true lets it apply them itself.
        rebalance_cb: opts.rebalance === 'deferred' ? (err: LibrdKafkaError, partitions: TopicPartition[]) => deferred(err, partitions) : true,
        ...opts.overrides,
      } as never,
      { 'auto.offset.reset': 'earliest' },
    );
    const consumer = new GroupConsumer(native, cfg);
    const log = logger.child({ component: 'consumer' });
    function deferred(err: LibrdKafkaError, partitions: TopicPartition[]) {
      consumer.pendingRebalances.push({ kind: err?.code === ERR_ASSIGN_PARTITIONS ? 'assign' : 'revoke', partitions });
      // Closing revokes everything and waits for the unassign: nobody else is left to apply it.
      if (consumer.closing) while (consumer.applyRebalance());
    }
    native.on('rebalance', (err: LibrdKafkaError, assignment: TopicPartition[]) => {
      // Immediate mode: the client has applied it by the time this runs (same tick). Deferred: applyRebalance bumps it.
      if (opts.rebalance !== 'deferred') {
        consumer.generation++;
        consumer.applied(err?.code === ERR_ASSIGN_PARTITIONS ? 'assign' : 'revoke', assignment.length);
      }
      log.info({ event: err?.code === ERR_ASSIGN_PARTITIONS ? 'assigned' : 'revoked', partitions: assignment.map((a) => `${a.topic}/${a.partition}`) }, 'rebalance');
    });
    native.on('event.error', (err) => log.warn({ err: err.message, code: err.code }, 'kafka client error'));
    await connectClient(native, cfg, (done) => native.connect({ timeout: cfg.connectTimeoutMs }, done));
    native.subscribe(opts.topics);
    return consumer;
  }

  /**
   * Keeps `metrics` current from now on: partitions assigned, rebalances
   * applied, commits refused (the lag gauge is the broker probe's).
   */
  instrument(metrics: ConsumerMetrics): void {
    this.metrics = metrics;
    metrics.assignedPartitions.set(0);
    this.native.on('offset.commit', (err: LibrdKafkaError | null | undefined) => {
      if (err) metrics.commitFailures.inc();
    });
  }

  /**
   * An assignment change took effect. The group's (eager) protocol assigns
   * the whole new set, or revokes all: the count comes from the event, not
   * from the client, which refuses to be asked while it closes.
   */
  private applied(event: 'assign' | 'revoke', partitions: number): void {
    if (this.metrics === null) return;
    this.metrics.rebalances.inc({ event });
    this.metrics.assignedPartitions.set(event === 'assign' ? partitions : 0);
  }

  /** Up to `max` messages; waits at most `timeoutMs` for the first. */
  consume(max: number, timeoutMs = 500): Promise<Message[]> {
    this.native.setDefaultConsumeTimeout(timeoutMs);
    return new Promise((resolve, reject) => this.native.consume(max, (err, messages) => (err ? reject(err) : resolve(messages))));
  }

  /**
   * Up to `max` messages as columns (message-batch.ts); waits at most
   * `timeoutMs` for the first. With a client that has consumeColumns (patched
   * when compiled here: scripts/kafka-binding/) the columns are
   * filled on the client's worker thread; otherwise they are made from
   * consume()'s message objects — same batches, only slower.
   */
  consumeBatch(max: number, timeoutMs = 500): Promise<MessageBatch> {
    const client = this.nativeClient;
    if (client.consumeColumns === undefined) return this.consume(max, timeoutMs).then((ms) => MessageBatch.fromMessages(ms));
    return new Promise((resolve, reject) =>
      client.consumeColumns!(timeoutMs, max, false, (err, count, data, ints, doubles, topics) =>
        err ? reject(Object.assign(new Error(err.message), err)) : resolve(count === 0 ? MessageBatch.EMPTY : new MessageBatch(count!, data!, ints!, doubles!, topics!)),
      ),
    );
  }

  /** Whether consumeBatch gets its columns from the client itself (a client patched here) rather than from message objects. */
  get readsColumns(): boolean {
    return typeof this.nativeClient.consumeColumns === 'function';
  }

  /**
   * The binding's native consumer object under the library's JavaScript one:
   * a private field, so a client version without it fails here, naming the
   * version, instead of deep inside a batch.
   */
  private get nativeClient(): NativeColumnsClient {
    const client = (this.native as unknown as { _client?: NativeColumnsClient })._client;
    if (client === null || typeof client !== 'object') {
      throw new Error(
        `@confluentinc/kafka-javascript ${clientVersion}: KafkaConsumer has no native _client, which this code reads for batch consumption; `
          + 'this client version is not supported (services/common/package.json pins the one that is)',
      );
    }
    return client;
  }

  /**
   * Commits `offsets` and waits for the broker's answer, holding this thread
   * for the round trip; throws when the commit is refused.
   */
  commitSync(offsets: TopicPartitionOffset[]): void {
    this.native.commitSync(offsets);
  }

  /**
   * Commits `offsets` without waiting for the broker: under load a
   * synchronous commit held the sink's thread for much of its time. The
   * answer comes back while consuming; a refusal goes to the onCommitFailure
   * listeners. Commits of one partition land in order, so a later one covers
   * an earlier one that failed.
   */
  commitAsync(offsets: TopicPartitionOffset[]): void {
    this.native.commit(offsets);
  }

  /** Calls `listener` for every commit the broker refused (commitAsync's, and commitSync's, which also throw). */
  onCommitFailure(listener: (err: LibrdKafkaError, offsets: TopicPartitionOffset[]) => void): void {
    this.native.on('offset.commit', (err: LibrdKafkaError | null | undefined, offsets: TopicPartitionOffset[]) => {
      if (err) listener(err, offsets);
    });
  }

  /** Deferred mode: applies the oldest pending change (assign or unassign); false when none is pending. */
  applyRebalance(): boolean {
    const event = this.pendingRebalances.shift();
    if (event === undefined) return false;
    // An assignment that arrives as the close begins (a SIGTERM during start-up) is dropped: the client refuses
    // it then ("Erroneous state"), and thrown from its rebalance callback that ended the process with exit 1.
    if (event.kind === 'assign' && this.closing) return true;
    if (event.kind === 'assign') this.native.assign(event.partitions);
    else this.native.unassign();
    this.generation++;
    this.applied(event.kind, event.partitions.length);
    return true;
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
    // Deferred mode: the caller is done with its partitions; the close's own revoke is applied as it comes.
    this.closing = true;
    this.pendingRebalances.length = 0;
    await boundedNativeCall('consumer close', CLOSE_BOUND_MS, (done) => this.native.disconnect(() => done()));
  }
}
