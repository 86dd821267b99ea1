import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { landedByPath, latencies } from '../../src/runs/landing-latency.js';
import { feeds } from '../../src/runs/bench-runs.js';

describe('latency of each record', () => {
  const landings = [
    { key: 'lake/ticks/index=HSI/year=1999/t+0+0+9.parquet', records: 2, landedAt: 10_000 },
    { key: 'lake/ticks/index=NYA/year=2000/t+1+0+3.parquet', records: 1, landedAt: 12_500 },
  ];

  it('is its object\'s landing minus its ingestedAt, matched by the path under the table', () => {
    const landed = landedByPath(landings, 'lake');
    assert.deepEqual([...landed.keys()], ['index=HSI/year=1999/t+0+0+9.parquet', 'index=NYA/year=2000/t+1+0+3.parquet']);
    const rows = [['index=HSI/year=1999/t+0+0+9.parquet', 9_000], ['index=HSI/year=1999/t+0+0+9.parquet', 9_750], ['index=NYA/year=2000/t+1+0+3.parquet', 2_500]] as const;
    assert.deepEqual([...latencies(rows, landed)], [1, 0.25, 10]);
  });

  it('refuses a row whose object the sink never said it landed', () => {
    assert.throws(() => latencies([['index=X/year=1/a.parquet', 1]], landedByPath(landings, 'lake')), /index=X\/year=1\/a.parquet has no 'object landed' line/);
  });
});

describe('feeds', () => {
  it('splits the records into generator runs that stay before today from 1900', () => {
    assert.deepEqual(feeds(1_000_000), [460_000, 460_000, 80_000]);
    assert.deepEqual(feeds(200_000), [200_000]);
    assert.deepEqual(feeds(920_000), [460_000, 460_000]);
  });
});
