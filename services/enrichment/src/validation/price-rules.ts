// Rules on the five price levels of a bar. rules.ts runs them in this order, so
// later rules may assume all five are finite, non-negative numbers.
import type { RawTick } from '@stockstream/common';
import { clearlyAbove, priceSlack } from './price-tolerance.js';
import type { Rejection } from './rejection.js';

type Prices = Pick<RawTick, 'open' | 'high' | 'low' | 'close' | 'adjClose'>;
/** Prices after missingPrice and nonFinitePrice passed. */
export type CheckedPrices = { [K in keyof Prices]: number };

const PRICE_FIELDS = ['open', 'high', 'low', 'close', 'adjClose'] as const;

// The good path allocates nothing and calls nothing: every record passes these rules, so each first tests
// the five fields inline and builds its message only when one fails.
const isMissing = (v: unknown) => v == null;
const isNonFinite = (v: unknown) => !Number.isFinite(v);
const isNegative = (v: unknown) => (v as number) < 0;
const isZero = (v: unknown) => v === 0;

function fieldsWhere(tick: Prices, bad: (v: unknown) => boolean): string {
  return PRICE_FIELDS.filter((f) => bad(tick[f]))
    .map((f) => `${f}=${String(tick[f])}`)
    .join(', ');
}

/** The 681 holiday rows of the public set are null in every price; an absent field counts as null too. */
export function missingPrice(tick: Prices): Rejection | null {
  if (tick.open != null && tick.high != null && tick.low != null && tick.close != null && tick.adjClose != null) return null;
  const missing = PRICE_FIELDS.filter((f) => isMissing(tick[f]));
  const list = missing.join(', ');
  return { reason: 'missing_price', message: `${list} ${missing.length === 1 ? 'is' : 'are'} null (no bar for this date, e.g. a market holiday)` };
}

/** Avro doubles can carry NaN and Infinity; neither is a price. */
export function nonFinitePrice(tick: Prices): Rejection | null {
  const { open, high, low, close, adjClose } = tick;
  if (Number.isFinite(open) && Number.isFinite(high) && Number.isFinite(low) && Number.isFinite(close) && Number.isFinite(adjClose)) return null;
  return { reason: 'non_finite_price', message: `price is not a finite number: ${fieldsWhere(tick, isNonFinite)}` };
}

export function negativePrice(tick: Prices): Rejection | null {
  const { open, high, low, close, adjClose } = tick as CheckedPrices;
  if (!(open < 0 || high < 0 || low < 0 || close < 0 || adjClose < 0)) return null;
  return { reason: 'negative_price', message: `price is negative: ${fieldsWhere(tick, isNegative)}` };
}

/**
 * An index level of 0 is impossible (indices are positive weighted sums) and
 * is what some exports write for "no data"; accepting it would publish a
 * closeUsd of 0. The public set has none.
 */
export function zeroPrice(tick: Prices): Rejection | null {
  if (tick.open !== 0 && tick.high !== 0 && tick.low !== 0 && tick.close !== 0 && tick.adjClose !== 0) return null;
  return { reason: 'zero_price', message: `price is 0, not a possible index level: ${fieldsWhere(tick, isZero)}` };
}

export function lowAboveHigh(tick: CheckedPrices): Rejection | null {
  if (!clearlyAbove(tick.low, tick.high, priceSlack(tick.low, tick.high))) return null;
  return { reason: 'low_above_high', message: `low=${tick.low} is above high=${tick.high}` };
}

function outsideRange(tick: CheckedPrices, field: 'open' | 'close'): string | null {
  const v = tick[field];
  const slack = priceSlack(tick.low, tick.high);
  if (clearlyAbove(tick.low, v, slack) || clearlyAbove(v, tick.high, slack)) {
    return `${field}=${v} is outside [low=${tick.low}, high=${tick.high}]`;
  }
  return null;
}

export function openOutsideRange(tick: CheckedPrices): Rejection | null {
  const message = outsideRange(tick, 'open');
  return message ? { reason: 'open_outside_range', message } : null;
}

export function closeOutsideRange(tick: CheckedPrices): Rejection | null {
  const message = outsideRange(tick, 'close');
  return message ? { reason: 'close_outside_range', message } : null;
}
// adjClose has no range rule: adjusting for dividends and splits legitimately
// moves it below the day's low.
