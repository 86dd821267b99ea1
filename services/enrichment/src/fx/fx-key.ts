// Keys of the compacted fx.rates topic: '<currency>@<YYYY-MM-DD>', e.g.
// HKD@1970-01-01. Compaction keeps the latest value per key, so one key per
// (currency, effective date) keeps the whole rate history while a correction
// for the same date replaces the old value. A currency-only key would let
// compaction erase every rate but the newest, and with it the history that a
// time-aware lookup of older ticks needs.
import { epochDayToIsoDate } from '../validation/epoch-day.js';
import { parseIsoDate } from '@stockstream/common';
import { CURRENCY_CODE } from '../reference/data-file.js';

export interface FxKey {
  currency: string;
  /** Epoch days. */
  effectiveDate: number;
}

/** Throws RangeError for a date outside years 0000..9999 (checkFxRate rejects those first). */
export function fxKey(currency: string, effectiveDate: number): string {
  return `${currency}@${epochDayToIsoDate(effectiveDate)}`;
}

/** The currency and date of a key, or null when it is not of the form above. */
export function parseFxKey(key: string): FxKey | null {
  const at = key.indexOf('@');
  if (at < 0) return null;
  const currency = key.slice(0, at);
  const effectiveDate = parseIsoDate(key.slice(at + 1));
  if (!CURRENCY_CODE.test(currency) || effectiveDate === null) return null;
  return { currency, effectiveDate };
}
