import { DuckDbParquetWriter } from './duckdb-parquet-writer.js';
import { JsonLinesRecordWriter } from './json-lines-record-writer.js';
import { ParquetRecordWriter, type ParquetCompression } from './parquet-record-writer.js';
import type { RecordWriter } from './record-writer.js';

export type SinkFormat = 'parquet' | 'jsonl';

/** The writer SINK_FORMAT names; compression applies to Parquet only (zstd is DuckDB's, the others our encoder's). */
export async function createRecordWriter(format: SinkFormat, compression: ParquetCompression = 'snappy'): Promise<RecordWriter> {
  if (format === 'jsonl') return new JsonLinesRecordWriter();
  return compression === 'zstd' ? DuckDbParquetWriter.create({ compression }) : new ParquetRecordWriter(compression);
}
