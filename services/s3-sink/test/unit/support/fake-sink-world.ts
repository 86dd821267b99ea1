// Small fakes of what the sink loop talks to (a group consumer over an
// in-memory log, an in-memory object store), for driving runSink in unit
// tests without a broker or S3. They record what happened (commits, pauses,
// puts) so tests assert outcomes.
import { DecodeError, Health, MessageBatch, Registry, createLogger, type EnrichedTick, type LibrdKafkaError, type Message, type RebalanceEvent, type TopicPartition, type TopicPartitionOffset } from '@stockstream/common';
import { JsonLinesRecordWriter } from '../../../src/format/json-lines-record-writer.js';
import { createSinkMetrics } from '../../../src/metrics.js';
import { HivePartitioner } from '../../../src/partitioner/hive-partitioner.js';
import type { SinkConsumer, SinkDeps } from '../../../src/pipeline/sink-loop.js';
import { RotationPolicy, type RotationConfig } from '../../../src/rotation/rotation-policy.js';
import { parseObjectKey } from '../../../src/storage/object-key.js';
import type { Storage, StoredObject } from '../../../src/storage/storage.js';
import { tick } from './ticks.js';

export const TOPIC = 'ticks.enriched';
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `cond` holds (checked every few ms); fails naming `what` after `timeoutMs`. */
export async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

/** A message value the fake reader turns into a tick of that index and year; 'poison' is undecodable. */
export function value(index: string, year: number): Buffer {
  return Buffer.from(JSON.stringify({ index, year }));
}
export const POISON = Buffer.from('poison');

export const fakeReader = {
  readAt(data: Buffer, start: number, end: number): EnrichedTick {
    const text = data.subarray(start, end).toString();
    if (text === 'poison') throw new DecodeError('not_framed', 'not a framed Avro value');
    const { index, year } = JSON.parse(text) as { index: string; year: number };
    return tick({ index, date: Date.UTC(year, 5, 1) / 86_400_000 });
  },
};

export type ConsumerEvent =
  | { kind: 'commit'; mode: 'async' | 'sync' | 'transaction'; offsets: { partition: number; offset: number }[] }
  | { kind: 'pause' | 'resume'; partitions: number[] }
  | { kind: 'apply'; event: RebalanceEvent['kind'] }
  | { kind: 'rewind' };

/**
 * A group member over an in-memory log per partition: consumes from its
 * position, skips paused partitions, rewinds to what is committed. Every
 * commit is checked against `storage`: committing past a record not yet in
 * it (nor dead-lettered) would lose that record in a crash (`violations`).
 * Commits with dead letters are transactions: the letters land in
 * `deadLettered` (the committed dead-letter topic) with the offsets, or
 * neither. crash() is a SIGKILL: the member stops dead; restart() is the
 * next run of the process over the same log, offsets, storage and topic.
 */
export class FakeConsumer implements SinkConsumer {
  generation = 0;
  readonly pendingRebalances: RebalanceEvent[] = [];
  readonly committed: Map<number, number> = new Map();
  readonly events: ConsumerEvent[] = [];
  readonly violations: string[] = [];
  private readonly log: Map<number, Buffer[]> = new Map();
  private readonly position = new Map<number, number>();
  private readonly paused = new Set<number>();
  private assigned: number[] = [];
  private failureListeners: ((err: LibrdKafkaError, offsets: TopicPartitionOffset[]) => void)[] = [];
  /** Set to make commitSync throw (the group refused it). */
  refuseSyncCommits = false;
  /** Set to make transactions abort (e.g. the group moved on: the offsets were refused). */
  refuseTransactions = false;
  private crashed = false;
  readonly native = {
    pause: (tps: TopicPartition[]) => {
      for (const tp of tps) this.paused.add(tp.partition);
      this.events.push({ kind: 'pause', partitions: tps.map((t) => t.partition) });
    },
    resume: (tps: TopicPartition[]) => {
      for (const tp of tps) this.paused.delete(tp.partition);
      this.events.push({ kind: 'resume', partitions: tps.map((t) => t.partition) });
    },
  };

  constructor(
    private readonly storage: FakeStorage,
    /** Committed dead letters, as partition/offset, in the order they became visible. */
    readonly deadLettered: string[] = [],
    shared?: { log: Map<number, Buffer[]>; committed: Map<number, number> },
  ) {
    if (shared) {
      this.log = shared.log;
      this.committed = shared.committed;
    }
  }

  /** SIGKILL: nothing more is read or committed by this member (its loop waits forever on its next read). */
  crash(): void {
    this.crashed = true;
  }

  /** The process started again after crash(): a new member with the same log, committed offsets, storage and dead-letter topic. */
  restart(): FakeConsumer {
    this.crash();
    return new FakeConsumer(this.storage, this.deadLettered, { log: this.log, committed: this.committed });
  }

  /** Produces the dead letters and commits the offsets atomically, unless refused (then neither). */
  async transaction(offsets: TopicPartitionOffset[], letters: { partition: number; offset: number }[]): Promise<'committed' | 'refused'> {
    await sleep(0);
    if (this.crashed) return new Promise(() => {});
    if (this.refuseTransactions) return 'refused';
    this.deadLettered.push(...letters.map((l) => `${l.partition}/${l.offset}`));
    this.record('transaction', offsets);
    return 'committed';
  }

  produce(partition: number, ...values: Buffer[]): void {
    const l = this.log.get(partition) ?? [];
    l.push(...values);
    this.log.set(partition, l);
  }

  /** Offsets produced to `partition` so far. */
  produced(partition: number): number {
    return this.log.get(partition)?.length ?? 0;
  }

  /** The group asks for a new assignment (eager protocol: revoke everything, then assign). */
  rebalanceTo(partitions: number[]): void {
    if (this.assigned.length > 0) this.pendingRebalances.push({ kind: 'revoke', partitions: this.assignments() });
    this.pendingRebalances.push({ kind: 'assign', partitions: partitions.map((partition) => ({ topic: TOPIC, partition })) });
  }

  /** The broker reports a commitAsync as failed. */
  failCommit(err: Partial<LibrdKafkaError>): void {
    for (const l of this.failureListeners) l(Object.assign(new Error(err.message ?? 'commit failed'), err) as LibrdKafkaError, []);
  }

  applyRebalance(): boolean {
    const e = this.pendingRebalances.shift();
    if (!e) return false;
    this.assigned = e.kind === 'assign' ? e.partitions.map((p) => p.partition) : [];
    // Not cleared: librdkafka keeps a partition's application pause through an eager rebalance, so a partition
    // paused when revoked is still paused when assigned again (what left CI's chaos-short sink stuck).
    this.generation++;
    this.events.push({ kind: 'apply', event: e.kind });
    return true;
  }

  assignments(): TopicPartition[] {
    return this.assigned.map((partition) => ({ topic: TOPIC, partition }));
  }

  async rewindToCommitted(): Promise<void> {
    for (const p of this.assigned) this.position.set(p, this.committed.get(p) ?? 0);
    this.events.push({ kind: 'rewind' });
  }

  async consumeBatch(max: number, timeoutMs: number): Promise<MessageBatch> {
    await sleep(0);
    if (this.crashed) return new Promise(() => {});
    const messages: Message[] = [];
    for (const p of this.assigned) {
      if (this.paused.has(p)) continue;
      const l = this.log.get(p) ?? [];
      let at = this.position.get(p) ?? 0;
      while (at < l.length && messages.length < max) {
        messages.push({ topic: TOPIC, partition: p, offset: at, value: l[at]!, size: l[at]!.length, timestamp: 0 } as Message);
        at++;
      }
      this.position.set(p, at);
    }
    if (messages.length === 0) await sleep(Math.min(timeoutMs, 5));
    return MessageBatch.fromMessages(messages);
  }

  commitAsync(offsets: TopicPartitionOffset[]): void {
    if (!this.crashed) this.record('async', offsets);
  }

  commitSync(offsets: TopicPartitionOffset[]): void {
    if (this.crashed) return;
    if (this.refuseSyncCommits) throw new Error('Broker: Specified group generation id is not valid');
    this.record('sync', offsets);
  }

  onCommitFailure(listener: (err: LibrdKafkaError, offsets: TopicPartitionOffset[]) => void): void {
    this.failureListeners.push(listener);
  }

  private record(mode: 'async' | 'sync' | 'transaction', offsets: TopicPartitionOffset[]): void {
    const plain = offsets.map((o) => ({ partition: o.partition, offset: o.offset! }));
    this.events.push({ kind: 'commit', mode, offsets: plain });
    for (const { partition, offset } of plain) {
      const stored = this.storage.offsets(partition);
      for (let o = 0; o < offset; o++) {
        if (!stored.has(o) && !this.deadLettered.includes(`${partition}/${o}`)) this.violations.push(`committed ${partition}@${offset} before offset ${o} was stored`);
      }
      this.committed.set(partition, offset);
    }
  }

  commits(mode?: 'async' | 'sync' | 'transaction'): { partition: number; offset: number }[] {
    return this.events.flatMap((e) => (e.kind === 'commit' && (mode === undefined || e.mode === mode) ? e.offsets : []));
  }
}

/** An object store in memory; `down` makes every put fail (an S3 outage; reads still work); `putDelayMs` makes puts slow. */
export class FakeStorage implements Storage {
  readonly objects = new Map<string, Buffer>();
  down = false;
  putDelayMs = 0;
  failedPuts = 0;
  putsStarted = 0;
  /** Puts of lake objects started (not checkpoints). */
  filePutsStarted = 0;
  /** Every put that landed, in order, by key (lake objects and checkpoints). */
  readonly landedKeys: string[] = [];
  /** When set, called with each key before its put; throwing fails that put (a crash or outage at an exact point). */
  beforePut: ((key: string) => void) | null = null;

  async put(key: string, body: Buffer): Promise<void> {
    this.putsStarted++;
    if (parseObjectKey(key)) this.filePutsStarted++;
    try {
      this.beforePut?.(key);
    } catch (err) {
      this.failedPuts++;
      throw err;
    }
    if (this.putDelayMs > 0) await sleep(this.putDelayMs);
    if (this.down) {
      this.failedPuts++;
      throw new Error('S3 unreachable');
    }
    this.objects.set(key, body);
    this.landedKeys.push(key);
  }

  /** Lake objects only (checkpoints left out). */
  get lakeObjects(): number {
    let n = 0;
    for (const k of this.objects.keys()) if (parseObjectKey(k)) n++;
    return n;
  }

  /** Listings started (recovery from checkpoints needs none). */
  lists = 0;

  async *list(prefix: string): AsyncIterable<StoredObject> {
    this.lists++;
    for (const key of [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort()) yield { key, size: this.objects.get(key)!.length };
  }

  async get(key: string): Promise<Buffer> {
    const b = this.objects.get(key);
    if (!b) throw new Error(`no object ${key}`);
    return b;
  }

  async getIfExists(key: string): Promise<Buffer | null> {
    return this.objects.get(key) ?? null;
  }

  async exists(key: string): Promise<boolean> {
    return this.objects.has(key);
  }

  /** Every Kafka offset of `partition` held in the stored objects (by their keys). */
  offsets(partition: number): Set<number> {
    const out = new Set<number>();
    for (const key of this.objects.keys()) {
      const k = parseObjectKey(key);
      if (k && k.kafkaPartition === partition) for (let o = k.firstOffset; o <= k.lastOffset; o++) out.add(o);
    }
    return out;
  }

  /** Rows stored for `partition`, by raw offset read back from the JSON Lines bodies' keys: [firstOffset, lastOffset, rows]. */
  files(partition: number): [number, number, number][] {
    const out: [number, number, number][] = [];
    for (const [key, body] of this.objects) {
      const k = parseObjectKey(key);
      if (k && k.kafkaPartition === partition) out.push([k.firstOffset, k.lastOffset, body.toString().trim().split('\n').length]);
    }
    return out.sort((a, b) => a[0] - b[0]);
  }
}

export interface World {
  consumer: FakeConsumer;
  storage: FakeStorage;
  health: Health;
  /** The committed dead letters (read_committed), as partition/offset. */
  deadLettered: string[];
  deps: SinkDeps;
}

export interface WorldOptions {
  rotation?: Partial<RotationConfig>;
  maxBufferedRecords?: number;
  batchMax?: number;
}

/** A new world; with `crashed`, the next run after that world's process was SIGKILLed (same log, offsets, storage, dead letters). */
export function world(opts: WorldOptions = {}, crashed?: World): World {
  const storage = crashed?.storage ?? new FakeStorage();
  const consumer = crashed ? crashed.consumer.restart() : new FakeConsumer(storage);
  const health = new Health();
  const deadLettered = consumer.deadLettered;
  const deps: SinkDeps = {
    consumer, storage, health,
    reader: fakeReader,
    partitioner: new HivePartitioner(),
    writer: new JsonLinesRecordWriter(),
    rotation: new RotationPolicy({ maxRecords: 3, maxBytes: 1e9, maxOpenMs: 60_000, maxIdleMs: 60_000, ...opts.rotation }),
    prefix: 'lake',
    metrics: createSinkMetrics(new Registry()),
    logger: createLogger('s3-sink-test', 'silent'),
    // One record per batch unless told: files close after a batch, so that makes their boundaries exact.
    batchMax: opts.batchMax ?? 1,
    maxBufferedRecords: opts.maxBufferedRecords ?? 10_000,
    commitWithDeadLetters: (offsets, letters) => consumer.transaction(offsets, letters),
  };
  return { consumer, storage, health, deadLettered, deps };
}
