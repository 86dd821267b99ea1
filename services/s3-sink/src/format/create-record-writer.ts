import { JsonLinesRecordWriter } from './json-lines-record-writer.js';
import { ParquetRecordWriter, type ParquetCompression } from './parquet-record-writer.js';
import type { RecordWriter } from './record-writer.js';

export type SinkFormat = 'parquet' | 'jsonl';

/** The writer SINK_FORMAT names; compression applies to Parquet only (zstd is DuckDB's, the others our encoder's). */
export async function createRecordWriter(format: SinkFormat, compression: ParquetCompression = 'snappy'): Promise<RecordWriter> {
  if (format === 'jsonl') return new JsonLinesRecordWriter();
  if (compression !== 'zstd') return new ParquetRecordWriter(compression);
  // Loaded only for zstd: DuckDB's native library costs every sink (and its upload worker) tens of MB of memory.
  const { DuckDbParquetWriter } = await import('./duckdb-parquet-writer.js');
  return DuckDbParquetWriter.create({ compression });
}
