// Streams the CSV records of a file, or of a byte range of it, with their
// physical line numbers and byte ranges, on top of csv-parse.
//
// csv-parse cannot reliably resynchronise after a syntax error (with
// skip_records_with_error it silently loses the records that follow some
// errors), so the options are chosen to make errors impossible instead:
// relax_quotes keeps stray quotes as text and relax_column_count passes rows
// of any width on. Lines may end in CRLF, LF or CR, mixed; blank lines and
// rows of empty fields are skipped, but counted in line numbers. What remains
// are quotes left open: one still open at end of input becomes a syntax
// issue; one open for more than MAX_RECORD_CHARS aborts the read, because a
// line-oriented file that far out of sync cannot be read faithfully.

import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { Parser, type CsvError, type Options } from 'csv-parse';

export const MAX_RECORD_CHARS = 1 << 20;

/** One parsed record. Its text is bytes [startByte, endByte) minus blank rows before it. */
export interface CsvRecord {
  readonly kind: 'record';
  readonly fields: string[];
  /** 1-based physical line the record starts on. */
  readonly line: number;
  /** Line breaks inside the record (in quoted fields); 0 for a normal row. */
  readonly lineBreaks: number;
  /** Where the previous record ended: blank rows skipped before this one are included. */
  readonly startByte: number;
  /** Just past the record's line end. */
  readonly endByte: number;
}

/** Input csv-parse could not split into records: a quote never closed. */
export interface CsvSyntaxIssue {
  readonly kind: 'syntax';
  /** Where the previous record ended; the issue's text runs from here to the end of input. */
  readonly startByte: number;
  /** Line at startByte. */
  readonly firstLine: number;
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
}

/** Line breaks inside fields, and how many of them are CRLF. */
function fieldLineBreaks(fields: readonly string[]): { breaks: number; crlf: number } {
  let breaks = 0;
  let crlf = 0;
  for (const field of fields) {
    for (const match of field.matchAll(/\r\n|\r|\n/g)) {
      breaks++;
      if (match[0].length === 2) crlf++;
    }
  }
  return { breaks, crlf };
}

/**
 * Tags each record with its position. csv-parse pushes every record
 * synchronously, right after parsing it, while `info` (public) still
 * describes that record, so reading `info` here is exact. This replaces
 * on_record/info/raw, which build a context object and a raw copy per record
 * and halve the throughput; the fixture tests pin the line numbers.
 */
class PositionedParser extends Parser {
  private lastEndByte: number;
  private lastEndLine: number;
  /** csv-parse counts a CRLF inside a quoted field as two lines; this undoes it. */
  private overcountedLines = 0;

  constructor(
    private readonly startByte: number,
    private readonly lineOffset: number,
    options: Options,
  ) {
    super(options);
    this.lastEndByte = startByte;
    this.lastEndLine = lineOffset;
  }

  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (!Array.isArray(chunk)) return super.push(chunk, encoding); // end of stream or a syntax issue
    const fields = chunk as string[];
    let endLine = this.lineOffset + this.info.lines - this.overcountedLines;
    let lineBreaks = 0;
    // Only a record ending more than a line after the previous one can hold line breaks.
    if (endLine - this.lastEndLine > 1) {
      const inFields = fieldLineBreaks(fields);
      lineBreaks = inFields.breaks;
      endLine -= inFields.crlf;
      this.overcountedLines += inFields.crlf;
    }
    const endByte = this.startByte + this.info.bytes;
    const record: CsvRecord = {
      kind: 'record',
      fields,
      line: endLine - lineBreaks,
      lineBreaks,
      startByte: this.lastEndByte,
      endByte,
    };
    this.lastEndByte = endByte;
    this.lastEndLine = endLine;
    return super.push(record, encoding);
  }

  /** on_skip: an unclosed quote becomes an entry; anything else is fatal. */
  reportSkipped(error: CsvError | undefined): void {
    if (error?.code !== 'CSV_QUOTE_NOT_CLOSED') {
      const line = this.lineOffset + Number(error?.['lines'] ?? 0);
      throw new Error(`line ${line}: ${error?.message ?? 'unreadable CSV'}; the file is corrupt (unbalanced quote?)`);
    }
    const issue: CsvSyntaxIssue = {
      kind: 'syntax',
      startByte: this.lastEndByte,
      firstLine: this.lastEndLine + 1,
      message: 'a quote opened here is never closed',
    };
    this.push(issue);
  }
}

export function readCsvRecords(path: string, options: CsvRecordsOptions = {}): AsyncIterable<CsvEntry> {
  const start = options.start ?? 0;
  const parser: PositionedParser = new PositionedParser(start, (options.firstLine ?? 1) - 1, {
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
    on_skip: (error) => {
      parser.reportSkipped(error);
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
