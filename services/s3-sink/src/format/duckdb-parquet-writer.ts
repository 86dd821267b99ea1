import { randomUUID } from 'node:crypto';
import { accessSync, constants, statSync } from 'node:fs';
import { readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOUBLE, DuckDBDataChunk, DuckDBInstance, INTEGER, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import { LAKE_COLUMNS, type LakeType } from './lake-columns.js';
import type { ColumnBatch } from './column-batch.js';
import type { RecordWriter } from './record-writer.js';
import { StringDictionary } from './string-dictionary.js';

import type { ParquetCompression } from './parquet-record-writer.js';

export interface DuckDbParquetOptions {
  /** Default zstd: smaller than snappy at similar speed, read by Athena, Spark, Trino, DuckDB. */
  compression?: ParquetCompression;
  /** Where files are staged between COPY and reading them back (default: /dev/shm when writable, else the OS temp dir). */
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

// How a logical type is staged and written. Staging uses only types whose
// vectors are plain typed arrays (INTEGER, DOUBLE), filled in place a column
// at a time: no value object, BigInt or native call per value. The COPY's
// SELECT turns them into the lake's types:
// - VARCHAR: an INTEGER index into the strings of its column seen in the call
//   (symbols, exchanges, file names: a handful), looked up in a list literal;
// - DATE: epoch days; BIGINT and TIMESTAMP: DOUBLE, exact for the integers an
//   Avro long decodes to (|x| < 2^53), cast back.
// TIMESTAMP becomes TIMESTAMP_MS, which the Parquet writer stores as
// TIMESTAMP(MILLIS, isAdjustedToUTC=false): exactly the millisecond precision
// of the Avro source, read back as TIMESTAMP. The values are UTC instants
// stored as a plain (zone-less) timestamp, the Hive/Athena convention; a
// TIMESTAMPTZ column would make DuckDB render them in the session's time zone.
const STAGED: Record<LakeType, { sql: 'INTEGER' | 'DOUBLE'; select: (col: string, strings: readonly string[]) => string }> = {
  VARCHAR: { sql: 'INTEGER', select: (col, strings) => `(${strings.length ? `[${strings.map(sqlString).join(', ')}]` : '[]::VARCHAR[]'})[${col} + 1]` },
  DOUBLE: { sql: 'DOUBLE', select: (col) => col },
  INTEGER: { sql: 'INTEGER', select: (col) => col },
  BIGINT: { sql: 'DOUBLE', select: (col) => `${col}::BIGINT` },
  DATE: { sql: 'INTEGER', select: (col) => `DATE '1970-01-01' + ${col}` },
  TIMESTAMP: { sql: 'DOUBLE', select: (col) => `make_timestamp_ms(${col}::BIGINT)::TIMESTAMP_MS` },
};

/** A staging vector's values as a typed array, written in place (see append). */
function vectorItems(vector: unknown, ctor: Float64ArrayConstructor | Int32ArrayConstructor): Float64Array | Int32Array {
  // The node-api keeps them in `items` (not in its typings): checked, so a changed library fails loudly.
  const items = (vector as { items?: unknown }).items;
  if (!(items instanceof ctor)) throw new Error(`@duckdb/node-api: expected ${ctor.name} items in a ${String((vector as object).constructor?.name)}`);
  return items;
}

/**
 * Memory-backed /dev/shm when there is one: a COPY with PARTITION_BY creates a
 * directory and a file per lake file, which costs twice as much on a disk.
 */
function defaultStagingDir(): string {
  try {
    if (statSync('/dev/shm').isDirectory()) {
      accessSync('/dev/shm', constants.W_OK);
      return '/dev/shm';
    }
  } catch {
    // none, or not writable
  }
  return tmpdir();
}

/** The lake's columns, in order, computed from the staging columns (strings: per column, from append). */
function selectList(strings: readonly (readonly string[])[] = []): string {
  return LAKE_COLUMNS.map((c, i) => `${STAGED[c.type].select(`"${c.name}"`, strings[i] ?? [])} AS "${c.name}"`).join(', ');
}

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
 * Writes Parquet with DuckDB, for the codec our own encoder lacks (zstd: Node
 * 20 has no zstd; 4-6x the CPU per file of ParquetRecordWriter, smaller files): rows go through the Appender (whole data chunks,
 * column by column, no SQL per row) into a staging table of an in-memory
 * database, `COPY ... TO` writes the file, and its bytes are returned. One
 * DuckDB instance and connection serve every file; calls are serialized
 * because they share the staging table.
 */
export class DuckDbParquetWriter implements RecordWriter {
  readonly extension = 'parquet';
  /** IANA-registered media type of Parquet. */
  readonly contentType = 'application/vnd.apache.parquet';
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Calls queued or running on this instance, to pick the least busy lane. */
  private busy = 0;
  /** Further instances for writeMany (not for write()). */
  private siblings: DuckDbParquetWriter[] = [];

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    readonly compression: ParquetCompression,
    private readonly tmpDir: string,
  ) {}

  static async create(opts: DuckDbParquetOptions = {}): Promise<DuckDbParquetWriter> {
    const instance = await DuckDBInstance.create(':memory:', opts.threads ? { threads: String(opts.threads) } : {});
    try {
      const connection = await instance.connect();
      const columns = LAKE_COLUMNS.map((c) => `"${c.name}" ${STAGED[c.type].sql} NOT NULL`).join(', ');
      await connection.run(`CREATE TEMP TABLE ${STAGING} (${columns})`);
      await connection.run(`CREATE TEMP TABLE ${STAGING_MANY} (${columns}, "${FILE_COLUMN}" INTEGER NOT NULL)`);
      const writer = new DuckDbParquetWriter(instance, connection, opts.compression ?? 'zstd', opts.tmpDir ?? defaultStagingDir());
      try {
        for (let i = 1; i < (opts.lanes ?? 2); i++) writer.siblings.push(await DuckDbParquetWriter.create({ ...opts, lanes: 1 }));
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

  write(rows: ColumnBatch): Promise<Buffer> {
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
  writeMany(files: readonly ColumnBatch[]): Promise<Buffer[]> {
    if (this.closed) return Promise.reject(new Error('DuckDbParquetWriter is closed'));
    let lane: DuckDbParquetWriter = this;
    for (const s of this.siblings) if (s.busy < lane.busy) lane = s;
    return lane.writeManyHere(files);
  }

  private writeManyHere(files: readonly ColumnBatch[]): Promise<Buffer[]> {
    this.busy++;
    const run = this.queue.then(() => this.writeManyNow(files)).finally(() => this.busy--);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async writeManyNow(files: readonly ColumnBatch[]): Promise<Buffer[]> {
    if (this.closed) throw new Error('DuckDbParquetWriter is closed');
    if (files.length === 0) return [];
    if (files.length === 1) return [await this.writeNow(files[0]!)];
    const dir = join(this.tmpDir, `stockstream-sink-${process.pid}-${randomUUID()}`);
    try {
      const select = selectList(await this.append(files, STAGING_MANY, true));
      const rows = files.reduce((n, f) => n + f.length, 0);
      if (rows > 0) {
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
            await this.connection.run(`COPY (SELECT ${selectList()} FROM ${STAGING_MANY} WHERE false) TO ${sqlString(empty)} (FORMAT parquet, COMPRESSION ${this.compression})`);
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

  private async writeNow(rows: ColumnBatch): Promise<Buffer> {
    if (this.closed) throw new Error('DuckDbParquetWriter is closed');
    const file = join(this.tmpDir, `stockstream-sink-${process.pid}-${randomUUID()}.parquet`);
    try {
      const select = selectList(await this.append([rows]));
      await this.connection.run(`COPY (SELECT ${select} FROM ${STAGING}) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION ${this.compression})`);
      return await readFile(file);
    } finally {
      await this.connection.run(`TRUNCATE ${STAGING}`).catch(() => undefined);
      await rm(file, { force: true });
    }
  }

  /**
   * Stages the files' rows, in order (tagged with their file's position when
   * `tagFiles`); returns, per column, the strings its VARCHAR ids refer to
   * (empty for other types). Values were checked for their types when the
   * batches were built.
   */
  private async append(files: readonly ColumnBatch[], table = STAGING, tagFiles = false): Promise<string[][]> {
    const types: DuckDBType[] = LAKE_COLUMNS.map((c) => (STAGED[c.type].sql === 'DOUBLE' ? DOUBLE : INTEGER));
    if (tagFiles) types.push(INTEGER);
    const tables = LAKE_COLUMNS.map(() => new StringDictionary());
    const total = files.reduce((n, f) => n + f.length, 0);
    const fileOf = new Int32Array(total);
    const rowOf = new Int32Array(total);
    let k0 = 0;
    files.forEach((f, fi) => {
      for (let r = 0; r < f.length; r++, k0++) {
        fileOf[k0] = fi;
        rowOf[k0] = r;
      }
    });
    const appender = await this.connection.createAppender(table);
    try {
      for (let start = 0; start < total; start += CHUNK_ROWS) {
        const n = Math.min(CHUNK_ROWS, total - start);
        const chunk = DuckDBDataChunk.create(types, n);
        // Column-major: one typed array at a time, copied once to native memory.
        LAKE_COLUMNS.forEach((column, ci) => {
          const vector = chunk.getColumnVector(ci);
          const at = (k: number) => files[fileOf[start + k]!]!.value(ci, rowOf[start + k]!);
          if (column.type === 'VARCHAR') {
            const items = vectorItems(vector, Int32Array);
            const strings = tables[ci]!;
            // A null is id -1: the SELECT's 1-based list lookup at 0 gives NULL.
            for (let k = 0; k < n; k++) {
              const v = at(k);
              items[k] = v === null ? -1 : strings.id(v as string);
            }
          } else {
            const items = vectorItems(vector, STAGED[column.type].sql === 'DOUBLE' ? Float64Array : Int32Array);
            for (let k = 0; k < n; k++) items[k] = at(k) as number;
          }
          vector.flush();
        });
        if (tagFiles) {
          const items = vectorItems(chunk.getColumnVector(LAKE_COLUMNS.length), Int32Array);
          for (let k = 0; k < n; k++) items[k] = fileOf[start + k]!;
          chunk.getColumnVector(LAKE_COLUMNS.length).flush();
        }
        appender.appendDataChunk(chunk);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    return tables.map((t) => t.strings);
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
