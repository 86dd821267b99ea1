// The rate set published to fx.rates at bootstrap: data/fx-rates.json, or an
// operator's file of the same shape.
import type { FxRate } from '@stockstream/common';
import { DataFileError, entriesOf, isObject, readJsonFile, requiredString, shippedDataFile } from '../reference/data-file.js';
import { parseIsoDate } from '@stockstream/common';
import { fxKey } from './fx-key.js';
import { checkFxRate } from './fx-rate-check.js';

export const SHIPPED_FX_RATES_FILE = shippedDataFile('fx-rates.json');

/**
 * Reads and validates { "rates": [ { "currency", "rateToUsd",
 * "effectiveDate": "YYYY-MM-DD", "source" }, ... ] }. Throws DataFileError
 * naming the file and the bad entry.
 */
export function loadDefaultFxRates(file: string = SHIPPED_FX_RATES_FILE): FxRate[] {
  return parseFxRates(readJsonFile(file), file);
}

/** Validates parsed JSON; `file` only labels errors. */
export function parseFxRates(json: unknown, file: string): FxRate[] {
  const seen = new Set<string>();
  return entriesOf(file, json, 'rates').map((entry, i) => {
    let where = `entry ${i + 1}`;
    if (!isObject(entry)) throw new DataFileError(file, `${where}: expected an object, got ${JSON.stringify(entry)}`);
    const currency = requiredString(file, where, entry, 'currency');
    where += ` (${currency})`;
    const dateText = requiredString(file, where, entry, 'effectiveDate');
    const effectiveDate = parseIsoDate(dateText);
    if (effectiveDate === null) throw new DataFileError(file, `${where}: effectiveDate ${JSON.stringify(dateText)} is not a YYYY-MM-DD date`);
    // Every rate must say where it comes from: the file is the audit trail for numbers we did not measure.
    const source = requiredString(file, where, entry, 'source');
    const rate: FxRate = { currency, rateToUsd: entry['rateToUsd'] as number, effectiveDate, source };
    const problem = checkFxRate(rate);
    if (problem) throw new DataFileError(file, `${where}: ${problem}`);
    const key = fxKey(currency, effectiveDate);
    if (seen.has(key)) throw new DataFileError(file, `${where}: a second rate for ${key}`);
    seen.add(key);
    return rate;
  });
}
