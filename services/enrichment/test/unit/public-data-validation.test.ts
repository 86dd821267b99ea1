// Replays every row of the public indexData.csv through validation and
// enrichment and pins the exact outcome, so a rule change that would reject
// (or start accepting) real rows shows up as a count change.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RawTick } from '@stockstream/common';
import { enrichTick } from '../../src/enrich/enrich-tick.js';
import { shippedRates } from './support/fx.js';
import { loadIndexReference } from '../../src/reference/index-reference.js';
import { latestCalendarDay } from '../../src/validation/epoch-day.js';
import { validateTick } from '../../src/validation/rules.js';
import { csvRows, datasetFile } from './support/datasets.js';
import { cell, day } from './support/ticks.js';

const INDEX_DATA = datasetFile('indexData.csv');

function* ticksOf(path: string): Generator<RawTick> {
  const { header, rows } = csvRows(path);
  assert.deepEqual(header, ['Index', 'Date', 'Open', 'High', 'Low', 'Close', 'Adj Close', 'Volume']);
  let line = 1;
  for (const [index = '', date = '', open, high, low, close, adjClose, volume] of rows) {
    line++;
    yield {
      index, date: day(date), open: cell(open), high: cell(high), low: cell(low), close: cell(close), adjClose: cell(adjClose),
      volume: cell(volume), sourceCloseUsd: null, source: { kind: 'FILE', name: 'indexData.csv', line }, ingestedAt: 0,
    };
  }
}

describe('indexData.csv (public set)', () => {
  const reference = loadIndexReference();
  const now = Date.now();
  const ctx = { knownIndex: (s: string) => reference.has(s), today: latestCalendarDay(now) };
  const skip = INDEX_DATA.skip;

  it('validation: 51,249 rows -> 50,568 valid, 681 missing_price (the holiday rows), nothing else', { skip }, () => {
    const byReason: Record<string, number> = {};
    const holidaysByIndex: Record<string, number> = {};
    let valid = 0;
    let outsideRangeExactly = 0;
    for (const tick of ticksOf(INDEX_DATA.path)) {
      const { open, high, low, close } = tick;
      if (open !== null && high !== null && low !== null && close !== null) {
        if (low > high || open < low || open > high || close < low || close > high) outsideRangeExactly++;
      }
      const rejection = validateTick(tick, ctx);
      if (!rejection) {
        valid++;
        continue;
      }
      byReason[rejection.reason] = (byReason[rejection.reason] ?? 0) + 1;
      if (rejection.reason === 'missing_price') {
        // The holiday rows are null in every column, volume included.
        assert.deepEqual([tick.open, tick.high, tick.low, tick.close, tick.adjClose, tick.volume], [null, null, null, null, null, null]);
        holidaysByIndex[tick.index] = (holidaysByIndex[tick.index] ?? 0) + 1;
      }
    }
    assert.equal(valid, 50_568);
    // No 0 or negative price, no Low > High, no Open or Close outside [Low, High], not even without tolerance.
    assert.deepEqual(byReason, { missing_price: 681 });
    assert.equal(outsideRangeExactly, 0);
    assert.deepEqual(holidaysByIndex, { HSI: 258, GSPTSE: 250, '000001.SS': 172, NYA: 1 });
  });

  it('enrichment with the shipped reference and rates (ECB history, then fallback) accepts every valid row and names each rate\'s source', { skip }, () => {
    const fx = shippedRates();
    const outcomes: Record<string, number> = {};
    const sources: Record<string, number> = {};
    const ecbStart = day('1999-01-04');
    let offset = 0;
    for (const tick of ticksOf(INDEX_DATA.path)) {
      const r = enrichTick(tick, { topic: 'ticks.raw', partition: 0, offset: offset++ }, { reference, fx, today: ctx.today, now });
      const key = r.ok ? `ok ${r.tick.currency}` : r.reason;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
      if (!r.ok) continue;
      const source = r.tick.fxSource!;
      sources[`${r.tick.currency} ${source}`] = (sources[`${r.tick.currency} ${source}`] ?? 0) + 1;
      // The ECB quotes HKD and CAD from its first day, 1999-01-04: every later bar at the ECB's rate, every earlier one at the fallback.
      if (r.tick.currency === 'HKD' || r.tick.currency === 'CAD') assert.equal(source, r.tick.date >= ecbStart ? 'ecb' : 'fallback', `${r.tick.index} ${r.tick.date}`);
      if (r.tick.currency === 'USD') assert.deepEqual([source, r.tick.fxRate, r.tick.closeUsd], ['identity', 1, r.tick.close]);
      if (source === 'ecb') assert.ok(r.tick.fxEffectiveDate <= r.tick.date && r.tick.date - r.tick.fxEffectiveDate <= 5, 'an ECB rate of the bar\'s day or of the last business day before it');
    }
    // CNY: the ECB quotes it from 2005 only.
    assert.ok(sources['CNY fallback']! > 0 && sources['CNY ecb']! > 0 && sources['CNY ecb']! + sources['CNY fallback']! === outcomes['ok CNY']);
    assert.deepEqual(outcomes, { 'ok USD': 26_637, 'ok HKD': 8_492, 'ok CNY': 5_791, 'ok CAD': 9_648, missing_price: 681 });
  });
});
