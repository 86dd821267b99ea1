import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DateRunScanner, TooManyRunsError } from '../../src/source/date-runs.js';

/** Feeds rows (date or null) of 10 bytes each, one per line, after a header of 20 bytes on line 1. */
function scan(dates: Array<number | null>, maxRuns = 256) {
  const scanner = new DateRunScanner('x.csv', maxRuns, 20, 1);
  dates.forEach((date, i) => scanner.observe(date, i + 2, 20 + 10 * (i + 1)));
  return scanner.runs;
}

test('one run for a date-sorted file, equal dates included', () => {
  assert.deepEqual(scan([1, 2, 2, 3]), [{ startByte: 20, startLine: 2 }]);
});

test('a new run where the date goes down', () => {
  assert.deepEqual(scan([1, 2, 3, 1, 2, 0]), [
    { startByte: 20, startLine: 2 },
    { startByte: 50, startLine: 5 },
    { startByte: 70, startLine: 7 },
  ]);
});

test('rows without a date neither split runs nor are left out', () => {
  // The first run starts after the header even if the first rows are undated.
  assert.deepEqual(scan([null, 5, null, 4]), [
    { startByte: 20, startLine: 2 },
    { startByte: 50, startLine: 5 },
  ]);
});

test('too many runs', () => {
  assert.equal(scan([3, 2, 1], 3).length, 3);
  assert.throws(
    () => scan([3, 2, 1, 0], 3),
    (error: unknown) =>
      error instanceof TooManyRunsError &&
      /x\.csv is not grouped in date-sorted runs: more than 3 runs/.test(error.message) &&
      /line 5/.test(error.message) &&
      /file order/.test(error.message),
  );
});
