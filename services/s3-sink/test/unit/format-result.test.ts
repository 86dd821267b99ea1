import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatResult } from '../../src/lake/format-result.js';
import { EXAMPLE_NAMES } from '../../src/lake/example-queries.js';

const r = { columns: ['index', 'n', 'avg'], rows: [['HSI', 12n, 1.5], ['000001.SS', 3n, null], ['a,"b"', 1n, 2]] };

describe('formatResult', () => {
  it('aligns a table, numbers to the right, with a row count', () => {
    assert.equal(
      formatResult(r, 'table'),
      ['index       n  avg', '---------  --  ---', 'HSI        12  1.5', '000001.SS   3', 'a,"b"       1    2', '(3 rows)'].join('\n'),
    );
  });
  it('writes CSV with quoting', () => {
    assert.equal(formatResult(r, 'csv'), 'index,n,avg\nHSI,12,1.5\n000001.SS,3,\n"a,""b""",1,2');
  });
  it('writes JSON lines with plain numbers', () => {
    assert.equal(formatResult(r, 'json').split('\n')[0], '{"index":"HSI","n":12,"avg":1.5}');
  });
  it('names the four example questions', () => {
    assert.deepEqual(EXAMPLE_NAMES, ['latest_close_usd', 'yearly_avg_close_usd', 'biggest_daily_moves', 'volume_by_exchange', 'local_vs_usd_return', 'fx_rate_sources']);
  });
});
