// The sink's loop: consume enriched records (read_committed), append them to
// one open file per (Kafka partition, lake partition), upload the files the
// rotation policy closes (in the background, while consuming goes on), and
// commit offsets only after uploads succeeded. An S3 failure pauses
// consumption and stops commits until S3 is back.
//
// A state machine: each turn decides its state from plain facts
// (sink-decisions.ts: nextPhase) and carries out that state's effects below.
// The states and their allowed transitions: sink-state.ts. Offsets are
// committed in `commit`, files close in `closeDueFiles`, recovery is `recover`.
import { DecodeError, isRetriable, nextBackoffMs, type EnrichedTick, type GroupConsumer, type Health, type Logger, type MessageBatch } from '@stockstream/common';
import type { EnrichedTickReader } from '../decode/enriched-tick-reader.js';
import { UnrepresentableValueError } from '../format/column-batch.js';
import type { RecordWriter } from '../format/record-writer.js';
import type { Partitioner } from '../partitioner/partitioner.js';
import type { RotationPolicy } from '../rotation/rotation-policy.js';
import type { Storage } from '../storage/storage.js';
import type { SinkMetrics } from '../metrics.js';
import { PartitionFiles } from './partition-files.js';
import { recoverUploaded, writeRecoveredCheckpoint } from './recovery.js';
import { commitPlan, mayCommit, memoryClose, nextPhase, pauseChange, pollTimeoutMs, type CommitOffset, type ForcedClose } from './sink-decisions.js';
import {
  assignmentReleased, backedOff, commitFailed, commitSent, consumerPaused, consumerResumed, deadLetterHeld, deadLettersCommitted, enterPhase, initialSinkState, recovered,
  uploadRunEnded, type HeldDeadLetter, type SinkPhase,
} from './sink-state.js';
import { ReadAhead } from './read-ahead.js';
import { SinkUploads } from './sink-uploads.js';
import type { UploadWorker } from './upload-worker.js';

/** What the loop uses of the group consumer (deferred rebalance mode), so tests can drive it with a fake. */
export type SinkConsumer = Pick<
  GroupConsumer,
  'generation' | 'pendingRebalances' | 'applyRebalance' | 'assignments' | 'rewindToCommitted' | 'consumeBatch' | 'commitAsync' | 'commitSync' | 'onCommitFailure'
> & { native: Pick<GroupConsumer['native'], 'pause' | 'resume'> };

export interface SinkDeps {
  consumer: SinkConsumer;
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
  /**
   * Commits `offsets` and produces the dead letters they move past in one
   * Kafka transaction (dead-letter-transactions.ts); 'refused' when it was
   * aborted (nothing of it visible), e.g. the group moved on without us.
   */
  commitWithDeadLetters: (offsets: CommitOffset[], letters: HeldDeadLetter[]) => Promise<'committed' | 'refused'>;
}

const TABLE = 'ticks';

export async function runSink(deps: SinkDeps, signal: AbortSignal): Promise<void> {
  const { consumer, logger, metrics } = deps;
  const state = initialSinkState();
  /** The open and pending files of each assigned Kafka partition (of the generation recovered for). */
  const files = new Map<number, PartitionFiles>();
  const uploads = new SinkUploads({ ...deps, table: TABLE });
  const startUploads = () => uploads.start(files, (ok) => uploadRunEnded(state, ok));
  const readAhead = new ReadAhead(consumer, deps.batchMax, () => state.generation);
  /** Records held in memory (open files and closed ones not yet uploaded): past the bound, consumption waits for the uploads. */
  const bufferedRecords = () => {
    let n = 0;
    for (const pf of files.values()) n += pf.bufferedRecords;
    return n;
  };

  consumer.onCommitFailure((err, offsets) => {
    const retriable = isRetriable(err);
    commitFailed(state, retriable);
    if (retriable) logger.warn({ err: err.message, offsets }, 'offset commit failed; retrying with the next commit');
    // Not a passing failure (e.g. the group moved on without us): start over from what the group has committed.
    else logger.warn({ err: err.message, offsets }, 'offset commit refused; recovering the assignment');
  });

  /**
   * Where offsets are committed: what is uploaded (sink-decisions.ts:
   * committableOffsets). While consuming asynchronously (a synchronous
   * commit held this thread for a broker round trip each time, under load
   * most of the sink's time; a refused one is retried by the next). Before
   * partitions are given up and at the end synchronously, everything. A
   * commit that passes a held dead letter is a transaction (commitPlan).
   */
  const commit = async (mode: 'async' | 'sync') => {
    if (!mayCommit(state, consumer.generation)) return;
    const positions = [...files.values()].map((pf) => ({ topic: pf.topic, partition: pf.partition, committable: pf.committable() }));
    const plan = commitPlan(positions, state.committed, state.heldDeadLetters, mode);
    const { offsets } = plan;
    if (offsets.length === 0) return;
    if (plan.deadLetters.length > 0) return commitWithDeadLetters(plan.offsets, plan.deadLetters, plan.barrier);
    if (mode === 'async') {
      consumer.commitAsync(offsets);
      commitSent(state, offsets);
      return;
    }
    try {
      consumer.commitSync(offsets);
      commitSent(state, offsets);
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'offset commit refused; recovering the assignment');
      commitFailed(state, false);
    }
  };

  /** Rare (only when dead letters are held): the barrier, then the offsets with the dead letters in one transaction. */
  const commitWithDeadLetters = async (offsets: CommitOffset[], letters: HeldDeadLetter[], barrier: CommitOffset[]) => {
    try {
      consumer.commitSync(barrier);
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'offset commit refused; recovering the assignment');
      commitFailed(state, false);
      return;
    }
    if ((await deps.commitWithDeadLetters(offsets, letters)) === 'refused') {
      // Nothing of it is visible: recover from what the group has committed; the records are read and held again.
      commitFailed(state, false);
      return;
    }
    commitSent(state, offsets);
    deadLettersCommitted(state, letters);
    for (const l of letters) metrics.deadLettered.inc({ reason: l.reason });
  };

  /** Where files close: those the rotation policy says are done (every file when forced: stopping, memory), moved to the pending uploads. */
  const closeDueFiles = (nowMs: number, forced: ForcedClose | null) => {
    for (const pf of files.values()) for (const f of pf.closeDue(deps.rotation, nowMs, forced)) metrics.filesRotated.inc({ reason: f.closedBy! });
  };

  /** Files one batch: each record appended to its open file (or dead-lettered), then the files that are due closed. */
  const fileBatch = async (batch: MessageBatch) => {
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
        const reason = err instanceof DecodeError ? err.reason : 'not_representable';
        deadLetterHeld(state, { partition: pf.partition, offset, message: batch.message(i), reason, text: err.message, failedAt: Date.now() });
        pf.skip(offset);
      }
    }
    closeDueFiles(now, memoryClose({ uploadInFlight: uploads.inFlight, bufferedRecords: bufferedRecords(), maxBufferedRecords: deps.maxBufferedRecords }));
    let open = 0;
    for (const pf of files.values()) open += pf.openFiles;
    metrics.openFiles.set(open);
  };

  /**
   * Recovery, on every assignment change (and after a refused commit): forget
   * every file (nothing uncommitted survives it), learn from storage what was
   * uploaded but maybe not committed (recovery.ts: the partitions'
   * checkpoints, or once a listing), rewind to the committed offsets. Uploads
   * in flight land first: nothing may land after storage was read.
   */
  const recover = async () => {
    await readAhead.drop();
    await uploads.settled();
    const generation = consumer.generation;
    const assigned = consumer.assignments();
    files.clear();
    recovered(state, generation);
    metrics.paused.set(state.consumerPaused ? 1 : 0);
    if (assigned.length === 0) return;
    const topic = assigned[0]!.topic;
    const partitions = assigned.map((a) => a.partition);
    const t0 = performance.now();
    const found = await recoverUploaded(deps.storage, deps.prefix, TABLE, topic, partitions);
    const hw = found.highWater;
    // A listed partition gets its checkpoint now, so the next recovery reads it instead of listing again. Best
    // effort: without it the next upload run writes one, and until then a recovery lists (slower, still right).
    await Promise.all(found.listed.map((p) => writeRecoveredCheckpoint(deps.storage, deps.prefix, TABLE, topic, p, hw.get(p)!).catch((err: Error) => {
      logger.warn({ partition: p, err: err.message }, 'recovery checkpoint not written; the next upload run writes it');
    })));
    const recoveryMs = Math.round(performance.now() - t0);
    for (const p of partitions) files.set(p, new PartitionFiles(topic, p, hw.get(p)!));
    // The consumer may have fetched past the committed offsets before we knew the assignment.
    await consumer.rewindToCommitted();
    // librdkafka keeps a partition's pause through an eager rebalance: one paused (S3 down) when revoked and
    // assigned again would stay paused for good while the state says "consuming". Make the client match the state.
    if (!state.consumerPaused) consumer.native.resume(assigned);
    deps.health.set('s3', true); // reading it just worked
    logger.info(
      { partitions, listed: found.listed, headed: found.headed, recoveryMs, uploaded: Object.fromEntries([...hw].map(([p, m]) => [p, Object.fromEntries(m)])) },
      'partitions assigned; recovered uploaded offsets',
    );
  };

  /**
   * The group asked for an assignment change (deferred rebalance): the
   * uploads in flight land and are committed before the partitions are given
   * up — an upload landing after the next owner listed S3 would be written twice.
   */
  const rebalance = async () => {
    await readAhead.drop();
    await uploads.settled();
    await commit('sync');
    consumer.applyRebalance();
    files.clear();
    assignmentReleased(state);
  };

  const applyPause = (phase: SinkPhase) => {
    const change = pauseChange(phase, state.consumerPaused);
    if (change === null) return;
    const tps = consumer.assignments();
    if (change === 'pause') {
      consumer.native.pause(tps);
      consumerPaused(state);
    } else {
      consumer.native.resume(tps);
      consumerResumed(state);
    }
    metrics.paused.set(state.consumerPaused ? 1 : 0);
  };

  /** Consumes nothing new while storage is down; retries the uploads (in offset order) after a backoff. */
  const retryStorage = async () => {
    if (!uploads.inFlight) {
      backedOff(state, nextBackoffMs(state.backoffMs));
      await new Promise((r) => setTimeout(r, state.backoffMs));
      startUploads();
    }
    // Keeps the group membership alive and hears of rebalances. Anything already fetched is filed, not
    // dropped: a record skipped here would let a later offset be committed past it.
    const kept = await readAhead.next(pollTimeoutMs('storage-down', uploads.inFlight));
    if (kept) await fileBatch(kept);
  };

  const consumeOnce = async () => {
    if (!uploads.inFlight) {
      await commit('async');
      startUploads();
    }
    // Past the buffer bound the next turn waits for the run just started (waiting-for-uploads).
    if (uploads.inFlight && bufferedRecords() >= deps.maxBufferedRecords) return;
    const batch = await readAhead.next(pollTimeoutMs('consuming', uploads.inFlight));
    if (batch === null) return; // assignment changed under this batch: recover first, it is re-read
    if (batch.length > 0 && !signal.aborted) readAhead.request();
    await fileBatch(batch);
  };

  for (;;) {
    const phase = nextPhase(state, {
      stopRequested: signal.aborted,
      rebalancePending: consumer.pendingRebalances.length > 0,
      consumerGeneration: consumer.generation,
      uploadInFlight: uploads.inFlight,
      bufferedRecords: bufferedRecords(),
      maxBufferedRecords: deps.maxBufferedRecords,
    });
    if (phase !== state.phase) logger.debug({ from: state.phase, to: phase }, 'sink state');
    enterPhase(state, phase);
    applyPause(phase);
    if (phase === 'stopping') break;
    if (phase === 'rebalancing') await rebalance();
    else if (phase === 'recovering') await recover();
    else if (phase === 'storage-down') await retryStorage();
    else if (phase === 'waiting-for-uploads') await uploads.settled();
    else await consumeOnce();
  }

  // Graceful shutdown: the read-ahead batch is neither filed nor committed (the next owner reads it again);
  // every file closes, is uploaded, and committed.
  await readAhead.drop();
  await uploads.settled();
  closeDueFiles(Date.now(), 'shutdown');
  if (await uploads.runNow(files)) {
    uploadRunEnded(state, true);
    await commit('sync');
  } else logger.error('shutdown: uploads failed; offsets not committed, the next run redoes them');
}
