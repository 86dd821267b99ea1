import type { ColumnBatch } from './column-batch.js';

/**
 * Turns a whole file's rows into the bytes of one object (Confluent's
 * Format/RecordWriter). Whole-file rather than streaming: files are bounded by
 * the rotation policy, and a Parquet footer needs all row groups anyway. The
 * same rows must always give an object with the same records in the same
 * order (not necessarily the same bytes), so that a redo after a crash
 * overwrites an object with an equal one.
 */
export interface RecordWriter {
  /** File extension without the dot, used in the object key. */
  readonly extension: string;
  /** Content-Type of the uploaded object. */
  readonly contentType: string;
  write(batch: ColumnBatch): Promise<Buffer>;
  /**
   * Optional batch form: one object per entry of `files`, in order, each with
   * the same content write() gives for those rows; cheaper per file when many
   * files close together.
   */
  writeMany?(files: readonly ColumnBatch[]): Promise<Buffer[]>;
  /** Releases native resources (DuckDB); the writer is unusable afterwards. */
  close?(): Promise<void>;
}
