// Streams the CSV records of a file (or of a byte range of it) with their
// physical line numbers and byte offsets, on top of csv-parse.
//
// csv-parse cannot reliably resynchronise after a syntax error (with
// skip_records_with_error it silently loses the records that follow some
// errors), so the options are chosen to make errors impossible instead:
// relax_quotes keeps stray quotes as text and relax_column_count passes rows
// of any width on. Lines may end in CRLF, LF or CR, mixed; blank lines and
// rows of empty fields are skipped, but counted in line numbers. What remains
// are quotes left open: one still open at end
// of input becomes a syntax record; one open for more than MAX_RECORD_CHARS
// aborts the read, because a line-oriented file that far out of sync cannot
// be read faithfully.

import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { parse, type CsvError, type InfoRecord, type Options } from 'csv-parse';

export const MAX_RECORD_CHARS = 1 << 20;

/** One parsed record. */
export interface CsvRecord {
  readonly kind: 'record';
  readonly fields: string[];
  /** 1-based physical line the record ends on. */
  readonly line: number;
  /** Absolute byte offset just past the record and its line end. */
  readonly endByte: number;
  /** The record's text as in the file (line ends included), when asked for. */
  readonly raw: string | undefined;
}

/** Input csv-parse could not split into a record: a quote never closed. */
export interface CsvSyntaxIssue {
  readonly kind: 'syntax';
  /** 1-based physical line the unreadable text starts on. */
  readonly line: number;
  readonly raw: string;
  readonly message: string;
}

export type CsvEntry = CsvRecord | CsvSyntaxIssue;

export interface CsvRecordsOptions {
  /** First byte to read (default 0). */
  start?: number;
  /** Byte to stop before (default end of file). */
  endBefore?: number;
  /** Physical line number of the byte at `start` (default 1). */
  firstLine?: number;
  /** Keep each record's raw text (costs time; needed to report rejections). */
  raw: boolean;
}

/** `raw` without the blank lines before it and the line end after it. */
export function trimLineEnds(raw: string): string {
  return raw.replace(/^[\r\n]+|[\r\n]+$/g, '');
}

/** Number of line breaks (\r\n, \r or \n) in text. */
export function countLineBreaks(text: string): number {
  return text.match(/\r\n|\r|\n/g)?.length ?? 0;
}

export function readCsvRecords(path: string, options: CsvRecordsOptions): AsyncIterable<CsvEntry> {
  const start = options.start ?? 0;
  const lineOffset = (options.firstLine ?? 1) - 1;
  const parser = parse({
    bom: start === 0,
    // Fixed, not auto-detected: indexData.csv itself ends its CRLF lines with one bare LF.
    record_delimiter: ['\r\n', '\n', '\r'],
    skip_empty_lines: true,
    // Blank rows as spreadsheets write them (",,,,,,,") are not data either.
    skip_records_with_empty_values: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_records_with_error: true,
    max_record_size: MAX_RECORD_CHARS,
    raw: options.raw,
    // csv-parse types on_record as returning a record; it pushes whatever is
    // returned. With `raw` it passes { record, raw } instead of the fields.
    on_record: ((parsed: string[] | { record: string[] }, context: InfoRecord): CsvRecord => ({
      kind: 'record',
      fields: Array.isArray(parsed) ? parsed : parsed.record,
      line: lineOffset + context.lines,
      endByte: start + context.bytes,
      raw: context.raw,
    })) as unknown as Options['on_record'],
    on_skip: (error: CsvError | undefined, raw: string | undefined): undefined => {
      const endLine = lineOffset + Number(error?.['lines'] ?? 0);
      if (error?.code !== 'CSV_QUOTE_NOT_CLOSED') {
        throw new Error(`line ${endLine}: ${error?.message ?? 'unreadable CSV'}; the file is corrupt (unbalanced quote?)`);
      }
      const text = trimLineEnds(raw ?? '');
      const issue: CsvSyntaxIssue = {
        kind: 'syntax',
        line: endLine - countLineBreaks(text),
        raw: text,
        message: 'a quote opened here is never closed',
      };
      parser.push(issue); // in stream order: csv-parse reports it synchronously while parsing
      return undefined;
    },
  });
  const end = options.endBefore;
  if (end !== undefined && end <= start) {
    parser.end();
  } else {
    const input = createReadStream(path, end === undefined ? { start } : { start, end: end - 1 });
    // pipeline, not pipe: it closes the file when the reader stops early or fails.
    pipeline(input, parser, () => {});
  }
  return parser as AsyncIterable<CsvEntry>;
}
