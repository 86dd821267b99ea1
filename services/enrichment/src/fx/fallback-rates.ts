// The fallback: one documented rate per currency, used where the published
// history has no rate on or before a bar's date (before the ECB series starts
// on 1999-01-04, or a currency it lacks such as TWD). Held in the service, not
// published: turning it off (FX_FALLBACK_FILE=none) must dead-letter those bars
// as no_fx_rate, which rates left on a compacted topic would prevent.
import type { FxRate } from '@stockstream/common';
import { DataFileError, readJsonFile, shippedDataFile } from '../reference/data-file.js';
import { parseFxRates } from './rate-file.js';

export const SHIPPED_FALLBACK_FILE = shippedDataFile('fx-fallback-rates.json');

/** Reads and validates a fallback file (the JSON rate file shape, one rate per currency). Throws DataFileError naming the file. */
export function loadFallbackRates(file: string = SHIPPED_FALLBACK_FILE): FxRate[] {
  const rates = parseFxRates(readJsonFile(file), file);
  const seen = new Set<string>();
  for (const r of rates) {
    if (seen.has(r.currency)) throw new DataFileError(file, `a second rate of ${r.currency}: a fallback is one rate per currency`);
    seen.add(r.currency);
  }
  return rates;
}
