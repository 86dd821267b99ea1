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
import { open } from 'node:fs/promises';
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
  /** Bytes read at a time after the first read (default CHUNK_BYTES): a batch holds the rows of one read. */
  chunkBytes?: number;
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

// ---------------------------------------------------------------------------
// Fast path. Most files (the public data set included) have no quote at all,
// and then csv-parse's rules with the options above come down to: split lines
// at CRLF, LF or CR; skip empty lines and lines whose fields are all blank
// (trim() === ''); split the rest at commas. readCsvRecordBatches does just
// that, with the same line numbers and byte ranges, and hands the rest of its
// range over to csv-parse (readCsvRecords, from the end of the last record it
// emitted) as soon as it meets anything else: a quote, a line longer than
// MAX_RECORD_CHARS, a UTF-16 byte order mark. csv-parse restarted at a record
// boundary is in the same state as one that got there by itself, so the
// result is what readCsvRecords gives for the whole range.

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = ',';
/** Bytes read at a time; a batch holds the records of one read. */
export const CHUNK_BYTES = 64 * 1024;
/** The first read of a range is smaller: a merge of many ranges has its first rows sooner. */
const FIRST_CHUNK_BYTES = 8 * 1024;

export function isBlankRecord(fields: readonly string[]): boolean {
  for (const field of fields) if (field.trim() !== '') return false;
  return true;
}

/**
 * Makes a row of a line without quotes: bytes [from, to) of `data`, not empty,
 * that starts on `line` and ends (line end included) at file offset `endByte`;
 * `startByte` is where the previous row ended. Returns null for a line that
 * is no record (all fields blank).
 */
export type RowMaker<T> = (data: Buffer, from: number, to: number, line: number, startByte: number, endByte: number) => T | null;

/** The fast reader's rows: CsvRecords. */
export const recordOfLine: RowMaker<CsvEntry> = (data, from, to, line, startByte, endByte) => {
  const fields = data.toString('utf8', from, to).split(COMMA);
  return isBlankRecord(fields) ? null : { kind: 'record', fields, line, lineBreaks: 0, startByte, endByte };
};

/** The line splitting of the fast path, outside the generator so that it is optimised as a plain loop. */
interface LineState {
  /** 1-based line of data[p]. */
  line: number;
  /** Where the last row ended, and on which line. */
  lastEndByte: number;
  lastEndLine: number;
  handOver: boolean;
}

/** Rows of the complete lines in data from p; returns where the unread rest starts. */
function splitLines<T>(data: Buffer, p: number, dataStart: number, eof: boolean, state: LineState, makeRow: RowMaker<T>, out: T[]): number {
  const n = data.length;
  // Next LF, CR and quote at or after p (-1: none in data).
  let nl = data.indexOf(LF, p);
  let cr = data.indexOf(CR, p);
  const quote = data.indexOf(QUOTE, p);
  let line = state.line;
  for (;;) {
    if (nl !== -1 && nl < p) nl = data.indexOf(LF, p);
    if (cr !== -1 && cr < p) cr = data.indexOf(CR, p);
    let lineEnd: number;
    let delimiter: number;
    if (cr !== -1 && (nl === -1 || cr < nl)) {
      lineEnd = cr;
      if (cr + 1 < n) delimiter = data[cr + 1] === LF ? 2 : 1;
      else if (eof) delimiter = 1;
      else break; // a CR at the end of the data: CRLF or CR is decided by the next chunk
    } else if (nl !== -1) {
      lineEnd = nl;
      delimiter = 1;
    } else {
      if (!eof || p === n) break; // a partial line waits for the next chunk
      lineEnd = n; // the last line, without a line end
      delimiter = 0;
    }
    if (lineEnd - p > MAX_RECORD_CHARS || (quote !== -1 && quote < lineEnd)) {
      state.handOver = true;
      break;
    }
    if (lineEnd > p) {
      const endByte = dataStart + lineEnd + delimiter;
      const row = makeRow(data, p, lineEnd, line, state.lastEndByte, endByte);
      if (row !== null) {
        out.push(row);
        state.lastEndByte = endByte;
        state.lastEndLine = line;
      }
    }
    p = lineEnd + delimiter;
    if (delimiter === 0) break;
    line++;
  }
  state.line = line;
  if (n - p > MAX_RECORD_CHARS) state.handOver = true; // csv-parse reports the over-long record
  return p;
}

/**
 * The same entries as readCsvRecords, in batches (one per read of the file),
 * and much faster on input without quotes.
 */
export function readCsvRecordBatches(path: string, options: CsvRecordsOptions = {}): AsyncGenerator<CsvEntry[], void, undefined> {
  return readRowBatches(path, options, recordOfLine, (entry) => entry);
}

/**
 * readCsvRecordBatches with rows of the caller's making: `makeRow` for the
 * lines the fast path reads, `fromEntry` for the entries of csv-parse after
 * a hand-over.
 */
export async function* readRowBatches<T>(
  path: string,
  options: CsvRecordsOptions,
  makeRow: RowMaker<T>,
  fromEntry: (entry: CsvEntry) => T,
): AsyncGenerator<T[], void, undefined> {
  const start = options.start ?? 0;
  const endBefore = options.endBefore;
  if (endBefore !== undefined && endBefore <= start) return;
  const firstLine = options.firstLine ?? 1;
  const chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
  const state: LineState = { line: firstLine, lastEndByte: start, lastEndLine: firstLine - 1, handOver: false };

  const handle = await open(path, 'r');
  /** The next chunk of the range from `at`; empty at its end. */
  const readChunk = async (at: number): Promise<Buffer> => {
    const size = at === start ? FIRST_CHUNK_BYTES : chunkBytes;
    const want = endBefore === undefined ? size : Math.min(size, endBefore - at);
    if (want <= 0) return Buffer.alloc(0);
    const chunk = Buffer.allocUnsafe(want);
    const { bytesRead } = await handle.read(chunk, 0, want, at);
    return bytesRead < want ? chunk.subarray(0, bytesRead) : chunk;
  };
  let nextChunk: Promise<Buffer> | undefined;
  const readAhead = (at: number): Promise<Buffer> => {
    const read = readChunk(at);
    read.catch(() => undefined); // its failure surfaces where it is awaited, not as an unhandled rejection meanwhile
    return read;
  };
  try {
    let readPos = start;
    nextChunk = readAhead(readPos);
    let data: Buffer = Buffer.alloc(0);
    /** File offset of data[0]. */
    let dataStart = start;
    let eof = false;
    let bomChecked = start !== 0;

    while (!eof && !state.handOver) {
      // The chunk after what is left of the last one (a partial line); the one after it is read meanwhile.
      const chunk: Buffer = await (nextChunk as Promise<Buffer>);
      readPos += chunk.length;
      eof = chunk.length === 0;
      nextChunk = eof ? undefined : readAhead(readPos);
      data = data.length === 0 ? chunk : Buffer.concat([data, chunk]);
      let p = 0;

      if (!bomChecked) {
        if (data.length < 3 && !eof) continue; // csv-parse also waits for 3 bytes
        bomChecked = true;
        if (data.length >= 3) {
          if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) p = 3;
          else if (data[0] === 0xff && data[1] === 0xfe) {
            state.handOver = true; // UTF-16: csv-parse switches encodings
            break;
          }
        }
      }

      const batch: T[] = [];
      p = splitLines(data, p, dataStart, eof, state, makeRow, batch);
      if (batch.length > 0) yield batch;
      data = data.subarray(p);
      dataStart += p;
    }
  } finally {
    await nextChunk?.catch(() => undefined); // a read still under way when stopped early
    await handle.close();
  }

  if (state.handOver) {
    for await (const entry of readCsvRecords(path, { start: state.lastEndByte, endBefore, firstLine: state.lastEndLine + 1 })) {
      yield [fromEntry(entry as CsvEntry)];
    }
  }
}
