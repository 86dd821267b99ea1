// When to close an open file and upload it (Confluent's flush.size and
// rotate.interval.ms, here as four rules).
//
// `records` and `bytes` are deterministic in the input: the same records in
// the same order cut files at the same offsets, whoever replays them. `time`
// and `idle` are wall-clock: `time` bounds how long any record waits for the
// lake (maxOpenMs after its file opened); `idle` closes a file its lake
// partition stopped feeding (maxIdleMs without a record) — market data moves
// through its year partitions, so a finished year is uploaded in one file as
// soon as the stream has moved on instead of waiting out maxOpenMs, and its
// offsets get committed. Both cut boundaries that differ between runs. Exactly-once does not depend on the
// boundaries being reproducible: on assignment the sink's recovery lists what
// each lake partition already holds for the Kafka partition and skips offsets
// already uploaded, so a file cut differently after a restart never duplicates
// records (pipeline/recovery.ts).

export type RotationRule = 'records' | 'bytes' | 'time' | 'idle';

/** What is known about one open (not yet uploaded) file. */
export interface OpenFileState {
  records: number;
  /**
   * Size of the input appended so far (e.g. the Kafka message values), not of
   * the encoded file, which is only known after writing: deterministic, and an
   * upper bound of the compressed Parquet size in practice.
   */
  bytes: number;
  /** Wall clock (epoch ms) when the file received its first record. */
  openedAtMs: number;
  /** Wall clock (epoch ms) when the file received its latest record. */
  lastAppendAtMs: number;
  /** Record time (epoch ms) of the first and last record, for logs and metrics. */
  firstRecordTimeMs: number;
  lastRecordTimeMs: number;
}

export interface RotationConfig {
  maxRecords: number;
  maxBytes: number;
  /** Longest a file may stay open, by the wall clock. */
  maxOpenMs: number;
  /** Longest a file may stay open without receiving a record, by the wall clock. */
  maxIdleMs: number;
}

/**
 * The rule that says the file must be closed now, or null to keep appending.
 * Deterministic rules are checked first, so a file that is full by count or
 * size reports that even when it is also old. An empty file never rotates.
 */
export function shouldRotate(state: OpenFileState, nowMs: number, config: RotationConfig): RotationRule | null {
  if (state.records <= 0) return null;
  if (state.records >= config.maxRecords) return 'records';
  if (state.bytes >= config.maxBytes) return 'bytes';
  if (nowMs - state.openedAtMs >= config.maxOpenMs) return 'time';
  if (nowMs - state.lastAppendAtMs >= config.maxIdleMs) return 'idle';
  return null;
}

/**
 * Wall-clock time (epoch ms) at which a time rule (time or idle) will fire for
 * this file if nothing else happens, so the pipeline can wake up then even
 * when no record arrives; null when empty.
 */
export function rotationDueAtMs(state: OpenFileState, config: RotationConfig): number | null {
  return state.records <= 0 ? null : Math.min(state.openedAtMs + config.maxOpenMs, state.lastAppendAtMs + config.maxIdleMs);
}

/** A policy bound to its configuration, for callers that pass one object around. */
export class RotationPolicy {
  constructor(readonly config: RotationConfig) {
    for (const [name, v] of Object.entries(config)) {
      if (!Number.isFinite(v) || v <= 0) throw new RangeError(`rotation ${name} must be a positive number, got ${v}`);
    }
  }

  shouldRotate(state: OpenFileState, nowMs: number): RotationRule | null {
    return shouldRotate(state, nowMs, this.config);
  }

  dueAtMs(state: OpenFileState): number | null {
    return rotationDueAtMs(state, this.config);
  }
}
