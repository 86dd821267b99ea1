// The files one Kafka partition has open, one per lake partition, and the
// offset that may be committed for it. Pure state, no I/O: unit-tested alone.
import type { EnrichedTick } from '@stockstream/common';
import { ColumnBatch } from '../format/column-batch.js';
import type { OpenFileState, RotationPolicy, RotationRule } from '../rotation/rotation-policy.js';
import { closeReason, type ForcedClose } from './sink-decisions.js';

export interface OpenFile extends OpenFileState {
  lakePath: string;
  firstOffset: number;
  lastOffset: number;
  /** The file's records, column by column (see format/column-batch.ts). */
  batch: ColumnBatch;
  /** Why it was closed (set by closeDue): a rotation rule, or a forced close of every file (shutdown, memory). */
  closedBy?: RotationRule | ForcedClose;
}

export class PartitionFiles {
  private readonly open = new Map<string, OpenFile>();
  /** Closed files waiting for (or retrying) their upload: they still hold back the commit. */
  private readonly pending: OpenFile[] = [];
  /** One past the last offset seen (appended or skipped); null before the first record. */
  private nextOffset: number | null = null;
  /** Per lake partition, the last offset in storage: what recovery found, raised by every upload (for the checkpoint). */
  private readonly landed: Map<string, number>;

  /**
   * @param uploaded per lake partition, the last offset already in storage
   *   (from recovery): records at or below it were uploaded before a crash
   *   and are skipped, so redoing the work never duplicates them.
   */
  constructor(readonly topic: string, readonly partition: number, private readonly uploaded: ReadonlyMap<string, number>) {
    this.landed = new Map(uploaded);
  }

  /**
   * Adds one record; false when it was already uploaded before a restart. A
   * value the lake's columns cannot hold throws UnrepresentableValueError and changes
   * nothing (the caller dead-letters the record and skips it).
   */
  append(offset: number, tick: EnrichedTick, lakePath: string, bytes: number, nowMs: number): boolean {
    const done = this.uploaded.get(lakePath);
    if (done !== undefined && offset <= done) {
      this.nextOffset = offset + 1;
      return false;
    }
    let f = this.open.get(lakePath);
    if (!f) {
      const batch = new ColumnBatch();
      batch.append(tick);
      f = {
        lakePath, firstOffset: offset, lastOffset: offset, batch, records: 0, bytes: 0,
        openedAtMs: nowMs, lastAppendAtMs: nowMs, firstRecordTimeMs: tick.ingestedAt, lastRecordTimeMs: tick.ingestedAt,
      };
      this.open.set(lakePath, f);
    } else {
      f.batch.append(tick);
    }
    this.nextOffset = offset + 1;
    f.records++;
    f.bytes += bytes;
    f.lastOffset = offset;
    f.lastAppendAtMs = nowMs;
    f.lastRecordTimeMs = tick.ingestedAt;
    return true;
  }

  /** A record that goes nowhere in the lake (dead-lettered): only the position moves. */
  skip(offset: number): void {
    this.nextOffset = offset + 1;
  }

  /** Moves the files the policy says are done (all of them when `forced`) to the pending uploads; returns them, each with why it closed. */
  closeDue(policy: RotationPolicy, nowMs: number, forced: ForcedClose | null = null): OpenFile[] {
    const closed: OpenFile[] = [];
    for (const [path, f] of this.open) {
      const rule = closeReason(f, policy, nowMs, forced);
      if (rule !== null) {
        f.closedBy = rule;
        this.open.delete(path);
        closed.push(f);
      }
    }
    this.pending.push(...closed);
    return closed;
  }

  /** Marks a pending file as durably uploaded; its records' memory goes to the next files (its batch is empty from now on). */
  markUploaded(file: OpenFile): void {
    const i = this.pending.indexOf(file);
    if (i >= 0) this.pending.splice(i, 1);
    file.batch.release();
    const cur = this.landed.get(file.lakePath);
    if (cur === undefined || file.lastOffset > cur) this.landed.set(file.lakePath, file.lastOffset);
  }

  /** Per lake partition, the last offset in storage (what the checkpoint records as uploaded). */
  get uploadedHighWater(): ReadonlyMap<string, number> {
    return this.landed;
  }

  get pendingUploads(): readonly OpenFile[] {
    return this.pending;
  }

  get openFiles(): number {
    return this.open.size;
  }

  /** Records held in memory: in open files and in closed files not yet uploaded. */
  get bufferedRecords(): number {
    let n = 0;
    for (const f of this.open.values()) n += f.records;
    for (const f of this.pending) n += f.records;
    return n;
  }

  /**
   * The offset that may be committed: the smallest first offset among files
   * not yet uploaded (open or pending), else one past the last record seen.
   * Committing past an open file's first record would lose it in a crash.
   */
  committable(): number | null {
    let min: number | null = null;
    for (const f of this.open.values()) if (min === null || f.firstOffset < min) min = f.firstOffset;
    for (const f of this.pending) if (min === null || f.firstOffset < min) min = f.firstOffset;
    return min ?? this.nextOffset;
  }

  /** Earliest wall-clock time a file's time rule fires, to bound how long the loop may wait. */
  nextDueAtMs(policy: RotationPolicy): number | null {
    let due: number | null = null;
    for (const f of this.open.values()) {
      const d = policy.dueAtMs(f);
      if (d !== null && (due === null || d < due)) due = d;
    }
    return due;
  }
}
