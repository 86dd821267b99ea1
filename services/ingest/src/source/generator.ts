// Synthetic daily bars for running the pipeline without data files: the same
// seed always yields the same ticks (except ingestedAt, taken from `now`).

import type { RawTick } from '@stockstream/common';
import { parseDate } from '@stockstream/common/dates';
import { DEFAULT_INDICES, profileFor } from './index-profiles.js';
import { mulberry32, normalSource } from './prng.js';
import { nextTradingDay, tradingDayOnOrAfter } from './trading-calendar.js';

export interface GenerateTicksOptions {
  /** Integer in [0, 2^32). */
  seed: number;
  /** Number of ticks to produce; unbounded when undefined. */
  count?: number;
  /** Epoch days of the first trading day (moved to Monday if on a weekend). Default 2000-01-03. */
  startDate?: number;
  /** Symbols, in the order they are emitted each day. Default: the 14 indices of the public set. */
  indices?: readonly string[];
  /** Clock for ingestedAt. Default Date.now. */
  now?: () => number;
}

export const DEFAULT_START_DATE = parseDate('2000-01-03') as number;

/** Pull of the log level back towards its start, per day: keeps levels bounded forever. */
const MEAN_REVERSION = 0.001;
/** Hard bound on the log-distance from the start level (a factor of ~400), so prices stay > 0. */
const MAX_LOG_DRIFT = 6;
/** Overnight gap (open vs previous close) and intraday range, as fractions of daily volatility. */
const GAP_SCALE = 0.25;
const RANGE_SCALE = 0.5;
/** Spread of log volume around its mean. */
const VOLUME_SIGMA = 0.25;

export function generatorRunId(seed: number): string {
  return `gen-seed-${seed}`;
}

function cents(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * Daily OHLCV bars: for each weekday from startDate, one bar per index in
 * `indices` order. Closes follow a mean-reverting geometric random walk; every
 * bar has low <= min(open, close) <= max(open, close) <= high, all > 0 and
 * rounded to cents (rounding is monotonic, so the ordering survives it),
 * adjClose = close and a whole, non-negative volume.
 */
export function* generateTicks(options: GenerateTicksOptions): Generator<RawTick, void, undefined> {
  const { seed, count, now = Date.now } = options;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer in [0, 2^32), got ${seed}`);
  }
  if (count !== undefined && (!Number.isInteger(count) || count < 0)) {
    throw new RangeError(`count must be a non-negative integer, got ${count}`);
  }
  const profiles = (options.indices ?? DEFAULT_INDICES).map(profileFor);
  if (profiles.length === 0) throw new RangeError('indices must not be empty');

  const normal = normalSource(mulberry32(seed));
  const anchors = profiles.map((p) => Math.log(p.startLevel));
  const logCloses = anchors.slice();
  const name = generatorRunId(seed);
  const limit = count ?? Infinity;

  let line = 0;
  for (let date = tradingDayOnOrAfter(options.startDate ?? DEFAULT_START_DATE); ; date = nextTradingDay(date)) {
    for (let i = 0; i < profiles.length; i++) {
      if (line >= limit) return;
      const profile = profiles[i]!;
      const sigma = profile.dailyVolatility;
      const anchor = anchors[i]!;
      const previous = logCloses[i]!;

      const drift = MEAN_REVERSION * (anchor - previous) - 0.5 * sigma * sigma;
      let logClose = previous + drift + sigma * normal();
      logClose = Math.min(anchor + MAX_LOG_DRIFT, Math.max(anchor - MAX_LOG_DRIFT, logClose));
      logCloses[i] = logClose;

      const open = Math.exp(previous + GAP_SCALE * sigma * normal());
      const close = Math.exp(logClose);
      const high = Math.max(open, close) * Math.exp(RANGE_SCALE * sigma * Math.abs(normal()));
      const low = Math.min(open, close) * Math.exp(-RANGE_SCALE * sigma * Math.abs(normal()));
      // Lognormal with mean meanVolume.
      const volume = Math.round(profile.meanVolume * Math.exp(VOLUME_SIGMA * normal() - 0.5 * VOLUME_SIGMA * VOLUME_SIGMA));

      line++;
      const roundedClose = cents(close);
      yield {
        index: profile.symbol,
        date,
        open: cents(open),
        high: cents(high),
        low: cents(low),
        close: roundedClose,
        adjClose: roundedClose,
        volume,
        sourceCloseUsd: null,
        source: { kind: 'GENERATOR', name, line },
        ingestedAt: now(),
      };
    }
  }
}
