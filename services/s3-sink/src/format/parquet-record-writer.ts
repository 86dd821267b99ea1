import { createRequire } from 'node:module';
import type { ColumnBatch } from './column-batch.js';
import { encodeParquetFile, type ParquetCodec } from './parquet/parquet-file-encoder.js';
import type { RecordWriter } from './record-writer.js';

export type ParquetCompression = 'zstd' | 'snappy' | 'uncompressed';

// snappy (napi-rs, prebuilt per platform) is CommonJS.
const snappy = createRequire(import.meta.url)('snappy') as { compressSync: (b: Buffer) => Buffer };

/** Rows encoded between two turns of the event loop (~5 ms). */
const YIELD_EVERY_ROWS = 10_000;

const CODECS: Record<'snappy' | 'uncompressed', ParquetCodec> = { snappy: 'SNAPPY', uncompressed: 'UNCOMPRESSED' };

/**
 * Parquet files written by our own encoder (format/parquet/): no database,
 * no staging file, a fraction of a millisecond per small file — the lake has
 * thousands of them. Snappy or uncompressed; zstd goes through
 * DuckDbParquetWriter. Synchronous work: the promise is for the RecordWriter
 * interface.
 */
export class ParquetRecordWriter implements RecordWriter {
  readonly extension = 'parquet';
  /** IANA-registered media type of Parquet. */
  readonly contentType = 'application/vnd.apache.parquet';
  private closed = false;

  constructor(readonly compression: 'snappy' | 'uncompressed' = 'snappy') {}

  /** The bytes of one file (what write() resolves to), synchronously. */
  encode(batch: ColumnBatch): Buffer {
    if (this.closed) throw new Error('ParquetRecordWriter is closed');
    const codec = CODECS[this.compression];
    return encodeParquetFile(batch.parquetColumns(), { codec, compress: codec === 'SNAPPY' ? snappy.compressSync : undefined, createdBy: 'stockstream s3-sink' });
  }

  async write(batch: ColumnBatch): Promise<Buffer> {
    return this.encode(batch);
  }

  /** Yields to the event loop between slices, so a batch of hundreds of files does not stall consuming. */
  async writeMany(files: readonly ColumnBatch[]): Promise<Buffer[]> {
    const out: Buffer[] = [];
    let rows = 0;
    for (const f of files) {
      if (rows > YIELD_EVERY_ROWS) {
        rows = 0;
        await new Promise((r) => setImmediate(r));
      }
      out.push(this.encode(f));
      rows += f.length + 50; // + a per-file share
    }
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
