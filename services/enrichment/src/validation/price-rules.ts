// Rules on the five price levels of a bar. rules.ts runs them in this order, so
// later rules may assume all five are finite, non-negative numbers.
import type { RawTick } from '@stockstream/common';
import { clearlyAbove, priceSlack } from './price-tolerance.js';
import type { Rejection } from './rejection.js';

type Prices = Pick<RawTick, 'open' | 'high' | 'low' | 'close' | 'adjClose'>;
/** Prices after missingPrice and nonFinitePrice passed. */
export type CheckedPrices = { [K in keyof Prices]: number };

const PRICE_FIELDS = ['open', 'high', 'low', 'close', 'adjClose'] as const;

function fieldsWhere(tick: Prices, bad: (v: unknown) => boolean): string {
  return PRICE_FIELDS.filter((f) => bad(tick[f]))
    .map((f) => `${f}=${String(tick[f])}`)
    .join(', ');
}

/** The 681 holiday rows of the public set are null in every price; an absent field counts as null too. */
export function missingPrice(tick: Prices): Rejection | null {
  const missing = PRICE_FIELDS.filter((f) => tick[f] == null);
  if (missing.length === 0) return null;
  const list = missing.join(', ');
  return { reason: 'missing_price', message: `${list} ${missing.length === 1 ? 'is' : 'are'} null (no bar for this date, e.g. a market holiday)` };
}

/** Avro doubles can carry NaN and Infinity; neither is a price. */
export function nonFinitePrice(tick: Prices): Rejection | null {
  const bad = fieldsWhere(tick, (v) => !Number.isFinite(v));
  return bad ? { reason: 'non_finite_price', message: `price is not a finite number: ${bad}` } : null;
}

export function negativePrice(tick: Prices): Rejection | null {
  const bad = fieldsWhere(tick, (v) => (v as number) < 0);
  return bad ? { reason: 'negative_price', message: `price is negative: ${bad}` } : null;
}

/**
 * An index level of 0 is impossible (indices are positive weighted sums) and
 * is what some exports write for "no data"; accepting it would publish a
 * closeUsd of 0. The public set has none.
 */
export function zeroPrice(tick: Prices): Rejection | null {
  const bad = fieldsWhere(tick, (v) => v === 0);
  return bad ? { reason: 'zero_price', message: `price is 0, not a possible index level: ${bad}` } : null;
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
