import { JsonLinesRecordWriter } from './json-lines-record-writer.js';
import { ParquetRecordWriter, type ParquetCompression } from './parquet-record-writer.js';
import type { RecordWriter } from './record-writer.js';

export type SinkFormat = 'parquet' | 'jsonl';

/** The writer SINK_FORMAT names; compression applies to Parquet only. */
export async function createRecordWriter(format: SinkFormat, compression: ParquetCompression = 'zstd'): Promise<RecordWriter> {
  return format === 'parquet' ? ParquetRecordWriter.create({ compression }) : new JsonLinesRecordWriter();
}
