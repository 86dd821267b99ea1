import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BIGINT, DATE, DOUBLE, DuckDBDataChunk, DuckDBDateValue, DuckDBInstance, DuckDBTimestampMillisecondsValue, INTEGER, TIMESTAMP_MS, VARCHAR,
  type DuckDBConnection, type DuckDBType, type DuckDBValue,
} from '@duckdb/node-api';
import type { EnrichedTick } from '@stockstream/common';
import { LAKE_COLUMNS, type LakeType } from './lake-columns.js';
import type { RecordWriter } from './record-writer.js';

export type ParquetCompression = 'zstd' | 'snappy' | 'uncompressed';

export interface ParquetWriterOptions {
  /** Default zstd: smaller than snappy at similar speed, read by Athena, Spark, Trino, DuckDB. */
  compression?: ParquetCompression;
  /** Where the file is staged between COPY and reading it back (default: the OS temp dir). */
  tmpDir?: string;
  /** DuckDB worker threads (default: DuckDB's, one per core). */
  threads?: number;
}

// Per logical type: the staging column's DuckDB type and how a raw value
// becomes a vector item. TIMESTAMP is staged as TIMESTAMP_MS, which the
// Parquet writer stores as TIMESTAMP(MILLIS, isAdjustedToUTC=false): exactly
// the millisecond precision of the Avro source, and read back as TIMESTAMP.
// The values are UTC instants stored as a plain (zone-less) timestamp, the
// Hive/Athena convention; a TIMESTAMPTZ column would make DuckDB render them
// in the session's time zone.
const TYPES: Record<LakeType, { sql: string; duck: DuckDBType; item: (v: string | number) => DuckDBValue }> = {
  VARCHAR: { sql: 'VARCHAR', duck: VARCHAR, item: (v) => v },
  DOUBLE: { sql: 'DOUBLE', duck: DOUBLE, item: (v) => v },
  INTEGER: { sql: 'INTEGER', duck: INTEGER, item: (v) => v },
  // Avro longs arrive as JS numbers (exact below 2^53); BigInt() throws on a fraction rather than rounding.
  BIGINT: { sql: 'BIGINT', duck: BIGINT, item: (v) => BigInt(v) },
  DATE: { sql: 'DATE', duck: DATE, item: (v) => new DuckDBDateValue(v as number) },
  TIMESTAMP: { sql: 'TIMESTAMP_MS', duck: TIMESTAMP_MS, item: (v) => new DuckDBTimestampMillisecondsValue(BigInt(v)) },
};

const STAGING = 'sink_staging';
/** DuckDB's vector size: a data chunk holds at most this many rows. */
const CHUNK_ROWS = 2048;

function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/**
 * Writes Parquet with DuckDB: rows go through the Appender (whole data chunks,
 * column by column, no SQL per row) into a staging table of an in-memory
 * database, `COPY ... TO` writes the file, and its bytes are returned. One
 * DuckDB instance and connection serve every file; calls are serialized
 * because they share the staging table.
 */
export class ParquetRecordWriter implements RecordWriter {
  readonly extension = 'parquet';
  /** IANA-registered media type of Parquet. */
  readonly contentType = 'application/vnd.apache.parquet';
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    readonly compression: ParquetCompression,
    private readonly tmpDir: string,
  ) {}

  static async create(opts: ParquetWriterOptions = {}): Promise<ParquetRecordWriter> {
    const instance = await DuckDBInstance.create(':memory:', opts.threads ? { threads: String(opts.threads) } : {});
    try {
      const connection = await instance.connect();
      const columns = LAKE_COLUMNS.map((c) => `"${c.name}" ${TYPES[c.type].sql} NOT NULL`).join(', ');
      await connection.run(`CREATE TEMP TABLE ${STAGING} (${columns})`);
      return new ParquetRecordWriter(instance, connection, opts.compression ?? 'zstd', opts.tmpDir ?? tmpdir());
    } catch (err) {
      instance.closeSync();
      throw err;
    }
  }

  write(rows: readonly EnrichedTick[]): Promise<Buffer> {
    const run = this.queue.then(() => this.writeNow(rows));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async writeNow(rows: readonly EnrichedTick[]): Promise<Buffer> {
    if (this.closed) throw new Error('ParquetRecordWriter is closed');
    const file = join(this.tmpDir, `stockstream-sink-${process.pid}-${randomUUID()}.parquet`);
    try {
      await this.append(rows);
      await this.connection.run(
        `COPY ${STAGING} TO ${sqlString(file)} (FORMAT parquet, COMPRESSION ${this.compression})`,
      );
      return await readFile(file);
    } finally {
      await this.connection.run(`TRUNCATE ${STAGING}`).catch(() => undefined);
      await rm(file, { force: true });
    }
  }

  private async append(rows: readonly EnrichedTick[]): Promise<void> {
    const types = LAKE_COLUMNS.map((c) => TYPES[c.type].duck);
    const appender = await this.connection.createAppender(STAGING);
    try {
      for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
        const n = Math.min(CHUNK_ROWS, rows.length - start);
        const chunk = DuckDBDataChunk.create(types, n);
        // Column-major: one vector at a time, flushed once to native memory.
        LAKE_COLUMNS.forEach((column, ci) => {
          const vector = chunk.getColumnVector(ci);
          const item = TYPES[column.type].item;
          for (let k = 0; k < n; k++) vector.setItem(k, item(column.get(rows[start + k]!)));
          vector.flush();
        });
        appender.appendDataChunk(chunk);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.queue;
    this.closed = true;
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
