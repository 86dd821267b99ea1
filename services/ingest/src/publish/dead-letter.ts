import type { DeadLetter } from '@stockstream/common';

export interface RejectedRow {
  file: string;
  line: number;
  text: string;
  reason: string;
  message: string;
}

/** A row ingest could not read as a record, as the dead-letter envelope. */
export function rejectedRowToDeadLetter(row: RejectedRow, now: number): DeadLetter {
  return {
    stage: 'INGEST',
    reason: row.reason,
    message: `${row.file}:${row.line}: ${row.message}`,
    sourceTopic: null,
    sourcePartition: null,
    sourceOffset: null,
    sourceFile: row.file,
    sourceLine: row.line,
    originalText: row.text,
    originalBytes: null,
    failedAt: now,
  };
}

/** Dead letters are keyed by where they came from so a replay of the same file lands them on the same partition. */
export function deadLetterKey(row: RejectedRow): string {
  return `${row.file}:${row.line}`;
}
