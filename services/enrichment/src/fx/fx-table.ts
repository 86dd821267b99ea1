// In-memory, time-aware FX rates: per currency, rates sorted by effective date;
// a tick of date d uses the latest rate effective on or before d. Fed by the
// compacted fx.rates topic (upsert per value, remove per tombstone). It never
// makes up a rate: no currency or no rate on/before the date means null, and
// USD is 1 only because the data says so.
import type { FxRate } from '@stockstream/common';
import { checkFxRate } from './fx-rate-check.js';

/** The rate used for a conversion and the date it took effect, carried into the enriched tick. */
export interface FxQuote {
  rateToUsd: number;
  effectiveDate: number;
}

/** What enrichment needs from an FX source; FxTable is the real one. */
export interface FxLookup {
  lookup(currency: string, date: number): FxQuote | null;
}

export class FxTable implements FxLookup {
  // Sorted ascending by effectiveDate, at most one rate per date.
  private readonly byCurrency = new Map<string, FxRate[]>();
  private count = 0;
  private updatedAt: number | null = null;

  /** A table holding `rates`, e.g. the default rates file, as of time `at` (epoch ms). */
  static of(rates: Iterable<FxRate>, at: number): FxTable {
    const table = new FxTable();
    for (const rate of rates) table.upsert(rate, at);
    return table;
  }

  /** Adds a rate, or replaces the one of the same currency and date (a correction). Throws RangeError for an unusable rate. */
  upsert(rate: FxRate, at: number): void {
    const problem = checkFxRate(rate);
    if (problem) throw new RangeError(`invalid FX rate: ${problem}`);
    // Copy the fields: the input may be a decoded Avro class instance that the caller reuses.
    const copy: FxRate = { currency: rate.currency, rateToUsd: rate.rateToUsd, effectiveDate: rate.effectiveDate, source: rate.source ?? '' };
    let list = this.byCurrency.get(copy.currency);
    if (!list) this.byCurrency.set(copy.currency, (list = []));
    const i = firstAfter(list, copy.effectiveDate);
    if (i > 0 && list[i - 1]!.effectiveDate === copy.effectiveDate) {
      list[i - 1] = copy;
    } else {
      list.splice(i, 0, copy);
      this.count++;
    }
    this.updatedAt = at;
  }

  /** Drops the rate of that currency and date (a tombstone on the topic); true when there was one. */
  remove(currency: string, effectiveDate: number, at: number): boolean {
    this.updatedAt = at;
    const list = this.byCurrency.get(currency);
    if (!list) return false;
    const i = firstAfter(list, effectiveDate);
    if (i === 0 || list[i - 1]!.effectiveDate !== effectiveDate) return false;
    list.splice(i - 1, 1);
    if (list.length === 0) this.byCurrency.delete(currency);
    this.count--;
    return true;
  }

  /** The latest rate of `currency` effective on or before `date` (epoch days), or null when there is none. */
  lookup(currency: string, date: number): FxQuote | null {
    const list = this.byCurrency.get(currency);
    if (!list) return null;
    const rate = list[firstAfter(list, date) - 1];
    return rate ? { rateToUsd: rate.rateToUsd, effectiveDate: rate.effectiveDate } : null;
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
    return (this.byCurrency.get(currency) ?? []).map((r) => ({ ...r }));
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

/** Index of the first rate effective strictly after `date` (binary search): its predecessor is the one in effect. */
function firstAfter(list: readonly FxRate[], date: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.effectiveDate <= date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
