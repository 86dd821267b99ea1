// Which rate converts a bar: the published history (fx.rates) in force on
// the bar's date; where it has none (a date before the series starts, a
// currency it lacks), the configured fallback rate, marked as such; with no
// fallback, none at all (the bar is dead-lettered as no_fx_rate).
import type { FxRate } from '@stockstream/common';
import { EPOCH_DAY_1900_01_01 } from '../validation/epoch-day.js';
import type { FxLookup, FxQuote, FxTable } from './fx-table.js';

/** Source of a fallback quote, whatever the fallback file says of the rate's origin (that is documented in the file). */
export const FALLBACK_SOURCE = 'fallback';
/** Source of USD's own rate. */
export const IDENTITY_SOURCE = 'identity';

// USD needs no data: 1 USD is 1 USD on every date.
const USD_IDENTITY: FxQuote = { rateToUsd: 1, effectiveDate: EPOCH_DAY_1900_01_01, source: IDENTITY_SOURCE };

export class RateResolver implements FxLookup {
  private readonly fallbackQuotes = new Map<string, FxQuote>();

  /**
   * `history`: the table fed by fx.rates. `fallback`: one rate per currency
   * (null for none), used only where the history has no rate on or before
   * the date; its own effective date is ignored.
   */
  constructor(readonly history: FxTable, fallback: readonly FxRate[] | null) {
    for (const r of fallback ?? []) {
      if (this.fallbackQuotes.has(r.currency)) throw new RangeError(`a second fallback rate of ${r.currency}: a fallback is one rate per currency`);
      this.fallbackQuotes.set(r.currency, { rateToUsd: r.rateToUsd, effectiveDate: r.effectiveDate, source: FALLBACK_SOURCE });
    }
  }

  lookup(currency: string, date: number): FxQuote | null {
    if (currency === 'USD') return USD_IDENTITY;
    return this.history.lookup(currency, date) ?? this.fallbackQuotes.get(currency) ?? null;
  }

  /** Currencies with a fallback rate, sorted. */
  get fallbackCurrencies(): string[] {
    return [...this.fallbackQuotes.keys()].sort();
  }
}
