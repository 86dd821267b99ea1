import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBBlobValue, DuckDBDateValue, DuckDBInstance, DuckDBTimestampValue, type DuckDBValue } from '@duckdb/node-api';
import type { EnrichedTick, SourceKind } from '@stockstream/common';

export interface ParquetContents {
  /** column name → DuckDB type name, from DESCRIBE. */
  types: Record<string, string>;
  columns: string[];
  rows: Record<string, DuckDBValue>[];
  /** Compression codecs of the column chunks, from parquet_metadata. */
  codecs: string[];
  /** Parquet physical/logical types of the timestamp column, from parquet_schema. */
  timestampLogicalType: string;
}

/** Reads Parquet bytes the way a user would: a separate DuckDB, read_parquet on a file. */
export async function readParquet(bytes: Buffer): Promise<ParquetContents> {
  const dir = await mkdtemp(join(tmpdir(), 'sink-test-'));
  const file = join(dir, 'f.parquet');
  await writeFile(file, bytes);
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  try {
    const described = await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
    const types: Record<string, string> = {};
    const columns: string[] = [];
    for (const r of described.getRowObjects()) {
      types[String(r.column_name)] = String(r.column_type);
      columns.push(String(r.column_name));
    }
    const rows = (await c.runAndReadAll(`SELECT * FROM read_parquet('${file}')`)).getRowObjects();
    const codecs = (await c.runAndReadAll(`SELECT DISTINCT compression FROM parquet_metadata('${file}')`)).getRowObjects().map((r) => String(r.compression));
    const ts = (await c.runAndReadAll(`SELECT logical_type FROM parquet_schema('${file}') WHERE name = 'ingested_at'`)).getRowObjects();
    return { types, columns, rows, codecs, timestampLogicalType: String(ts[0]?.logical_type) };
  } finally {
    c.closeSync();
    instance.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}

function num(v: DuckDBValue): number {
  if (typeof v === 'bigint') {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw new RangeError(`${v} is not a safe integer`);
    return Number(v);
  }
  if (typeof v === 'number') return v;
  throw new TypeError(`not a number: ${String(v)}`);
}

function days(v: DuckDBValue): number {
  if (!(v instanceof DuckDBDateValue)) throw new TypeError(`not a DATE: ${String(v)}`);
  return v.days;
}

function millis(v: DuckDBValue): number {
  if (!(v instanceof DuckDBTimestampValue)) throw new TypeError(`not a TIMESTAMP: ${String(v)}`);
  if (v.micros % 1000n !== 0n) throw new RangeError(`sub-millisecond timestamp ${v.micros}`);
  return Number(v.micros / 1000n);
}

function str(v: DuckDBValue): string {
  if (typeof v !== 'string') throw new TypeError(`not a VARCHAR: ${v instanceof DuckDBBlobValue ? 'BLOB' : String(v)}`);
  return v;
}

/** A row read from the lake back as the EnrichedTick it was written from. */
export function rowToTick(r: Record<string, DuckDBValue>): EnrichedTick {
  const get = (name: string): DuckDBValue => {
    if (!(name in r)) throw new Error(`column ${name} missing`);
    return r[name]!;
  };
  return {
    index: str(get('index')), date: days(get('date')), open: num(get('open')), high: num(get('high')), low: num(get('low')),
    close: num(get('close')), adjClose: num(get('adj_close')), volume: num(get('volume')), exchange: str(get('exchange')),
    region: str(get('region')), currency: str(get('currency')), fxRate: num(get('fx_rate')), fxEffectiveDate: days(get('fx_effective_date')),
    closeUsd: num(get('close_usd')),
    source: { kind: str(get('source_kind')) as SourceKind, name: str(get('source_name')), line: num(get('source_line')) },
    rawTopic: str(get('raw_topic')), rawPartition: num(get('raw_partition')), rawOffset: num(get('raw_offset')),
    ingestedAt: millis(get('ingested_at')), enrichedAt: millis(get('enriched_at')),
    fxSource: get('fx_source') === null ? null : str(get('fx_source')),
  };
}

/**
 * Writes each of `rows` as its own file in the Hive layout and reads them all
 * with DuckDB's hive_partitioning: [index, year from the path, year(date)] per row.
 */
export async function readHiveLayout(write: (rows: EnrichedTick[]) => Promise<Buffer>, rows: EnrichedTick[], partitionPath: (t: EnrichedTick) => string): Promise<[unknown, number, number][]> {
  const dir = await mkdtemp(join(tmpdir(), 'sink-lake-'));
  try {
    for (const [i, row] of rows.entries()) {
      const folder = join(dir, 'ticks', partitionPath(row));
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, `f${i}.parquet`), await write([row]));
    }
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    try {
      const result = await c.runAndReadAll(`SELECT index, year, year(date) AS date_year FROM read_parquet('${dir}/ticks/*/*/*.parquet', hive_partitioning = true)`);
      return result.getRowObjects().map((r) => [r.index, Number(r.year), Number(r.date_year)] as [unknown, number, number]).sort();
    } finally {
      c.closeSync();
      db.closeSync();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
