import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { LAKE_COLUMNS } from '../../src/format/lake-columns.js';
import { DuckDbParquetWriter } from '../../src/format/duckdb-parquet-writer.js';
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

describe('DuckDbParquetWriter', () => {
  let writer: DuckDbParquetWriter;
  before(async () => {
    writer = await DuckDbParquetWriter.create();
  });
  after(() => writer.close());

  it('writes typed, snake_case columns in the lake order, without the derived year', async () => {
    const file = await readParquet(await writer.write(ColumnBatch.of([tick()])));
    assert.deepEqual(file.types, EXPECTED_TYPES);
    assert.deepEqual(file.columns, LAKE_COLUMNS.map((c) => c.name));
    assert.ok(!file.columns.includes('year'));
  });

  it('stores timestamps as UTC milliseconds (TIMESTAMP_MILLIS, not adjusted to a zone)', async () => {
    const file = await readParquet(await writer.write(ColumnBatch.of([tick()])));
    assert.match(file.timestampLogicalType, /isAdjustedToUTC=0.*MILLIS=MilliSeconds\(\)/);
  });

  it('reads back exactly the values it was given, in order, at the edges of every type', async () => {
    const rows = edgeRows();
    const file = await readParquet(await writer.write(ColumnBatch.of(rows)));
    assert.deepEqual(file.rows.map(rowToTick), rows);
  });

  it('reads back the calendar dates and instants a user sees', async () => {
    const file = await readParquet(await writer.write(ColumnBatch.of([edgeRows()[1]!])));
    const r = file.rows[0]!;
    assert.equal(String(r.date), '1965-01-04');
    assert.equal(String(r.fx_effective_date), '1900-01-01');
    assert.equal(String(r.ingested_at), '1969-12-31 23:59:59.999');
    assert.equal(String(r.enriched_at), '1970-01-01 00:00:00');
  });

  it('compresses with zstd by default, and with snappy or not at all when asked', async () => {
    assert.deepEqual((await readParquet(await writer.write(ColumnBatch.of(manyRows(100))))).codecs, ['ZSTD']);
    for (const [compression, codec] of [['snappy', 'SNAPPY'], ['uncompressed', 'UNCOMPRESSED']] as const) {
      const w = await DuckDbParquetWriter.create({ compression });
      try {
        const file = await readParquet(await w.write(ColumnBatch.of(manyRows(100))));
        assert.deepEqual(file.codecs, [codec]);
        assert.equal(file.rows.length, 100);
      } finally {
        await w.close();
      }
    }
  });

  it('spans several DuckDB chunks and files without mixing rows between files', async () => {
    const a = manyRows(5_000);
    const b = manyRows(3).map((t) => ({ ...t, index: 'B' }));
    // Concurrent calls share one staging table: they must be serialized.
    const [fa, fb] = await Promise.all([writer.write(ColumnBatch.of(a)), writer.write(ColumnBatch.of(b))]);
    assert.deepEqual((await readParquet(fa)).rows.map(rowToTick), a);
    assert.deepEqual((await readParquet(fb)).rows.map(rowToTick), b);
  });

  it('writes a valid empty file for zero rows', async () => {
    const file = await readParquet(await writer.write(ColumnBatch.of([])));
    assert.equal(file.rows.length, 0);
    assert.deepEqual(file.types, EXPECTED_TYPES);
  });

  it('leaves no temporary files behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sink-stage-'));
    const w = await DuckDbParquetWriter.create({ tmpDir: dir });
    try {
      await w.write(ColumnBatch.of(manyRows(10)));
      const { readdir } = await import('node:fs/promises');
      assert.deepEqual(await readdir(dir), []);
    } finally {
      await w.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('writeMany gives, per file and in order, the rows write() gives, across chunks and with empty files', async () => {
    const files = [manyRows(5_000), [], edgeRows(), manyRows(3).map((t) => ({ ...t, index: 'B' })), [tick({ index: 'ONE' })]];
    const bodies = await writer.writeMany((files).map(ColumnBatch.of));
    assert.equal(bodies.length, files.length);
    for (const [i, rows] of files.entries()) {
      const many = await readParquet(bodies[i]!);
      const single = await readParquet(await writer.write(ColumnBatch.of(rows)));
      assert.deepEqual(many.types, EXPECTED_TYPES);
      assert.deepEqual(many.columns, single.columns);
      assert.deepEqual(many.codecs, single.codecs);
      assert.deepEqual(many.rows.map(rowToTick), rows);
      assert.deepEqual(many.rows, single.rows);
    }
    assert.deepEqual(await writer.writeMany(([]).map(ColumnBatch.of)), []);
    assert.equal((await writer.writeMany(([[tick()]]).map(ColumnBatch.of))).length, 1);
  });

  it('writeMany, with write() running beside it, leaves no temporary files behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sink-stage-'));
    const w = await DuckDbParquetWriter.create({ tmpDir: dir });
    try {
      const [a, b] = await Promise.all([w.writeMany(([[tick({ index: 'A' })], [tick({ index: 'B' })]]).map(ColumnBatch.of)), w.write(ColumnBatch.of([tick({ index: 'C' })]))]);
      assert.deepEqual((await readParquet(a[0]!)).rows.map((r) => r.index), ['A']);
      assert.deepEqual((await readParquet(a[1]!)).rows.map((r) => r.index), ['B']);
      assert.deepEqual((await readParquet(b)).rows.map((r) => r.index), ['C']);
      const { readdir } = await import('node:fs/promises');
      assert.deepEqual(await readdir(dir), []);
    } finally {
      await w.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('writeMany writes hundreds of files in one call, each exactly its rows in order', async () => {
    const all = manyRows(300 * 30);
    const files = Array.from({ length: 300 }, (_, i) => all.slice(i * 30, i * 30 + 30 - (i % 7)));
    const bodies = await writer.writeMany((files).map(ColumnBatch.of));
    assert.equal(bodies.length, 300);
    for (const i of [0, 1, 99, 100, 101, 150, 255, 256, 299]) assert.deepEqual((await readParquet(bodies[i]!)).rows.map(rowToTick), files[i]);
  });

  it('writeMany spreads concurrent calls over its lanes, each call still getting its own files in order', async () => {
    const w = await DuckDbParquetWriter.create({ lanes: 3 });
    try {
      const calls = Array.from({ length: 5 }, (_, c) => Array.from({ length: 4 }, (_, f) => manyRows(50 + c * 10 + f).map((t) => ({ ...t, index: `C${c}F${f}` }))));
      const results = await Promise.all(calls.map((files) => w.writeMany((files).map(ColumnBatch.of))));
      for (const [c, files] of calls.entries()) {
        for (const [f, rows] of files.entries()) assert.deepEqual((await readParquet(results[c]![f]!)).rows.map(rowToTick), rows);
      }
    } finally {
      await w.close();
    }
    await assert.rejects(w.writeMany(([[tick()], [tick()]]).map(ColumnBatch.of)), /closed/);
  });

  it('refuses to write once closed', async () => {
    const w = await DuckDbParquetWriter.create();
    await w.close();
    await assert.rejects(w.write(ColumnBatch.of([tick()])), /closed/);
  });

  it('in the Hive layout, DuckDB reads index and year from the path, decoding ^GSPC', async () => {
    const partitioner = new HivePartitioner();
    const got = await readHiveLayout((rows) => writer.write(ColumnBatch.of(rows)), edgeRows(), (t) => partitioner.partitionPath(t));
    assert.deepEqual(got, [['000001.SS', 2021, 2021], ['HSI', 1999, 1999], ['^GSPC', 1965, 1965]]);
  });
});
