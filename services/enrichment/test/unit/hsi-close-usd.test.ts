// The public set's processed HSI file carries CloseUSD = Close x 0.13, one
// constant rate for every day. Our enrichment reproduces it exactly where it
// uses that rate: with the fallback alone (FX_HISTORY_FILE=none) on every row,
// and with the default ECB history on every row before the series starts
// (1999-01-04). From then on each bar takes the ECB's rate of its own day,
// which for the pegged HKD (7.70-7.85 per USD over 1999-2010) stays within
// 0.1-2.1% below 0.13: that band is what the file can still check there.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { enrichTick } from '../../src/enrich/enrich-tick.js';
import type { FxLookup } from '../../src/fx/fx-table.js';
import { loadIndexReference } from '../../src/reference/index-reference.js';
import { EPOCH_DAY_1900_01_01, latestCalendarDay } from '../../src/validation/epoch-day.js';
import { csvRows, datasetFile } from './support/datasets.js';
import { fallbackOnly, shippedRates } from './support/fx.js';
import { cell, day } from './support/ticks.js';

const PROCESSED_HSI = datasetFile('indexProcessed-HSI.csv');
// The shared excerpt's last row (2010-01-11) has its CloseUSD cut off as '2913.'; the full value is
// 22411.51953 x 0.13 = 2913.4975389. That one row is checked as a prefix of our value, every other row exactly.
const CUT_OFF = { line: 5_694, text: '2913.' };
const ECB_START = day('1999-01-04');

function enrichFile(fx: FxLookup, check: (row: { line: number; date: number; close: number; closeUsd: number; fileCloseUsd: string; fxRate: number; fxSource: string | null; fxEffectiveDate: number }) => void): number {
  const now = Date.now();
  const ctx = { reference: loadIndexReference(), fx, today: latestCalendarDay(now), now };
  const { header, rows } = csvRows(PROCESSED_HSI.path);
  assert.deepEqual(header, ['Index', 'Date', 'Open', 'High', 'Low', 'Close', 'Adj Close', 'Volume', 'CloseUSD']);
  rows.forEach(([index = '', date = '', open, high, low, close, adjClose, volume, closeUsd], i) => {
    const line = i + 2;
    const raw = {
      index, date: day(date), open: cell(open), high: cell(high), low: cell(low), close: cell(close), adjClose: cell(adjClose),
      volume: cell(volume), sourceCloseUsd: cell(closeUsd), source: { kind: 'FILE' as const, name: 'indexProcessed-HSI.csv', line }, ingestedAt: 0,
    };
    const r = enrichTick(raw, { topic: 'ticks.raw', partition: 0, offset: i }, ctx);
    assert.ok(r.ok, `line ${line}: ${r.ok ? '' : `${r.reason}: ${r.message}`}`);
    check({ line, date: r.tick.date, close: r.tick.close, closeUsd: r.tick.closeUsd, fileCloseUsd: closeUsd!, fxRate: r.tick.fxRate, fxSource: r.tick.fxSource, fxEffectiveDate: r.tick.fxEffectiveDate });
  });
  return rows.length;
}

function assertFileValue(row: { line: number; closeUsd: number; fileCloseUsd: string }): number {
  if (row.line === CUT_OFF.line && row.fileCloseUsd === CUT_OFF.text) {
    assert.ok(String(row.closeUsd).startsWith(row.fileCloseUsd), `line ${row.line} (cut off): closeUsd ${row.closeUsd} vs CloseUSD text ${row.fileCloseUsd}`);
    return 0;
  }
  const expected = Number(row.fileCloseUsd);
  const relative = Math.abs(row.closeUsd - expected) / Math.abs(expected);
  assert.ok(relative <= 1e-9, `line ${row.line}: closeUsd ${row.closeUsd} vs CloseUSD ${expected}`);
  return relative;
}

describe('indexProcessed-HSI.csv (public set)', () => {
  it('with the fallback alone: closeUsd equals the file\'s CloseUSD within 1e-9 relative on all 5,693 rows', { skip: PROCESSED_HSI.skip }, () => {
    let worst = 0;
    const n = enrichFile(fallbackOnly(), (row) => {
      assert.deepEqual([row.fxRate, row.fxSource, row.fxEffectiveDate], [0.13, 'fallback', EPOCH_DAY_1900_01_01]);
      worst = Math.max(worst, assertFileValue(row));
    });
    assert.equal(n, 5_693);
    assert.ok(worst <= 1e-9);
  });

  it('with the ECB history: exact before 1999-01-04, the day\'s ECB rate after, within the HKD peg band of the file', { skip: PROCESSED_HSI.skip }, () => {
    let before = 0;
    let after = 0;
    const outsidePeg: number[] = [];
    enrichFile(shippedRates(), (row) => {
      if (row.date < ECB_START) {
        assert.equal(row.fxSource, 'fallback');
        assertFileValue(row);
        before++;
        return;
      }
      assert.equal(row.fxSource, 'ecb', `line ${row.line}`);
      assert.ok(row.fxEffectiveDate <= row.date && row.date - row.fxEffectiveDate <= 5, `line ${row.line}: rate of ${row.fxEffectiveDate} for a bar of ${row.date}`);
      assert.ok(Math.abs(row.closeUsd - row.close * row.fxRate) <= 1e-9 * row.closeUsd, `line ${row.line}`);
      if (row.line === CUT_OFF.line) return;
      const ratio = row.closeUsd / Number(row.fileCloseUsd);
      if (!(ratio >= 1 / (7.85 * 0.13) && ratio <= 1 / (7.7 * 0.13))) outsidePeg.push(row.line);
      assert.ok(ratio > 0.97 && ratio < 1.01, `line ${row.line}: ${ratio} against 0.13`);
      after++;
    });
    assert.ok(before > 2_000 && after > 2_000, `${before} rows before 1999-01-04, ${after} after`);
    // Two days where the ECB's HKD quote was not updated while its USD quote moved (1999-08-20: 8.1659 as the day
    // before, USD 1.0517 -> 1.0667) give a cross rate off the peg; every other day lies within it.
    assert.ok(outsidePeg.length <= 2, `rows off the peg band: ${outsidePeg.join(', ')}`);
  });
});
