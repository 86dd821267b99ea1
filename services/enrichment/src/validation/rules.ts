// All validation rules in the order they run. validateTick reports only the
// FIRST failure, so each record yields exactly one dead letter with one reason.
// Order: identity first (an unknown index or impossible date makes the rest
// moot and points at the real fix), then presence and sanity of prices, then
// their consistency, then volume. Each rule may assume the earlier ones passed.
import type { RawTick } from '@stockstream/common';
import { dateBefore1900, dateInFuture, invalidDate, unknownIndex } from './identity-rules.js';
import {
  type CheckedPrices,
  closeOutsideRange,
  lowAboveHigh,
  missingPrice,
  negativePrice,
  nonFinitePrice,
  openOutsideRange,
  zeroPrice,
} from './price-rules.js';
import type { Rejection, Rule, ValidationContext, ValidationReason } from './rejection.js';
import { invalidVolume, negativeVolume } from './volume-rules.js';

export type { Rejection, ValidationContext, ValidationReason } from './rejection.js';
export { VALIDATION_REASONS } from './rejection.js';

type AnyRule = Rule<RawTick>;
// Consistency rules run after missingPrice and nonFinitePrice, so their prices
// are numbers: this is the one place that relies on the ordering.
const afterPriceChecks =
  (rule: (t: CheckedPrices) => Rejection | null): AnyRule =>
  (tick) =>
    rule(tick as CheckedPrices);

/** The rules in run order, each tagged with the one reason it can return (the README table follows this list). */
export const VALIDATION_RULES: readonly { reason: ValidationReason; check: AnyRule }[] = [
  { reason: 'unknown_index', check: unknownIndex },
  { reason: 'invalid_date', check: invalidDate },
  { reason: 'date_before_1900', check: dateBefore1900 },
  { reason: 'date_in_future', check: dateInFuture },
  { reason: 'missing_price', check: missingPrice },
  { reason: 'non_finite_price', check: nonFinitePrice },
  { reason: 'negative_price', check: negativePrice },
  { reason: 'zero_price', check: zeroPrice },
  { reason: 'low_above_high', check: afterPriceChecks(lowAboveHigh) },
  { reason: 'open_outside_range', check: afterPriceChecks(openOutsideRange) },
  { reason: 'close_outside_range', check: afterPriceChecks(closeOutsideRange) },
  { reason: 'invalid_volume', check: invalidVolume },
  { reason: 'negative_volume', check: negativeVolume },
];

/** The first failing rule's rejection, or null when the tick is valid. Reads fields only, never prototypes. */
export function validateTick(tick: RawTick, ctx: ValidationContext): Rejection | null {
  for (const { check } of VALIDATION_RULES) {
    const rejection = check(tick, ctx);
    if (rejection) return rejection;
  }
  return null;
}
