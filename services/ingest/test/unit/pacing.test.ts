import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pace, startPacing, type PacingState } from '../../src/replay/pacing.js';

/** Waits for a sequence of (date, elapsedMs), threading the state through. */
function waits(state: PacingState, steps: Array<[date: number, elapsedMs: number]>): number[] {
  const out: number[] = [];
  for (const [date, elapsed] of steps) {
    const decision = pace(state, date, elapsed);
    out.push(decision.waitMs);
    state = decision.state;
  }
  return out;
}

test('max never waits', () => {
  assert.deepEqual(waits(startPacing({ kind: 'max' }), [[1, 0], [2, 0], [3, 0]]), [0, 0, 0]);
});

test('rate: the n-th record is due at n / perSecond s, the first at once', () => {
  const state = startPacing({ kind: 'rate', perSecond: 10 });
  assert.deepEqual(waits(state, [[1, 0], [1, 0], [1, 50], [2, 200], [2, 450]]), [0, 100, 150, 100, 0]);
  // Behind schedule: no wait, and no slowing down afterwards either.
  assert.deepEqual(waits(state, [[1, 0], [1, 5000], [1, 5000]]), [0, 0, 0]);
  assert.equal(pace(startPacing({ kind: 'rate', perSecond: 3 }), 1, 0).state.emitted, 1);
});

test('speedup: the k-th trading date is due at k / tradingDaysPerSecond s', () => {
  const state = startPacing({ kind: 'speedup', tradingDaysPerSecond: 2 });
  const steps: Array<[number, number]> = [
    [100, 0], // day 0, due 0
    [100, 10], // same day: no wait
    [101, 10], // day 1, due 500
    [101, 600], // same day
    [103, 600], // day 2, due 1000
    [104, 2500], // day 3, due 1500: behind
  ];
  assert.deepEqual(waits(state, steps), [0, 0, 490, 0, 400, 0]);
});

test('speedup counts a date change as a new trading day, also backwards', () => {
  const state = startPacing({ kind: 'speedup', tradingDaysPerSecond: 1 });
  assert.deepEqual(waits(state, [[5, 0], [3, 0], [5, 0]]), [0, 1000, 2000]);
});

test('pace is pure', () => {
  const state = startPacing({ kind: 'rate', perSecond: 1 });
  const first = pace(state, 1, 0);
  assert.deepEqual(state, { mode: { kind: 'rate', perSecond: 1 }, emitted: 0, tradingDays: 0, lastDate: null });
  assert.deepEqual(pace(state, 1, 0), first);
  assert.deepEqual(first.state, { mode: { kind: 'rate', perSecond: 1 }, emitted: 1, tradingDays: 1, lastDate: 1 });
});

test('rates must be positive and finite', () => {
  for (const perSecond of [0, -1, NaN, Infinity]) {
    assert.throws(() => startPacing({ kind: 'rate', perSecond }), RangeError);
    assert.throws(() => startPacing({ kind: 'speedup', tradingDaysPerSecond: perSecond }), RangeError);
  }
});
