// One CSV data row -> a RawTick, or the reason it cannot be one. Only the
// syntax is checked here; business rules (Low <= High, positive prices...)
// belong to the enrichment, which sees the faithful source values.

import type { RawTick, SourceRef } from '@stockstream/common';
import type { CsvLayout } from './csv-layout.js';
import { parseDate } from '@stockstream/common/dates';
import { parseStrictNumber } from './strict-number.js';

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

/** The source's own "no value" (market holidays are written `null`). */
function isNullText(text: string): boolean {
  return text === '' || (text.length === 4 && text.toLowerCase() === 'null');
}

function nullableNumber(fields: readonly string[], at: number, column: string): number | null {
  const text = fields[at] as string;
  if (isNullText(text)) return null;
  const value = parseStrictNumber(text);
  if (Number.isNaN(value)) {
    throw new RowRejection('invalid_number', `column ${column}: ${JSON.stringify(text)} is not a number`);
  }
  return value;
}

/** Processed files write volumes as floats (`123400.0`): integral values pass. */
function nullableVolume(fields: readonly string[], at: number): number | null {
  const value = nullableNumber(fields, at, 'Volume');
  if (value === null) return null;
  if (!Number.isSafeInteger(value)) {
    const why = Number.isInteger(value) ? 'is too large to hold exactly (beyond 2^53)' : 'is not a whole number';
    throw new RowRejection('invalid_volume', `column Volume: ${JSON.stringify(fields[at])} ${why}`);
  }
  return value === 0 ? 0 : value; // no -0
}

/**
 * The date a row can be placed at in time, or null when it cannot: the row
 * has the wrong number of fields or an unreadable date. Row order in date
 * mode is decided by this, so every reader must use the same function.
 */
export function rowDate(fields: readonly string[], layout: CsvLayout): number | null {
  if (fields.length !== layout.columnCount) return null;
  return parseDate(fields[layout.date] as string);
}

export function parseRow(fields: readonly string[], layout: CsvLayout, source: SourceRef, ingestedAt: number): ParsedRow {
  if (fields.length !== layout.columnCount) {
    return {
      ok: false,
      reason: 'column_count',
      message: `expected ${layout.columnCount} fields, got ${fields.length}`,
    };
  }
  const index = fields[layout.index] as string;
  if (index.trim() === '') {
    return { ok: false, reason: 'missing_index', message: 'column Index is empty' };
  }
  const dateText = fields[layout.date] as string;
  const date = parseDate(dateText);
  if (date === null) {
    return {
      ok: false,
      reason: 'invalid_date',
      message: `column Date: ${JSON.stringify(dateText)} is not a date (YYYY-MM-DD or DD/MM/YYYY)`,
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
