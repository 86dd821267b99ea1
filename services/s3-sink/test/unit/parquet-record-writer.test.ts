import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbParquetWriter } from '../../src/format/duckdb-parquet-writer.js';
import { LAKE_COLUMNS } from '../../src/format/lake-columns.js';
import { encodeParquetFile, type ParquetColumn } from '../../src/format/parquet/parquet-file-encoder.js';
import { ParquetRecordWriter } from '../../src/format/parquet-record-writer.js';
import { HivePartitioner } from '../../src/partitioner/hive-partitioner.js';
import { edgeRows, manyRows, tick } from './support/ticks.js';
import { readHiveLayout, readParquet, rowToTick } from './support/read-parquet.js';
import { ColumnBatch } from '../../src/format/column-batch.js';

const EXPECTED_TYPES = {
  index: 'VARCHAR', date: 'DATE', open: 'DOUBLE', high: 'DOUBLE', low: 'DOUBLE', close: 'DOUBLE', adj_close: 'DOUBLE', volume: 'BIGINT',
  exchange: 'VARCHAR', region: 'VARCHAR', currency: 'VARCHAR', fx_rate: 'DOUBLE', fx_effective_date: 'DATE', close_usd: 'DOUBLE',
  source_kind: 'VARCHAR', source_name: 'VARCHAR', source_line: 'BIGINT', raw_topic: 'VARCHAR', raw_partition: 'INTEGER', raw_offset: 'BIGINT',
  ingested_at: 'TIMESTAMP', enriched_at: 'TIMESTAMP', fx_source: 'VARCHAR',
};

/** SHA-256 of the encoder's bytes for the inputs of the 'writes the bytes it wrote' test (UNCOMPRESSED: snappy's output is the library's). */
const PINNED_SHA256 = '772a1d0a6620a09b2d3277f83e883cc68b0268c4043120c23dad548e0a124eab';

/** Runs `sql` with `$file` bound to a temporary copy of `bytes`; rows as plain objects. */
async function queryFile(bytes: Buffer, sql: string): Promise<Record<string, unknown>[]> {
  const dir = await mkdtemp(join(tmpdir(), 'pq-test-'));
  const file = join(dir, 'f.parquet');
  await writeFile(file, bytes);
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    return (await c.runAndReadAll(sql.replaceAll('$file', `'${file}'`))).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    c.closeSync();
    db.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}

describe('ParquetRecordWriter (our encoder)', () => {
  const writer = new ParquetRecordWriter();

  it('writes typed, snake_case columns in the lake order, without the derived year', async () => {
    const file = await readParquet(await writer.write(ColumnBatch.of([tick()])));
    assert.deepEqual(file.types, EXPECTED_TYPES);
    assert.deepEqual(file.columns, LAKE_COLUMNS.map((c) => c.name));
    assert.match(file.timestampLogicalType, /isAdjustedToUTC=0.*MILLIS=MilliSeconds\(\)/);
  });

  it('has the same Parquet schema as the files DuckDB writes, so one lake can hold both', async () => {
    const schema = (b: Buffer) => queryFile(b, `SELECT name, type, converted_type, logical_type, repetition_type FROM parquet_schema($file) OFFSET 1`);
    const duck = await DuckDbParquetWriter.create({ compression: 'snappy', lanes: 1 });
    try {
      const ours = await schema(await writer.write(ColumnBatch.of(edgeRows())));
      const theirs = await schema(await duck.write(ColumnBatch.of(edgeRows())));
      // DuckDB leaves logical_type empty where the converted type says it all; the rest is equal.
      assert.deepEqual(ours.map((r) => ({ ...r, logical_type: null })), theirs.map((r) => ({ ...r, logical_type: null })));
      assert.deepEqual(ours.filter((r) => String(r.name).endsWith('_at')).map((r) => r.logical_type), theirs.filter((r) => String(r.name).endsWith('_at')).map((r) => r.logical_type));
    } finally {
      await duck.close();
    }
  });

  it('reads back exactly the values it was given, in order, at the edges of every type', async () => {
    const rows = edgeRows();
    assert.deepEqual((await readParquet(await writer.write(ColumnBatch.of(rows)))).rows.map(rowToTick), rows);
    const many = manyRows(5_000);
    assert.deepEqual((await readParquet(await writer.write(ColumnBatch.of(many)))).rows.map(rowToTick), many);
  });

  it('reads back the calendar dates and instants a user sees', async () => {
    const r = (await readParquet(await writer.write(ColumnBatch.of([edgeRows()[1]!])))).rows[0]!;
    assert.equal(String(r.date), '1965-01-04');
    assert.equal(String(r.fx_effective_date), '1900-01-01');
    assert.equal(String(r.ingested_at), '1969-12-31 23:59:59.999');
    assert.equal(String(r.enriched_at), '1970-01-01 00:00:00');
  });

  it('compresses with snappy by default, or not at all when asked', async () => {
    const snappy = await writer.write(ColumnBatch.of(manyRows(1000)));
    const plain = await new ParquetRecordWriter('uncompressed').write(ColumnBatch.of(manyRows(1000)));
    assert.deepEqual((await readParquet(snappy)).codecs, ['SNAPPY']);
    assert.deepEqual((await readParquet(plain)).codecs, ['UNCOMPRESSED']);
    assert.ok(snappy.length < plain.length * 0.8, `snappy ${snappy.length} B vs uncompressed ${plain.length} B`);
    assert.deepEqual((await readParquet(snappy)).rows, (await readParquet(plain)).rows);
  });

  it('records min/max statistics a query engine prunes with', async () => {
    const rows = manyRows(600);
    const stats = await queryFile(await writer.write(ColumnBatch.of(rows)), `SELECT path_in_schema AS c, stats_min_value AS lo, stats_max_value AS hi, stats_null_count AS nulls FROM parquet_metadata($file)`);
    const by = new Map(stats.map((s) => [s.c, s]));
    const closes = rows.map((r) => r.close);
    assert.equal(Number(by.get('close')!.lo), Math.min(...closes));
    assert.equal(Number(by.get('close')!.hi), Math.max(...closes));
    assert.equal(by.get('date')!.lo, '1965-01-04');
    assert.equal(Number(by.get('raw_offset')!.hi), 99);
    assert.equal(by.get('index')!.lo, '000001.SS');
    assert.equal(by.get('index')!.hi, '^GSPC');
    // fx_source: null in records of the first enriched schema (rows 0..299 here), counted, and left out of min/max.
    assert.deepEqual([Number(by.get('fx_source')!.nulls), by.get('fx_source')!.lo, by.get('fx_source')!.hi], [300, 'ecb', 'fallback']);
    for (const s of stats) if (s.c !== 'fx_source') assert.equal(Number(s.nulls), 0, String(s.c));
  });

  it('a nullable column of nulls only, or of runs of nulls and values, reads back exactly', async () => {
    for (const pattern of [() => null, (i: number) => (i % 7 < 3 ? null : `s${i % 3}`), (i: number) => (i === 399 ? 'last' : null)]) {
      const rows = manyRows(400).map((t, i) => ({ ...t, fxSource: pattern(i) }));
      const file = await readParquet(await writer.write(ColumnBatch.of(rows)));
      assert.deepEqual(file.rows.map(rowToTick), rows);
    }
  });

  it('writes a valid empty file for zero rows', async () => {
    const file = await readParquet(await writer.write(ColumnBatch.of([])));
    assert.equal(file.rows.length, 0);
    assert.deepEqual(file.types, EXPECTED_TYPES);
  });

  it('writeMany gives, per file and in order, what write() gives', async () => {
    const files = [manyRows(5_000), [], edgeRows(), manyRows(3).map((t) => ({ ...t, index: 'B' })), ...Array.from({ length: 40 }, (_, i) => manyRows(300 + i))];
    const bodies = await writer.writeMany((files).map(ColumnBatch.of));
    assert.equal(bodies.length, files.length);
    for (const [i, rows] of files.entries()) {
      assert.deepEqual(bodies[i], await writer.write(ColumnBatch.of(rows)), `file ${i}`);
      if (i < 5 || i === files.length - 1) assert.deepEqual((await readParquet(bodies[i]!)).rows.map(rowToTick), rows);
    }
  });

  it('refuses to write once closed', async () => {
    const w = new ParquetRecordWriter();
    await w.close();
    await assert.rejects(w.write(ColumnBatch.of([tick()])), /closed/);
  });

  it('in the Hive layout, DuckDB reads index and year from the path, decoding ^GSPC', async () => {
    const partitioner = new HivePartitioner();
    const got = await readHiveLayout((rows) => writer.write(ColumnBatch.of(rows)), edgeRows(), (t) => partitioner.partitionPath(t));
    assert.deepEqual(got, [['000001.SS', 2021, 2021], ['HSI', 1999, 1999], ['^GSPC', 1965, 1965]]);
  });
});

describe('encodeParquetFile', () => {
  const read = (cols: ParquetColumn[], sql = 'SELECT * FROM $file') => queryFile(encodeParquetFile(cols, { codec: 'UNCOMPRESSED', createdBy: 't' }), sql);

  it('dictionary-encodes hundreds of distinct strings (indices wider than a byte), in any order', async () => {
    const dictionary = Array.from({ length: 700 }, (_, i) => `s${i}-é`);
    const ids = Int32Array.from({ length: 2_000 }, (_, i) => (i * 7) % 700);
    const rows = await read([{ name: 's', kind: 'string', ids, dictionary }]);
    assert.deepEqual(rows.map((r) => r.s), [...ids].map((i) => dictionary[i]));
  });

  it('keeps negative and extreme 64-bit integers and signed zeros', async () => {
    const values = Float64Array.of(-1, -(2 ** 53) + 1, 2 ** 53 - 1, 0, -4294967296, 4294967297);
    const rows = await read([{ name: 'v', kind: 'int64', values }]);
    assert.deepEqual(rows.map((r) => Number(r.v)), [...values]);
    const zeros = await read([{ name: 'd', kind: 'double', values: Float64Array.of(-0, 0, 1) }], `SELECT stats_min_value AS stats_min, stats_max_value AS stats_max FROM parquet_metadata($file)`);
    assert.deepEqual([Number(zeros[0]!.stats_min), Number(zeros[0]!.stats_max)], [-0, 1]);
  });

  it('writes no statistics for a column holding NaN, rather than wrong ones', async () => {
    const rows = await read([{ name: 'd', kind: 'double', values: Float64Array.of(1, Number.NaN, 3) }], `SELECT stats_min_value AS stats_min, stats_max_value AS stats_max FROM parquet_metadata($file)`);
    assert.deepEqual(rows, [{ stats_min: null, stats_max: null }]);
    const values = await read([{ name: 'd', kind: 'double', values: Float64Array.of(1, Number.NaN, 3) }]);
    assert.ok(Number.isNaN(values[1]!.d));
  });

  it('writes the bytes it wrote when they were pinned (a refactoring must not change them; an intended change updates the hash and says why)', () => {
    // Every column kind, nulls in runs, an all-null string column, a dictionary wider than a byte, signed zeros, NaN, and zero rows.
    const n = 600;
    const files = [
      encodeParquetFile([
        { name: 's', kind: 'string', ids: Int32Array.from({ length: n }, (_, i) => (i % 7 < 2 ? -1 : (i * 31) % 300)), dictionary: Array.from({ length: 300 }, (_, i) => `v${i}-é`) },
        { name: 'none', kind: 'string', ids: new Int32Array(n).fill(-1), dictionary: [] },
        { name: 'i', kind: 'int32', values: Int32Array.from({ length: n }, (_, i) => (i - 300) * 7_000_001) },
        { name: 'd', kind: 'date', values: Int32Array.from({ length: n }, (_, i) => i * 97 - 25_567) },
        { name: 'l', kind: 'int64', values: Float64Array.from({ length: n }, (_, i) => (i - 300) * 30_000_000_000_001) },
        { name: 't', kind: 'timestamp-millis', values: Float64Array.from({ length: n }, (_, i) => 1_714_566_896_789 - i * 86_400_001) },
        { name: 'x', kind: 'double', values: Float64Array.from({ length: n }, (_, i) => (i === 0 ? -0 : Math.sin(i) * 1e6)) },
        { name: 'nan', kind: 'double', values: Float64Array.from({ length: n }, (_, i) => (i === 5 ? Number.NaN : i)) },
      ], { codec: 'UNCOMPRESSED', createdBy: 'stockstream s3-sink' }),
      encodeParquetFile([{ name: 's', kind: 'string', ids: new Int32Array(0), dictionary: [] }, { name: 'x', kind: 'double', values: new Float64Array(0) }], { codec: 'UNCOMPRESSED', createdBy: 't' }),
    ];
    const hash = createHash('sha256');
    for (const f of files) hash.update(f);
    assert.equal(hash.digest('hex'), PINNED_SHA256);
  });

  it('refuses columns of different lengths and a codec without its compressor', () => {
    assert.throws(
      () => encodeParquetFile([{ name: 'a', kind: 'int32', values: new Int32Array(2) }, { name: 'b', kind: 'int32', values: new Int32Array(3) }], { codec: 'UNCOMPRESSED', createdBy: 't' }),
      /column b has 3 rows, a has 2/,
    );
    assert.throws(() => encodeParquetFile([], { codec: 'SNAPPY', createdBy: 't' }), /needs a compressor/);
  });
});
