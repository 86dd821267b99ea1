import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { distribution, percentile, percentileCurve } from '../../src/report/percentiles.js';

describe('percentile (nearest rank)', () => {
  const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1); // 1..100

  it('is a value that occurred: the smallest with at least p% at or below it', () => {
    assert.equal(percentile(sorted, 50), 50);
    assert.equal(percentile(sorted, 99), 99);
    assert.equal(percentile(sorted, 100), 100);
    assert.equal(percentile(sorted, 0.5), 1);
    assert.equal(percentile([1, 2, 3], 50), 2);
    assert.equal(percentile([1, 2, 3, 4], 50), 2);
    assert.equal(percentile([7], 99), 7);
  });

  it('refuses no values and p outside (0, 100]', () => {
    assert.throws(() => percentile([], 50), /no values/);
    assert.throws(() => percentile([1], 0), /must be in/);
    assert.throws(() => percentile([1], 101), /must be in/);
  });
});

describe('distribution', () => {
  it('summarizes values in any order without changing them', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    const d = distribution(values);
    assert.deepEqual(d, { count: 10, min: 1, p50: 5, p90: 9, p99: 10, max: 10, mean: 5.5 });
    assert.deepEqual(values, [5, 1, 4, 2, 3, 10, 9, 8, 7, 6]);
  });

  it('one slow record in a hundred is the p99, not the p50', () => {
    const values = [...Array.from({ length: 99 }, () => 1.5), 30];
    const d = distribution(values);
    assert.equal(d.p50, 1.5);
    assert.equal(d.p99, 1.5);
    assert.equal(d.max, 30);
    const e = distribution([...values, 30]); // 2 in 101: now above the 99th rank
    assert.equal(e.p99, 30);
  });
});

describe('percentileCurve', () => {
  it('holds the 1st to the 100th percentile, ascending', () => {
    const curve = percentileCurve(Array.from({ length: 1000 }, (_, i) => 1000 - i));
    assert.equal(curve.length, 100);
    assert.equal(curve[0], 10);
    assert.equal(curve[49], 500);
    assert.equal(curve[99], 1000);
    for (let i = 1; i < curve.length; i++) assert.ok(curve[i]! >= curve[i - 1]!);
  });
});
