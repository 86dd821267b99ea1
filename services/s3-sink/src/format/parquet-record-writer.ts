import { randomUUID } from 'node:crypto';
import { readFile, readdir, rm } from 'node:fs/promises';
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
  /**
   * DuckDB instances writeMany() spreads concurrent calls over (default 2):
   * its COPY runs single-threaded to keep row order, so batches run in
   * parallel on separate instances instead.
   */
  lanes?: number;
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
/** Staging for writeMany: the lake columns plus which file of the batch a row belongs to. */
const STAGING_MANY = 'sink_staging_many';
const FILE_COLUMN = '__file';
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
  /** Calls queued or running on this instance, to pick the least busy lane. */
  private busy = 0;
  /** Further instances for writeMany (not for write()). */
  private siblings: ParquetRecordWriter[] = [];

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
      await connection.run(`CREATE TEMP TABLE ${STAGING_MANY} (${columns}, "${FILE_COLUMN}" INTEGER NOT NULL)`);
      const writer = new ParquetRecordWriter(instance, connection, opts.compression ?? 'zstd', opts.tmpDir ?? tmpdir());
      try {
        for (let i = 1; i < (opts.lanes ?? 2); i++) writer.siblings.push(await ParquetRecordWriter.create({ ...opts, lanes: 1 }));
      } catch (err) {
        await Promise.all(writer.siblings.map((w) => w.close()));
        throw err;
      }
      return writer;
    } catch (err) {
      instance.closeSync();
      throw err;
    }
  }

  write(rows: readonly EnrichedTick[]): Promise<Buffer> {
    this.busy++;
    const run = this.queue.then(() => this.writeNow(rows)).finally(() => this.busy--);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Several files in one pass: every file's rows go through one appender into
   * one staging table, tagged with the file's position, and a single COPY with
   * PARTITION_BY on that tag writes one Parquet file per position (the tag
   * itself is not written). The COPY runs single-threaded, so each file's rows
   * keep their append order: the same rows, order and columns write() gives,
   * without its per-file appender, COPY and staging costs.
   */
  writeMany(files: readonly (readonly EnrichedTick[])[]): Promise<Buffer[]> {
    if (this.closed) return Promise.reject(new Error('ParquetRecordWriter is closed'));
    let lane: ParquetRecordWriter = this;
    for (const s of this.siblings) if (s.busy < lane.busy) lane = s;
    return lane.writeManyHere(files);
  }

  private writeManyHere(files: readonly (readonly EnrichedTick[])[]): Promise<Buffer[]> {
    this.busy++;
    const run = this.queue.then(() => this.writeManyNow(files)).finally(() => this.busy--);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async writeManyNow(files: readonly (readonly EnrichedTick[])[]): Promise<Buffer[]> {
    if (this.closed) throw new Error('ParquetRecordWriter is closed');
    if (files.length === 0) return [];
    if (files.length === 1) return [await this.writeNow(files[0]!)];
    const dir = join(this.tmpDir, `stockstream-sink-${process.pid}-${randomUUID()}`);
    const select = LAKE_COLUMNS.map((c) => `"${c.name}"`).join(', ');
    try {
      const rows: EnrichedTick[] = [];
      const ids: number[] = [];
      files.forEach((f, i) => {
        for (const r of f) {
          rows.push(r);
          ids.push(i);
        }
      });
      await this.append(rows, STAGING_MANY, ids);
      if (rows.length > 0) {
        const threads = await this.threadSetting();
        await this.connection.run('SET threads = 1');
        try {
          await this.connection.run(
            `COPY (SELECT ${select}, "${FILE_COLUMN}" FROM ${STAGING_MANY}) TO ${sqlString(dir)} (FORMAT parquet, PARTITION_BY ("${FILE_COLUMN}"), COMPRESSION ${this.compression})`,
          );
        } finally {
          await this.connection.run(`SET threads = ${threads}`);
        }
      }
      const out: Buffer[] = [];
      for (let i = 0; i < files.length; i++) {
        if (files[i]!.length === 0) {
          // No rows, no partition: an empty file with the schema, as write() gives.
          const empty = join(this.tmpDir, `stockstream-sink-${process.pid}-${randomUUID()}.parquet`);
          try {
            await this.connection.run(`COPY (SELECT ${select} FROM ${STAGING_MANY} WHERE false) TO ${sqlString(empty)} (FORMAT parquet, COMPRESSION ${this.compression})`);
            out.push(await readFile(empty));
          } finally {
            await rm(empty, { force: true });
          }
          continue;
        }
        const part = join(dir, `${FILE_COLUMN}=${i}`);
        const written = await readdir(part);
        if (written.length !== 1) throw new Error(`expected one Parquet file in ${part}, found ${written.length}`);
        out.push(await readFile(join(part, written[0]!)));
      }
      return out;
    } finally {
      await this.connection.run(`TRUNCATE ${STAGING_MANY}`).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  }

  private threadsValue: number | null = null;
  private async threadSetting(): Promise<number> {
    if (this.threadsValue === null) {
      const r = await this.connection.runAndReadAll(`SELECT current_setting('threads')::INTEGER AS t`);
      this.threadsValue = Number(r.getRowObjects()[0]!.t);
    }
    return this.threadsValue;
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

  private async append(rows: readonly EnrichedTick[], table = STAGING, fileIds?: readonly number[]): Promise<void> {
    const types = LAKE_COLUMNS.map((c) => TYPES[c.type].duck);
    if (fileIds) types.push(INTEGER);
    const appender = await this.connection.createAppender(table);
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
        if (fileIds) {
          const vector = chunk.getColumnVector(LAKE_COLUMNS.length);
          for (let k = 0; k < n; k++) vector.setItem(k, fileIds[start + k]!);
          vector.flush();
        }
        appender.appendDataChunk(chunk);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all(this.siblings.map((s) => s.close()));
    await this.queue;
    this.closed = true;
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
