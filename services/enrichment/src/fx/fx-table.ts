// In-memory, time-aware FX rates: per currency, rates sorted by effective date;
// a tick of date d uses the latest rate effective on or before d. Fed by the
// compacted fx.rates topic (upsert per value, remove per tombstone). It never
// makes up a rate: no currency or no rate on/before the date means null.
//
// A full daily history (the ECB's, ~7k days x ~40 currencies) is ~230k
// rates, so each currency keeps parallel arrays of numbers rather than an
// object per rate: a few MB instead of tens, and one less pointer per probe.
import type { FxRate } from '@stockstream/common';
import { checkFxRate } from './fx-rate-check.js';

/** The rate used for a conversion, the date it took effect and where it comes from, carried into the enriched tick. */
export interface FxQuote {
  rateToUsd: number;
  effectiveDate: number;
  source: string;
}

/** What enrichment needs from an FX source: FxTable, or FxRates (history, then fallback). */
export interface FxLookup {
  lookup(currency: string, date: number): FxQuote | null;
}

/** One currency's rates, ascending by date, at most one per date. */
interface Series {
  dates: number[];
  rates: number[];
  sources: string[];
}

export class FxTable implements FxLookup {
  private readonly byCurrency = new Map<string, Series>();
  // Sources repeat on every rate ('ecb'): one string each instead of one per decoded record.
  private readonly sourceNames = new Map<string, string>();
  private count = 0;
  private updatedAt: number | null = null;

  /** A table holding `rates` as of time `at` (epoch ms). */
  static of(rates: Iterable<FxRate>, at: number): FxTable {
    const table = new FxTable();
    for (const rate of rates) table.upsert(rate, at);
    return table;
  }

  /** Adds a rate, or replaces the one of the same currency and date (a correction). Throws RangeError for an unusable rate. */
  upsert(rate: FxRate, at: number): void {
    const problem = checkFxRate(rate);
    if (problem) throw new RangeError(`invalid FX rate: ${problem}`);
    let s = this.byCurrency.get(rate.currency);
    if (!s) this.byCurrency.set(rate.currency, (s = { dates: [], rates: [], sources: [] }));
    const text = rate.source ?? '';
    let source = this.sourceNames.get(text);
    if (source === undefined) this.sourceNames.set(text, (source = text));
    const i = firstAfter(s.dates, rate.effectiveDate);
    if (i > 0 && s.dates[i - 1] === rate.effectiveDate) {
      s.rates[i - 1] = rate.rateToUsd;
      s.sources[i - 1] = source;
    } else if (i === s.dates.length) {
      // The common case: a history arrives oldest first.
      s.dates.push(rate.effectiveDate);
      s.rates.push(rate.rateToUsd);
      s.sources.push(source);
      this.count++;
    } else {
      s.dates.splice(i, 0, rate.effectiveDate);
      s.rates.splice(i, 0, rate.rateToUsd);
      s.sources.splice(i, 0, source);
      this.count++;
    }
    this.updatedAt = at;
  }

  /** Drops the rate of that currency and date (a tombstone on the topic); true when there was one. */
  remove(currency: string, effectiveDate: number, at: number): boolean {
    this.updatedAt = at;
    const s = this.byCurrency.get(currency);
    if (!s) return false;
    const i = firstAfter(s.dates, effectiveDate);
    if (i === 0 || s.dates[i - 1] !== effectiveDate) return false;
    s.dates.splice(i - 1, 1);
    s.rates.splice(i - 1, 1);
    s.sources.splice(i - 1, 1);
    if (s.dates.length === 0) this.byCurrency.delete(currency);
    this.count--;
    return true;
  }

  /** The latest rate of `currency` effective on or before `date` (epoch days), or null when there is none. */
  lookup(currency: string, date: number): FxQuote | null {
    const s = this.byCurrency.get(currency);
    if (!s) return null;
    const i = firstAfter(s.dates, date) - 1;
    return i < 0 ? null : { rateToUsd: s.rates[i]!, effectiveDate: s.dates[i]!, source: s.sources[i]! };
  }

  /** The rate of exactly that currency and date, or null. */
  get(currency: string, effectiveDate: number): FxRate | null {
    const s = this.byCurrency.get(currency);
    if (!s) return null;
    const i = firstAfter(s.dates, effectiveDate) - 1;
    return i >= 0 && s.dates[i] === effectiveDate ? { currency, rateToUsd: s.rates[i]!, effectiveDate, source: s.sources[i]! } : null;
  }

  /** Number of (currency, date) rates held. */
  get size(): number {
    return this.count;
  }

  /** Currencies with at least one rate, sorted. */
  currencies(): string[] {
    return [...this.byCurrency.keys()].sort();
  }

  /** The rates of one currency, oldest first (copies). */
  ratesOf(currency: string): FxRate[] {
    const s = this.byCurrency.get(currency);
    return s ? s.dates.map((effectiveDate, i) => ({ currency, rateToUsd: s.rates[i]!, effectiveDate, source: s.sources[i]! })) : [];
  }

  /** When the table last changed (epoch ms), null before any change. */
  get lastUpdatedAt(): number | null {
    return this.updatedAt;
  }

  /** Time since the last change, for an "FX data age" gauge; null before any change. */
  ageMs(now: number): number | null {
    return this.updatedAt === null ? null : now - this.updatedAt;
  }
}

/** Index of the first date strictly after `date` (binary search): its predecessor is the rate in effect. */
function firstAfter(dates: readonly number[], date: number): number {
  let lo = 0;
  let hi = dates.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (dates[mid]! <= date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
