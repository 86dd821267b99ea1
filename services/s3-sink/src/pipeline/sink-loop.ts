// The sink's loop: consume enriched records (read_committed), append them to
// one open file per (Kafka partition, lake partition), upload the files the
// rotation policy closes (in the background, while consuming goes on), and
// commit offsets only after uploads succeeded. An S3 failure pauses
// consumption and stops commits until S3 is back.
import { DecodeError, isRetriable, nextBackoffMs, type EnrichedTick, type GroupConsumer, type Health, type Logger, type Message, type MessageBatch, type TopicPartition } from '@stockstream/common';
import type { EnrichedTickReader } from '../decode/enriched-tick-reader.js';
import { UnrepresentableValueError } from '../format/column-batch.js';
import type { RecordWriter } from '../format/record-writer.js';
import type { Partitioner } from '../partitioner/partitioner.js';
import type { RotationPolicy } from '../rotation/rotation-policy.js';
import { objectKey } from '../storage/object-key.js';
import type { Storage } from '../storage/storage.js';
import type { SinkMetrics } from '../metrics.js';
import { LAKE_COLUMNS } from '../format/lake-columns.js';
import { landingStats } from './landing-stats.js';
import { PartitionFiles, type OpenFile } from './partition-files.js';
import { uploadedHighWater } from './recovery.js';
import { uploadPending, type UploadItem } from './upload-pending.js';
import type { UploadWorker } from './upload-worker.js';

export interface SinkDeps {
  consumer: GroupConsumer;
  /** Reads a message value where it lies in its batch as a tick (decode/enriched-tick-reader.ts); the tick is used before the next read. */
  reader: Pick<EnrichedTickReader, 'readAt'>;
  partitioner: Partitioner;
  writer: RecordWriter;
  rotation: RotationPolicy;
  storage: Storage;
  prefix: string;
  metrics: SinkMetrics;
  health: Health;
  logger: Logger;
  batchMax: number;
  /** Records held in open and not-yet-uploaded files above which consumption waits for the uploads. */
  maxBufferedRecords: number;
  /** When set, files are encoded and put on the upload worker's thread (writer and storage are then not used for them). */
  uploader?: Pick<UploadWorker, 'upload'>;
  /** Records the sink cannot read go to the dead-letter topic; resolves once acknowledged. */
  deadLetter: (m: Message, reason: string, message: string) => Promise<void>;
}

const INGESTED_AT = LAKE_COLUMNS.findIndex((c) => c.name === 'ingested_at');
const TABLE = 'ticks';

export async function runSink(deps: SinkDeps, signal: AbortSignal): Promise<void> {
  const { consumer, logger, metrics } = deps;
  const files = new Map<number, PartitionFiles>();
  const committed = new Map<number, number>();
  let generation = -1;
  let topic = '';
  let backoffMs = 0;
  let paused = false;
  /** ingestedAt (Unix seconds) of the newest record landed, for the lake-freshness gauge. */
  let newestLanded = Number.NEGATIVE_INFINITY;

  /** On every assignment change: forget state (nothing uncommitted survives it) and recover the new partitions. */
  const reassign = async () => {
    generation = consumer.generation;
    const assigned = consumer.assignments();
    files.clear();
    committed.clear();
    paused = false; // a new assignment starts unpaused: an S3 outage pauses it again
    metrics.paused.set(0);
    if (assigned.length === 0) return;
    topic = assigned[0]!.topic;
    const partitions = assigned.map((a) => a.partition);
    const hw = await uploadedHighWater(deps.storage, deps.prefix, TABLE, topic, partitions);
    for (const p of partitions) files.set(p, new PartitionFiles(topic, p, hw.get(p)!));
    // The consumer may have fetched past the committed offsets before we knew the assignment.
    await consumer.rewindToCommitted();
    logger.info({ partitions, uploaded: Object.fromEntries([...hw].map(([p, m]) => [p, Object.fromEntries(m)])) }, 'partitions assigned; recovered uploaded offsets');
  };

  /** Stores a file: `body` encoded here, or (null) encoded and put by the upload worker. */
  const put = async (pf: PartitionFiles, f: OpenFile, body: Buffer | null): Promise<void> => {
    const key = objectKey({
      prefix: deps.prefix, table: TABLE, partitionPath: f.lakePath, topic: pf.topic, kafkaPartition: pf.partition,
      firstOffset: f.firstOffset, lastOffset: f.lastOffset, extension: deps.writer.extension,
    });
    const t0 = performance.now();
    let bytes: number;
    if (body === null) bytes = await deps.uploader!.upload(key, f.batch);
    else {
      await deps.storage.put(key, body, deps.writer.contentType);
      bytes = body.length;
    }
    metrics.uploadSeconds.observe((performance.now() - t0) / 1000);
    metrics.objectsWritten.inc();
    metrics.recordsWritten.inc(f.records);
    metrics.bytesWritten.inc(bytes);
    metrics.objectRecords.observe(f.records);
    metrics.objectBytes.observe(bytes);
    const landedAt = Date.now();
    // One line per object at debug: make bench (tools/bench) times each record's arrival in the lake from it.
    logger.debug({ key, records: f.records, bytes, landedAt }, 'object landed');
    const landed = landingStats(f.batch.values(INGESTED_AT), landedAt);
    for (const s of landed.latencySeconds) metrics.endToEndLatency.observe(s);
    if (landed.newestMs / 1000 > newestLanded) {
      newestLanded = landed.newestMs / 1000;
      metrics.lakeNewestRecord.set({ table: TABLE }, newestLanded);
    }
    pf.markUploaded(f);
  };

  /**
   * Uploads the pending files (upload-pending.ts): several at a time, those of
   * one lake partition in offset order. On a failure what is not uploaded
   * stays pending, holds back the commit and is retried, in order, next time.
   */
  const flushPending = async (): Promise<boolean> => {
    const todo: UploadItem<{ pf: PartitionFiles; f: OpenFile }>[] = [];
    for (const pf of files.values()) for (const f of pf.pendingUploads) todo.push({ chain: `${pf.partition}/${f.lakePath}`, file: { pf, f } });
    const writer = deps.writer;
    const failure = deps.uploader
      ? await uploadPending<{ pf: PartitionFiles; f: OpenFile }, null>(todo, { encode: async (batch) => batch.map(() => null), put: ({ pf, f }) => put(pf, f, null) })
      : await uploadPending(todo, {
          encode: (batch) => (writer.writeMany ? writer.writeMany(batch.map((b) => b.f.batch)) : Promise.all(batch.map((b) => writer.write(b.f.batch)))),
          put: ({ pf, f }, body) => put(pf, f, body),
        });
    if (failure) {
      metrics.uploadFailures.inc();
      logger.warn({ err: failure.err.message, partition: failure.file.pf.partition, lakePath: failure.file.f.lakePath }, 'upload failed: pausing consumption, committing nothing');
      deps.health.set('s3', false, failure.err.message);
      return false;
    }
    deps.health.set('s3', true);
    return true;
  };

  /**
   * Commits what is uploaded. While consuming: asynchronously (a synchronous
   * commit held this thread for a broker round trip each time, under load
   * most of the sink's time); a refused one is retried by the next (see
   * onCommitFailure below). Before partitions are given up and at the end:
   * synchronously, everything committable, so the next owner starts where
   * the uploads ended.
   */
  const commit = (how: 'async' | 'sync') => {
    const offsets: { topic: string; partition: number; offset: number }[] = [];
    for (const [p, pf] of files) {
      const c = pf.committable();
      if (c !== null && (how === 'sync' || c > (committed.get(p) ?? -1))) offsets.push({ topic: pf.topic, partition: p, offset: c });
    }
    if (offsets.length === 0) return;
    if (how === 'async') {
      consumer.commitAsync(offsets);
      for (const o of offsets) committed.set(o.partition, o.offset);
      return;
    }
    try {
      consumer.commitSync(offsets);
      for (const o of offsets) committed.set(o.partition, o.offset);
    } catch (err) {
      // A rebalance under us: start over from what the group has committed.
      logger.warn({ err: (err as Error).message }, 'offset commit refused; recovering the assignment');
      generation = -1;
    }
  };
  consumer.onCommitFailure((err, offsets) => {
    committed.clear(); // the next commit sends every partition's offset again
    if (isRetriable(err)) {
      logger.warn({ err: err.message, offsets }, 'offset commit failed; retrying with the next commit');
      return;
    }
    // Not a passing failure (e.g. the group moved on without us): start over from what the group has committed.
    logger.warn({ err: err.message, offsets }, 'offset commit refused; recovering the assignment');
    generation = -1;
  });

  const setPaused = (want: boolean) => {
    if (want === paused) return;
    const tps: TopicPartition[] = consumer.assignments();
    if (want) consumer.native.pause(tps);
    else consumer.native.resume(tps);
    paused = want;
    metrics.paused.set(want ? 1 : 0);
  };

  const step = async (batch: MessageBatch) => {
    const now = Date.now();
    metrics.recordsConsumed.inc(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const pf = files.get(batch.partition(i));
      if (!pf) continue; // revoked meanwhile: the new owner redoes it from the committed offset
      const offset = batch.offset(i);
      const start = batch.valueStart(i);
      const end = batch.valueEnd(i);
      try {
        // Synchronous once the writer schema is known: no await (and microtask) per record then.
        const decoded = deps.reader.readAt(batch.data, start, end);
        const tick: EnrichedTick = decoded instanceof Promise ? await decoded : decoded;
        pf.append(offset, tick, deps.partitioner.partitionPath(tick), start < 0 ? 0 : end - start, now);
      } catch (err) {
        // Unreadable, or a value the lake's columns cannot hold: dead-lettered, never silently dropped.
        if (!(err instanceof DecodeError) && !(err instanceof UnrepresentableValueError)) throw err;
        await deps.deadLetter(batch.message(i), err instanceof DecodeError ? err.reason : 'not_representable', err.message);
        pf.skip(offset);
      }
    }
    for (const pf of files.values()) for (const f of pf.closeDue(deps.rotation, now)) metrics.filesRotated.inc({ reason: f.closedBy! });
    metrics.openFiles.set([...files.values()].reduce((n, pf) => n + pf.openFiles, 0));
  };

  /**
   * Uploads run in the background while consumption goes on, one run at a
   * time (so a lake partition's files still land in offset order). The
   * consumer applies assignment changes only when told (deferred rebalance):
   * before giving partitions up, the sink lets the uploads in flight finish
   * and commits them — an upload landing after the next owner listed S3 would
   * be written twice.
   */
  let uploading: Promise<void> | null = null;
  let s3Down = false;
  const startUploads = () => {
    if (uploading !== null || !hasPending()) return;
    uploading = flushPending().then((ok) => {
      s3Down = !ok;
      uploading = null;
    });
  };
  const hasPending = () => {
    for (const pf of files.values()) if (pf.pendingUploads.length > 0) return true;
    return false;
  };
  /** Records held in memory (open and closed files): past the bound, consumption waits for the uploads. */
  const buffered = () => {
    let n = 0;
    for (const pf of files.values()) n += pf.bufferedRecords;
    return n;
  };

  /**
   * The next batch, asked for while the current one is processed: the client
   * pulls messages (and, patched, lays them out as columns) on its worker
   * thread while this thread decodes and files the previous batch. Tagged with the generation it was
   * asked in; a batch that straddled an assignment change is dropped (its
   * records are re-read from the committed offsets after recovery).
   */
  let ahead: { generation: number; batch: Promise<MessageBatch> } | null = null;
  const dropAhead = async () => {
    if (ahead) await ahead.batch.catch(() => undefined);
    ahead = null;
  };
  /** Takes the read-ahead batch (or reads one now); null when it straddled an assignment change. */
  const nextBatch = async (timeoutMs: number): Promise<MessageBatch | null> => {
    const next = ahead ?? { generation: consumer.generation, batch: consumer.consumeBatch(deps.batchMax, timeoutMs) };
    ahead = null;
    const batch = await next.batch;
    return next.generation === consumer.generation && consumer.generation === generation ? batch : null;
  };

  while (!signal.aborted) {
    if (consumer.pendingRebalances.length > 0) {
      // Whatever changes, uploads in flight finish first and what they stored is committed.
      await dropAhead();
      if (uploading) await uploading;
      if (!s3Down) commit('sync');
      consumer.applyRebalance();
      await reassign();
      continue;
    }
    if (consumer.generation !== generation) {
      await dropAhead();
      if (uploading) await uploading; // recovery lists S3: nothing may land after that
      await reassign();
    }
    if (s3Down) {
      // The last upload run failed: consume nothing new, retry (in offset order) after a backoff.
      setPaused(true);
      if (uploading === null) {
        backoffMs = nextBackoffMs(backoffMs);
        await new Promise((r) => setTimeout(r, backoffMs));
        startUploads();
      }
      // Keeps the group membership alive and hears of rebalances. Anything already fetched is filed, not
      // dropped: a record skipped here would let a later offset be committed past it.
      const kept = await nextBatch(10);
      if (kept) await step(kept);
      continue;
    }
    if (paused) {
      setPaused(false);
      backoffMs = 0;
    }
    if (uploading === null) {
      commit('async');
      startUploads();
    }
    if (uploading !== null && buffered() >= deps.maxBufferedRecords) {
      await uploading;
      continue;
    }
    const batch = await nextBatch(uploading === null ? 200 : 10);
    if (batch === null) continue; // assignment changed under this batch: recover first, it is re-read
    if (batch.length > 0 && !signal.aborted) ahead = { generation: consumer.generation, batch: consumer.consumeBatch(deps.batchMax, 10) };
    await step(batch);
  }

  await dropAhead(); // not filed, not committed: the next owner reads it again
  if (uploading) await uploading;
  // Graceful shutdown: close every file, upload, commit.
  for (const pf of files.values()) for (const f of pf.closeDue(deps.rotation, Date.now(), true)) metrics.filesRotated.inc({ reason: f.closedBy! });
  if (await flushPending()) commit('sync');
  else logger.error('shutdown: uploads failed; offsets not committed, the next run redoes them');
}
