// One CSV data row -> a RawTick, or the reason it cannot be one. Only the
// syntax is checked here; business rules (Low <= High, positive prices...)
// belong to the enrichment, which sees the faithful source values.

import type { RawTick, SourceRef } from '@stockstream/common';
import { daysFromCivil, daysInMonth, parseDate } from '@stockstream/common/dates';
import type { CsvLayout } from './csv-layout.js';
import type { CsvFields } from './csv-reader.js';
import { asciiText, strictNumberOfBytes } from './strict-number.js';

export type RowRejectReason = 'column_count' | 'invalid_number' | 'invalid_date' | 'missing_index' | 'invalid_volume';

export type ParsedRow =
  | { ok: true; tick: RawTick }
  | { ok: false; reason: RowRejectReason; message: string };

/** Thrown inside parseRow to leave at the first bad field; never escapes it. */
class RowRejection {
  constructor(
    readonly reason: RowRejectReason,
    readonly message: string,
  ) {}
}

const DASH = 0x2d;
const ZERO = 0x30;
/** Lowercase ASCII letters have this bit set, uppercase ones not. */
const LOWER_BIT = 0x20;

/** The source's own "no value" in bytes [from, to): empty, or `null` in any case (market holidays). */
export function isNullBytes(data: Uint8Array, from: number, to: number): boolean {
  if (to === from) return true;
  return (
    to - from === 4 &&
    ((data[from] as number) | LOWER_BIT) === 0x6e && // n
    ((data[from + 1] as number) | LOWER_BIT) === 0x75 && // u
    ((data[from + 2] as number) | LOWER_BIT) === 0x6c && // l
    ((data[from + 3] as number) | LOWER_BIT) === 0x6c // l
  );
}

/** Value of the ASCII digits data[from, to), or -1 if any is not a digit. */
function digitsOf(data: Uint8Array, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const d = (data[i] as number) - ZERO;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** parseDate of the UTF-8 text in bytes [from, to); ISO dates without making a string. */
export function dateOfBytes(data: Uint8Array, from: number, to: number): number | null {
  if (to - from === 10 && data[from + 4] === DASH && data[from + 7] === DASH) {
    const year = digitsOf(data, from, from + 4);
    const month = digitsOf(data, from + 5, from + 7);
    const day = digitsOf(data, from + 8, from + 10);
    if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
    return daysFromCivil(year, month, day);
  }
  // Other forms (DD/MM/YYYY) are ASCII, at most 10 characters: non-ASCII or longer text is no date.
  if (to - from > 10) return null;
  const text = asciiText(data, from, to);
  return text === undefined ? null : parseDate(text);
}

function nullableNumber(fields: CsvFields, at: number, column: string): number | null {
  const from = fields.starts[at] as number;
  const to = fields.ends[at] as number;
  if (isNullBytes(fields.bytes, from, to)) return null;
  const value = strictNumberOfBytes(fields.bytes, from, to);
  if (Number.isNaN(value)) {
    throw new RowRejection('invalid_number', `column ${column}: ${JSON.stringify(fields.text(at))} is not a number`);
  }
  return value;
}

/** Processed files write volumes as floats (`123400.0`): integral values pass. */
function nullableVolume(fields: CsvFields, at: number): number | null {
  const value = nullableNumber(fields, at, 'Volume');
  if (value === null) return null;
  if (!Number.isSafeInteger(value)) {
    const why = Number.isInteger(value) ? 'is too large to hold exactly (beyond 2^53)' : 'is not a whole number';
    throw new RowRejection('invalid_volume', `column Volume: ${JSON.stringify(fields.text(at))} ${why}`);
  }
  return value === 0 ? 0 : value; // no -0
}

function dateField(fields: CsvFields, at: number): number | null {
  return dateOfBytes(fields.bytes, fields.starts[at] as number, fields.ends[at] as number);
}

/**
 * The date a row can be placed at in time, or null when it cannot: the row
 * has the wrong number of fields or an unreadable date. Row order in date
 * mode is decided by this.
 */
export function rowDate(fields: CsvFields, layout: CsvLayout): number | null {
  if (fields.count !== layout.columnCount) return null;
  return dateField(fields, layout.date);
}

export function parseRow(fields: CsvFields, layout: CsvLayout, source: SourceRef, ingestedAt: number): ParsedRow {
  if (fields.count !== layout.columnCount) {
    return {
      ok: false,
      reason: 'column_count',
      message: `expected ${layout.columnCount} fields, got ${fields.count}`,
    };
  }
  const index = fields.repeatedText(layout.index);
  if (index.trim() === '') {
    return { ok: false, reason: 'missing_index', message: 'column Index is empty' };
  }
  const date = dateField(fields, layout.date);
  if (date === null) {
    return {
      ok: false,
      reason: 'invalid_date',
      message: `column Date: ${JSON.stringify(fields.text(layout.date))} is not a date (YYYY-MM-DD or DD/MM/YYYY)`,
    };
  }
  try {
    const tick: RawTick = {
      index,
      date,
      open: nullableNumber(fields, layout.open, 'Open'),
      high: nullableNumber(fields, layout.high, 'High'),
      low: nullableNumber(fields, layout.low, 'Low'),
      close: nullableNumber(fields, layout.close, 'Close'),
      adjClose: nullableNumber(fields, layout.adjClose, 'Adj Close'),
      volume: nullableVolume(fields, layout.volume),
      sourceCloseUsd: layout.closeUsd === null ? null : nullableNumber(fields, layout.closeUsd, 'CloseUSD'),
      source,
      ingestedAt,
    };
    return { ok: true, tick };
  } catch (e) {
    if (e instanceof RowRejection) return { ok: false, reason: e.reason, message: e.message };
    throw e;
  }
}
