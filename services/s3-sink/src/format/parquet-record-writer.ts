import { createRequire } from 'node:module';
import type { EnrichedTick } from '@stockstream/common';
import { LAKE_COLUMNS, type LakeColumn } from './lake-columns.js';
import { encodeParquetFile, type ParquetCodec, type ParquetColumn } from './parquet/parquet-file-encoder.js';
import type { RecordWriter } from './record-writer.js';
import { StringDictionary } from './string-dictionary.js';

export type ParquetCompression = 'zstd' | 'snappy' | 'uncompressed';

// snappy (napi-rs, prebuilt per platform) is CommonJS.
const snappy = createRequire(import.meta.url)('snappy') as { compressSync: (b: Buffer) => Buffer };

/** Rows encoded between two turns of the event loop (~5 ms). */
const YIELD_EVERY_ROWS = 10_000;

const CODECS: Record<'snappy' | 'uncompressed', ParquetCodec> = { snappy: 'SNAPPY', uncompressed: 'UNCOMPRESSED' };

function toColumn(column: LakeColumn, rows: readonly EnrichedTick[]): ParquetColumn {
  const get = column.get;
  const n = rows.length;
  switch (column.type) {
    case 'VARCHAR': {
      const dict = new StringDictionary();
      const ids = new Int32Array(n);
      for (let i = 0; i < n; i++) ids[i] = dict.id(get(rows[i]!) as string);
      return { name: column.name, kind: 'string', ids, dictionary: dict.strings };
    }
    case 'DOUBLE': {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = get(rows[i]!) as number;
      return { name: column.name, kind: 'double', values };
    }
    case 'INTEGER':
    case 'DATE': {
      const values = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = get(rows[i]!) as number;
        // Never rounded or wrapped: a fraction or an out-of-range value is an error.
        if ((v | 0) !== v) throw new RangeError(`${column.name}: ${v} is not a 32-bit integer`);
        values[i] = v;
      }
      return { name: column.name, kind: column.type === 'DATE' ? 'date' : 'int32', values };
    }
    case 'BIGINT':
    case 'TIMESTAMP': {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = get(rows[i]!) as number; // the encoder refuses non-integers
      return { name: column.name, kind: column.type === 'TIMESTAMP' ? 'timestamp-millis' : 'int64', values };
    }
  }
}

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
  encode(rows: readonly EnrichedTick[]): Buffer {
    if (this.closed) throw new Error('ParquetRecordWriter is closed');
    const codec = CODECS[this.compression];
    return encodeParquetFile(
      LAKE_COLUMNS.map((c) => toColumn(c, rows)),
      { codec, compress: codec === 'SNAPPY' ? snappy.compressSync : undefined, createdBy: 'stockstream s3-sink' },
    );
  }

  async write(rows: readonly EnrichedTick[]): Promise<Buffer> {
    return this.encode(rows);
  }

  /** Yields to the event loop between slices, so a batch of hundreds of files does not stall consuming. */
  async writeMany(files: readonly (readonly EnrichedTick[])[]): Promise<Buffer[]> {
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
