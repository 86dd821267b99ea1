// The sink loop's decisions, pure over plain data (unit-tested without a
// broker or storage): which state comes next, what may be committed, when
// the consumer pauses and resumes, when a file closes. Taken once per batch,
// never per record. The loop that acts on them: sink-loop.ts.
import type { RotationPolicy, OpenFileState, RotationRule } from '../rotation/rotation-policy.js';
import type { HeldDeadLetter, SinkPhase, SinkState } from './sink-state.js';

/** What the loop sees at the top of each turn. */
export interface LoopFacts {
  stopRequested: boolean;
  /** The group asked for an assignment change the loop has not applied yet (deferred rebalance). */
  rebalancePending: boolean;
  /** The consumer's current generation (bumped by every applied assignment change). */
  consumerGeneration: number;
  uploadInFlight: boolean;
  /** Records held in open files and in closed files not yet uploaded. */
  bufferedRecords: number;
  maxBufferedRecords: number;
}

/** Whether the open files do not (or no longer) belong to the consumer's assignment, or the group's offsets are in doubt. */
export function needsRecovery(s: Pick<SinkState, 'generation' | 'recoveryRequested'>, consumerGeneration: number): boolean {
  return s.recoveryRequested || s.generation !== consumerGeneration;
}

/**
 * The state of the next turn, first match wins: stopping; a pending
 * rebalance (before anything else touches partitions about to move);
 * recovery; storage down; back-pressure; else consuming.
 */
export function nextPhase(s: Pick<SinkState, 'generation' | 'recoveryRequested' | 'storageDown'>, f: LoopFacts): SinkPhase {
  if (f.stopRequested) return 'stopping';
  if (f.rebalancePending) return 'rebalancing';
  if (needsRecovery(s, f.consumerGeneration)) return 'recovering';
  if (s.storageDown) return 'storage-down';
  if (f.uploadInFlight && f.bufferedRecords >= f.maxBufferedRecords) return 'waiting-for-uploads';
  return 'consuming';
}

/** One Kafka partition's committable position (PartitionFiles.committable: the first offset not yet in storage). */
export interface PartitionPosition {
  topic: string;
  partition: number;
  /** null: nothing seen yet, nothing to commit. */
  committable: number | null;
}

export interface CommitOffset {
  topic: string;
  partition: number;
  offset: number;
}

/**
 * What to commit. 'async' (while consuming): only offsets that moved since
 * the last one sent. 'sync' (before partitions are given up, at shutdown):
 * everything committable, so the next owner starts where the uploads ended.
 */
export function committableOffsets(positions: Iterable<PartitionPosition>, sent: ReadonlyMap<number, number>, mode: 'async' | 'sync'): CommitOffset[] {
  const out: CommitOffset[] = [];
  for (const p of positions) {
    if (p.committable === null) continue;
    if (mode === 'sync' || p.committable > (sent.get(p.partition) ?? -1)) out.push({ topic: p.topic, partition: p.partition, offset: p.committable });
  }
  return out;
}

/**
 * One commit: `offsets` (committableOffsets) and the held dead letters they
 * move past. Without dead letters it is a plain consumer commit (the common
 * path, unchanged). With some, the letters and `offsets` go in one Kafka
 * transaction, so a read_committed reader sees a letter iff its offset is
 * committed. A plain asynchronous commit still in flight could land after
 * the transaction's offsets and move them back (the last write wins), so a
 * plain synchronous `barrier` comes first: it is answered only after every
 * earlier commit, and commits up to each such partition's first dead letter
 * only, which is already safe.
 */
export interface CommitPlan {
  offsets: CommitOffset[];
  deadLetters: HeldDeadLetter[];
  barrier: CommitOffset[];
}

export function commitPlan(
  positions: Iterable<PartitionPosition>, sent: ReadonlyMap<number, number>, held: ReadonlyMap<number, readonly HeldDeadLetter[]>, mode: 'async' | 'sync',
): CommitPlan {
  const all = [...positions];
  const offsets = committableOffsets(all, sent, mode);
  // A partition whose position passed a held letter commits now even if its offset did not move (a failed transaction left it).
  for (const p of all) {
    const first = held.get(p.partition)?.[0];
    if (first && p.committable !== null && p.committable > first.offset && !offsets.some((o) => o.partition === p.partition)) {
      offsets.push({ topic: p.topic, partition: p.partition, offset: p.committable });
    }
  }
  const deadLetters: HeldDeadLetter[] = [];
  const barrier: CommitOffset[] = [];
  for (const o of offsets) {
    const due = (held.get(o.partition) ?? []).filter((l) => l.offset < o.offset);
    if (due.length === 0) continue;
    deadLetters.push(...due);
    barrier.push({ topic: o.topic, partition: o.partition, offset: due[0]!.offset });
  }
  return { offsets, deadLetters, barrier };
}

/**
 * Commits are sent only for the assignment the files were recovered for, and
 * never while storage is down: an offset past a file that failed to upload
 * would lose it.
 */
export function mayCommit(s: Pick<SinkState, 'generation' | 'recoveryRequested' | 'storageDown'>, consumerGeneration: number): boolean {
  return !s.storageDown && !needsRecovery(s, consumerGeneration);
}

/**
 * Paused exactly while storage is down (consumption stops, the group
 * membership stays); resumed once the loop consumes again. Other states
 * leave it as it is (a new assignment starts unpaused).
 */
export function pauseChange(phase: SinkPhase, paused: boolean): 'pause' | 'resume' | null {
  if (phase === 'storage-down') return paused ? null : 'pause';
  if ((phase === 'consuming' || phase === 'waiting-for-uploads') && paused) return 'resume';
  return null;
}

/** How long a poll may wait for the first record: short while uploads run, so their completions are handled promptly. */
export function pollTimeoutMs(phase: SinkPhase, uploadInFlight: boolean): number {
  return phase === 'consuming' && !uploadInFlight ? 200 : 10;
}

/**
 * Why every open file closes at once, whatever the rotation policy says:
 * 'shutdown' when stopping (the loop's last step); 'memory' when the records
 * held reach the buffer bound with no upload in flight. Waiting for uploads
 * (waiting-for-uploads) only bounds memory while there is one to wait for: a
 * backlog consumed faster than files rotate (a full topic read in seconds,
 * files that close after a minute) would otherwise hold all of it in open files.
 */
export type ForcedClose = 'shutdown' | 'memory';

/** 'memory' when the open files must all close to keep the buffer bound (see ForcedClose), else null. */
export function memoryClose(f: Pick<LoopFacts, 'uploadInFlight' | 'bufferedRecords' | 'maxBufferedRecords'>): 'memory' | null {
  return !f.uploadInFlight && f.bufferedRecords >= f.maxBufferedRecords ? 'memory' : null;
}

/** Why a file closes now: a forced close (every file), a rotation rule, or null to keep it open. */
export function closeReason(file: OpenFileState, policy: RotationPolicy, nowMs: number, forced: ForcedClose | null): RotationRule | ForcedClose | null {
  return forced ?? policy.shouldRotate(file, nowMs);
}
