import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawTick } from '@stockstream/common';
import { formatDate, parseDate } from '@stockstream/common/dates';
import { DEFAULT_START_DATE, generateTicks, type GenerateTicksOptions } from '../../src/source/generator.js';
import { DEFAULT_INDICES, INDEX_PROFILES } from '../../src/source/index-profiles.js';
import { isTradingDay, nextTradingDay } from '../../src/source/trading-calendar.js';

const fixedNow = () => 42;

function take(options: GenerateTicksOptions): RawTick[] {
  return [...generateTicks({ now: fixedNow, ...options })];
}

test('the 14 indices of the public set, in indexInfo.csv order', () => {
  assert.deepEqual(DEFAULT_INDICES, [
    'NYA', 'IXIC', 'HSI', '000001.SS', 'N225', 'N100', '399001.SZ', 'GSPTSE', 'NSEI', 'GDAXI', 'KS11', 'SSMI', 'TWII', 'J203.JO',
  ]);
});

test('same seed, same ticks; another seed, other ticks', () => {
  const a = take({ seed: 7, count: 5000 });
  const b = take({ seed: 7, count: 5000 });
  assert.deepEqual(a, b);
  const c = take({ seed: 8, count: 5000 });
  assert.equal(c.length, 5000);
  assert.notDeepEqual(a.map((t) => t.close), c.map((t) => t.close));
  // Same calendar and symbols though.
  assert.deepEqual(a.map((t) => [t.date, t.index]), c.map((t) => [t.date, t.index]));
});

test('count is exact and a shorter run is a prefix of a longer one', () => {
  assert.equal(take({ seed: 1, count: 0 }).length, 0);
  assert.equal(take({ seed: 1, count: 1 }).length, 1);
  assert.equal(take({ seed: 1, count: 20 }).length, 20);
  assert.deepEqual(take({ seed: 1, count: 100 }), take({ seed: 1, count: 1000 }).slice(0, 100));
});

test('unbounded without count', () => {
  const iterator = generateTicks({ seed: 3, now: fixedNow });
  let last: RawTick | undefined;
  for (let i = 0; i < 50_000; i++) {
    const next = iterator.next();
    assert.equal(next.done, false);
    last = next.value as RawTick;
  }
  assert.equal(last?.source.line, 50_000);
  iterator.return();
});

test('consistent OHLCV over 100k ticks', () => {
  let n = 0;
  for (const t of generateTicks({ seed: 2024, count: 100_000, now: fixedNow })) {
    n++;
    const { open, high, low, close, adjClose, volume } = t;
    assert.ok(open !== null && high !== null && low !== null && close !== null && volume !== null);
    assert.ok(low > 0, `low ${low} at ${n}`);
    assert.ok(low <= Math.min(open, close), `low ${low} > min(${open}, ${close}) at ${n}`);
    assert.ok(Math.max(open, close) <= high, `high ${high} < max(${open}, ${close}) at ${n}`);
    assert.equal(adjClose, close);
    assert.ok(Number.isSafeInteger(volume) && volume >= 0, `volume ${volume}`);
    assert.equal(t.sourceCloseUsd, null);
    assert.deepEqual(t.source, { kind: 'GENERATOR', name: 'gen-seed-2024', line: n });
    assert.equal(t.ingestedAt, 42);
  }
  assert.equal(n, 100_000);
});

test('weekday calendar from 2000-01-03, one bar per index per day in a fixed order', () => {
  const ticks = take({ seed: 5, count: 14 * 300 });
  assert.equal(DEFAULT_START_DATE, parseDate('2000-01-03'));
  assert.equal(formatDate(ticks[0]!.date), '2000-01-03');
  for (let day = 0; day < 300; day++) {
    const bars = ticks.slice(day * 14, day * 14 + 14);
    assert.deepEqual(bars.map((t) => t.index), DEFAULT_INDICES);
    assert.ok(bars.every((t) => t.date === bars[0]!.date));
    assert.ok(isTradingDay(bars[0]!.date));
    if (day > 0) assert.equal(bars[0]!.date, nextTradingDay(ticks[(day - 1) * 14]!.date));
  }
  // 2000-01-07 is a Friday, 2000-01-10 the next Monday.
  assert.equal(formatDate(ticks[14 * 4]!.date), '2000-01-07');
  assert.equal(formatDate(ticks[14 * 5]!.date), '2000-01-10');
});

test('start date and indices are configurable; a weekend start moves to Monday', () => {
  const ticks = take({ seed: 9, count: 6, startDate: parseDate('2021-05-29')!, indices: ['HSI', 'NYA', 'XYZ'] });
  assert.deepEqual(
    ticks.map((t) => `${formatDate(t.date)} ${t.index}`),
    ['2021-05-31 HSI', '2021-05-31 NYA', '2021-05-31 XYZ', '2021-06-01 HSI', '2021-06-01 NYA', '2021-06-01 XYZ'],
  );
});

test('plausible levels, daily moves of about 1% and volumes', () => {
  const days = 2000;
  const ticks = take({ seed: 11, count: 14 * days });
  INDEX_PROFILES.forEach((profile, i) => {
    const closes = ticks.filter((_, k) => k % 14 === i).map((t) => t.close as number);
    const returns = closes.slice(1).map((c, k) => Math.log(c / closes[k]!));
    const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
    const sd = Math.sqrt(returns.reduce((a, r) => a + (r - mean) ** 2, 0) / returns.length);
    assert.ok(Math.abs(sd - profile.dailyVolatility) < 0.2 * profile.dailyVolatility, `${profile.symbol} sd ${sd}`);
    assert.ok(Math.max(...closes) < profile.startLevel * 20 && Math.min(...closes) > profile.startLevel / 20, profile.symbol);
    const volumes = ticks.filter((_, k) => k % 14 === i).map((t) => t.volume as number);
    const meanVolume = volumes.reduce((a, b) => a + b, 0) / volumes.length;
    assert.ok(Math.abs(meanVolume / profile.meanVolume - 1) < 0.05, `${profile.symbol} mean volume ${meanVolume}`);
  });
});

test('invalid options', () => {
  assert.throws(() => take({ seed: -1 }), /seed must be an integer/);
  assert.throws(() => take({ seed: 1.5 }), /seed must be an integer/);
  assert.throws(() => take({ seed: 2 ** 32 }), /seed must be an integer/);
  assert.throws(() => take({ seed: 1, count: -1 }), /count must be/);
  assert.throws(() => take({ seed: 1, indices: [] }), /indices must not be empty/);
});
