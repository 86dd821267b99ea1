// What makes an FX rate usable, shared by the rates file loader, the table and
// the fx.rates topic consumer.
import type { FxRate } from '@stockstream/common';
import { CURRENCY_CODE } from '../reference/data-file.js';
import { epochDayToIsoDate } from '../validation/epoch-day.js';

/** Why the rate is unusable, or null when it is fine. Reads fields only, never prototypes. */
export function checkFxRate(rate: FxRate): string | null {
  if (typeof rate.currency !== 'string' || !CURRENCY_CODE.test(rate.currency)) {
    return `currency ${JSON.stringify(rate.currency)} is not an ISO 4217 code (3 uppercase letters)`;
  }
  // A zero, negative or non-finite rate would turn every close into a wrong number.
  if (typeof rate.rateToUsd !== 'number' || !Number.isFinite(rate.rateToUsd) || rate.rateToUsd <= 0) {
    return `rateToUsd ${String(rate.rateToUsd)} of ${rate.currency} is not a finite number > 0`;
  }
  if (!Number.isInteger(rate.effectiveDate)) return `effectiveDate ${String(rate.effectiveDate)} of ${rate.currency} is not a whole epoch day`;
  try {
    epochDayToIsoDate(rate.effectiveDate); // must be expressible as a topic key
  } catch {
    return `effectiveDate ${rate.effectiveDate} of ${rate.currency} is outside years 0000..9999`;
  }
  return null;
}
