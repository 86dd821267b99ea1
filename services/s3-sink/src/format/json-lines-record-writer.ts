import type { ColumnBatch } from './column-batch.js';
import { LAKE_COLUMNS, type LakeType } from './lake-columns.js';
import type { RecordWriter } from './record-writer.js';

const MS_PER_DAY = 86_400_000;

/** Epoch days → `YYYY-MM-DD` (UTC). */
export function isoDate(epochDay: number): string {
  return new Date(epochDay * MS_PER_DAY).toISOString().slice(0, 10);
}

const JSON_VALUE: Record<LakeType, (v: string | number) => string | number> = {
  VARCHAR: (v) => v,
  DOUBLE: (v) => v,
  INTEGER: (v) => v,
  BIGINT: (v) => v,
  DATE: (v) => isoDate(v as number),
  // ISO 8601 with milliseconds and Z: what Athena's and DuckDB's JSON readers parse as a timestamp.
  TIMESTAMP: (v) => new Date(v as number).toISOString(),
};

const COLUMNS = LAKE_COLUMNS.map((c) => ({ key: `${JSON.stringify(c.name)}:`, value: JSON_VALUE[c.type] }));

/**
 * One JSON object per line (UTF-8, '\n'-terminated), with the same snake_case
 * columns in the same order as the Parquet files; dates and timestamps as ISO
 * strings. Kept for parity with the original design that wrote JSON, and handy
 * for eyeballing a partition. Not compressed (SINK_COMPRESSION is Parquet's).
 */
export class JsonLinesRecordWriter implements RecordWriter {
  readonly extension = 'jsonl';
  readonly contentType = 'application/x-ndjson';

  async writeMany(files: readonly ColumnBatch[]): Promise<Buffer[]> {
    return Promise.all(files.map((rows) => this.write(rows)));
  }

  async write(batch: ColumnBatch): Promise<Buffer> {
    // Built as text rather than JSON.stringify(object): no object per row, same output.
    const lines: string[] = new Array(batch.length);
    for (let i = 0; i < batch.length; i++) {
      let line = '{';
      for (let c = 0; c < COLUMNS.length; c++) {
        const col = COLUMNS[c]!;
        const v = batch.value(c, i);
        line += `${c === 0 ? '' : ','}${col.key}${v === null ? 'null' : JSON.stringify(col.value(v))}`;
      }
      lines[i] = `${line}}\n`;
    }
    return Buffer.from(lines.join(''), 'utf8');
  }
}
