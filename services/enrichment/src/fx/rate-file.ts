// Rate files an operator publishes to fx.rates (`stockstream fx load FILE`)
// or the service publishes at bootstrap: the ECB's history (.zip or .csv), or
// a JSON file of dated rates { "rates": [ { "currency", "rateToUsd",
// "effectiveDate": "YYYY-MM-DD", "source" }, ... ] }.
import type { FxRate } from '@stockstream/common';
import { parseIsoDate } from '@stockstream/common';
import { DataFileError, entriesOf, isObject, readDataFile, requiredString } from '../reference/data-file.js';
import { ecbHistoryText, isZip, parseEcbHistory } from './ecb-history.js';
import { fxKey } from './fx-key.js';
import { checkFxRate } from './fx-rate-check.js';

/** Validates a parsed JSON rate file; `file` only labels errors. */
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

/** The rates of a file's bytes (of `currencies` only, when given): JSON when it starts with '{', the ECB history (.zip or .csv) otherwise. */
export function parseRateFile(bytes: Uint8Array, file: string, currencies?: ReadonlySet<string>): FxRate[] {
  const text = isZip(bytes) ? null : Buffer.from(bytes).toString('utf8').replace(/^\uFEFF/, '');
  if (text !== null && text.trimStart().startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new DataFileError(file, `not valid JSON: ${(err as Error).message}`);
    }
    const rates = parseFxRates(json, file);
    return currencies ? rates.filter((r) => currencies.has(r.currency)) : rates;
  }
  return parseEcbHistory(text ?? ecbHistoryText(bytes, file), file, currencies);
}

/** Reads a rate file (see parseRateFile). Throws DataFileError naming the file. */
export function loadRateFile(file: string, currencies?: ReadonlySet<string>): FxRate[] {
  return parseRateFile(readDataFile(file), file, currencies);
}
