import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ColumnBatch } from '../../src/format/column-batch.js';
import { ParquetRecordWriter } from '../../src/format/parquet-record-writer.js';
import { EXAMPLE_NAMES, EXAMPLE_QUERIES } from '../../src/lake/example-queries.js';
import { LakeSql } from '../../src/lake/lake-sql.js';
import { epochDay, tick } from './support/ticks.js';

/** A lake of HSI bars: one before the ECB series (a v1 record, no fxSource), two after it at ECB rates. */
async function lake(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'examples-'));
  const rows = [
    tick({ date: epochDay('1998-06-01'), close: 8000, fxRate: 0.13, closeUsd: 8000 * 0.13, fxSource: null }),
    tick({ date: epochDay('2001-03-19'), close: 12000, fxRate: 0.128, closeUsd: 12000 * 0.128, fxSource: 'ecb' }),
    tick({ date: epochDay('2023-09-29'), close: 18000, fxRate: 0.1277, closeUsd: 18000 * 0.1277, fxSource: 'ecb' }),
  ];
  const writer = new ParquetRecordWriter('snappy');
  for (const [year, part] of [['1998', [rows[0]!]], ['2001', [rows[1]!]], ['2023', [rows[2]!]]] as const) {
    await mkdir(join(dir, 'ticks', 'index=HSI', `year=${year}`), { recursive: true });
    await writeFile(join(dir, 'ticks', 'index=HSI', `year=${year}`, 'f.parquet'), await writer.write(ColumnBatch.of(part)));
  }
  return join(dir, 'ticks');
}

describe('example queries', () => {
  it('every example runs on a lake holding records of both enriched schema versions', async () => {
    const sql = await LakeSql.open(await lake());
    try {
      for (const name of EXAMPLE_NAMES) assert.ok((await sql.query(EXAMPLE_QUERIES[name].sql)).rows.length > 0, name);
    } finally {
      sql.close();
    }
  });

  it('local_vs_usd_return: the local return, the USD return and the part the currency made, from the first day of the ECB series on', async () => {
    const sql = await LakeSql.open(await lake());
    try {
      const r = await sql.query(EXAMPLE_QUERIES.local_vs_usd_return.sql);
      assert.deepEqual(r.columns, ['index', 'currency', 'first_date', 'last_date', 'local_return_pct', 'usd_return_pct', 'fx_effect_pct', 'fx_sources']);
      const [index, currency, , , local, usd, fx, sources] = r.rows[0]!;
      const round1 = (x: number) => Math.round(x * 10) / 10;
      assert.deepEqual([index, currency, local, usd, fx, sources], [
        'HSI', 'HKD', 50, round1(100 * ((18000 * 0.1277) / (12000 * 0.128) - 1)), round1(100 * (0.1277 / 0.128 - 1)), 'ecb -> ecb',
      ]);
      const sources2 = await sql.query(EXAMPLE_QUERIES.fx_rate_sources.sql);
      assert.deepEqual(sources2.rows.map((row) => [row[1], Number(row[2])]), [['unrecorded', 1], ['ecb', 2]]);
    } finally {
      sql.close();
    }
  });
});
