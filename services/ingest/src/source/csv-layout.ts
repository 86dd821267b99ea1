// Where each field of the "Stock Exchange Data" CSV format sits, read from
// the header row once per file so rows can then be parsed by position.

import { parseDate } from '@stockstream/common/dates';

/** The header of a raw file (indexData.csv). */
export const RAW_HEADER = ['Index', 'Date', 'Open', 'High', 'Low', 'Close', 'Adj Close', 'Volume'] as const;
/** The header of a processed file (indexProcessed.csv): raw + CloseUSD. */
export const PROCESSED_HEADER = [...RAW_HEADER, 'CloseUSD'] as const;

export type CsvLayoutKind = 'raw' | 'processed';

/** Column positions (0-based) of one file's fields. */
export interface CsvLayout {
  readonly kind: CsvLayoutKind;
  /** Fields every data row must have: the header's length. */
  readonly columnCount: number;
  readonly index: number;
  readonly date: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly adjClose: number;
  readonly volume: number;
  /** Present in processed files only. */
  readonly closeUsd: number | null;
}

export type CsvLayoutErrorCode = 'missing_header' | 'missing_columns';

/** The file cannot be read at all: no usable header. */
export class CsvLayoutError extends Error {
  readonly code: CsvLayoutErrorCode;
  constructor(code: CsvLayoutErrorCode, message: string) {
    super(message);
    this.name = 'CsvLayoutError';
    this.code = code;
  }
}

type RequiredField = Exclude<keyof CsvLayout, 'kind' | 'columnCount' | 'closeUsd'>;

const REQUIRED: ReadonlyArray<readonly [RequiredField, string]> = [
  ['index', 'Index'],
  ['date', 'Date'],
  ['open', 'Open'],
  ['high', 'High'],
  ['low', 'Low'],
  ['close', 'Close'],
  ['adjClose', 'Adj Close'],
  ['volume', 'Volume'],
];

const BOM = '\uFEFF';

/**
 * Comparable form of a column name: trimmed, BOM-free, lower case, letters
 * and digits only, so `Adj Close`, ` adj_close ` and `ADJCLOSE` all match.
 */
export function normalizeColumnName(name: string): string {
  const noBom = name.startsWith(BOM) ? name.slice(1) : name;
  return noBom.trim().toLowerCase().replace(/[^a-z0-9]/g, '');
}

const expectedHeaderText = `expected header: ${RAW_HEADER.join(',')} (processed files add ,CloseUSD)`;

/** True when a first row is data rather than a header (it holds a date). */
export function looksLikeDataRow(row: readonly string[]): boolean {
  return row.some((cell) => parseDate(cell.trim()) !== null);
}

/**
 * The layout described by a header row. Throws CsvLayoutError when the row is
 * data (the file has no header) or lacks a required column. Extra columns
 * are allowed and ignored; the first occurrence of a repeated name wins.
 */
export function layoutFromHeader(header: readonly string[]): CsvLayout {
  const positions = new Map<string, number>();
  header.forEach((name, i) => {
    const key = normalizeColumnName(name);
    if (!positions.has(key)) positions.set(key, i);
  });

  const missing = REQUIRED.filter(([, name]) => !positions.has(normalizeColumnName(name))).map(([, name]) => name);
  if (missing.length === REQUIRED.length && looksLikeDataRow(header)) {
    throw new CsvLayoutError(
      'missing_header',
      `the file has no header row: its first row is data (${header.join(',')}); ${expectedHeaderText}`,
    );
  }
  if (missing.length > 0) {
    throw new CsvLayoutError(
      'missing_columns',
      `header is missing column(s) ${missing.join(', ')} (got: ${header.join(',')}); ${expectedHeaderText}`,
    );
  }

  const at = (name: string): number => positions.get(normalizeColumnName(name)) as number;
  const closeUsd = positions.get(normalizeColumnName('CloseUSD')) ?? null;
  return {
    kind: closeUsd === null ? 'raw' : 'processed',
    columnCount: header.length,
    index: at('Index'),
    date: at('Date'),
    open: at('Open'),
    high: at('High'),
    low: at('Low'),
    close: at('Close'),
    adjClose: at('Adj Close'),
    volume: at('Volume'),
    closeUsd,
  };
}
