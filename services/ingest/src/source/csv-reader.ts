// The one CSV reader of the source: splits a file, or a byte range of it,
// into records of fields, each with its physical line and byte range (the
// text of a dead letter is read back from it, date runs start at it).
//
// Tolerant, as spreadsheets and data tools write CSV: lines end in CRLF, LF
// or CR, mixed (indexData.csv ends its CRLF lines with one bare LF); a UTF-8
// byte order mark is skipped; blank lines and rows of blank fields
// (",,,,,,,") are skipped but counted in line numbers; rows of any width are
// passed on, for the row parser to judge. A field that starts with a quote
// runs to its closing quote ("" inside is one quote) and may span lines; a
// quote anywhere else is text. A quote still open at the end of the input is
// a CsvSyntaxIssue; a record longer than MAX_RECORD_BYTES aborts the read,
// because a line-oriented file that far out of sync cannot be read faithfully.
//
// Fast path: a line without a quote (almost every line of real files) is
// split at its commas.

import { open } from 'node:fs/promises';

export const MAX_RECORD_BYTES = 1 << 20;
/** Bytes read at a time; a batch holds the records of one read. */
export const CHUNK_BYTES = 64 * 1024;
/** The first read of a range is smaller: a merge of many ranges has its first rows sooner. */
const FIRST_CHUNK_BYTES = 8 * 1024;

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;

/** One record: bytes [startByte, endByte) of the file, its line end included. */
export interface CsvRecord {
  readonly kind: 'record';
  readonly fields: string[];
  /** 1-based physical line the record starts on. */
  readonly line: number;
  /** Line breaks inside quoted fields; 0 for a normal row. */
  readonly lineBreaks: number;
  readonly startByte: number;
  readonly endByte: number;
}

/** A quote opened at startByte and never closed: the rest of the input is its text. */
export interface CsvSyntaxIssue {
  readonly kind: 'syntax';
  readonly startByte: number;
  /** Line at startByte. */
  readonly line: number;
  readonly message: string;
}

export type CsvEntry = CsvRecord | CsvSyntaxIssue;

export interface CsvRange {
  /** First byte to read (default 0). */
  start?: number;
  /** Byte to stop before (default end of file). */
  endBefore?: number;
  /** Physical line number of the byte at `start` (default 1). */
  firstLine?: number;
  /** Bytes read at a time after the first read (default CHUNK_BYTES). */
  chunkBytes?: number;
}

function isBlank(fields: readonly string[]): boolean {
  for (const field of fields) if (field.trim() !== '') return false;
  return true;
}

function tooLong(line: number): Error {
  return new Error(`line ${line}: a record longer than ${MAX_RECORD_BYTES} bytes; the file is corrupt (unbalanced quote?)`);
}

/** Line breaks in bytes [from, to); CRLF counts as one. */
function lineBreaksIn(data: Uint8Array, from: number, to: number): number {
  let breaks = 0;
  for (let i = from; i < to; i++) {
    const b = data[i];
    if (b === LF) breaks++;
    else if (b === CR) {
      breaks++;
      if (data[i + 1] === LF && i + 1 < to) i++;
    }
  }
  return breaks;
}

/** End of the unquoted field at `from`: the next comma or line end, or data.length. */
function fieldEnd(data: Uint8Array, from: number): number {
  for (let i = from; i < data.length; i++) {
    const b = data[i];
    if (b === COMMA || b === LF || b === CR) return i;
  }
  return data.length;
}

/**
 * Splits chunks of one range into entries. Pure: the caller reads the file
 * and hands over each chunk with what was left unsplit of the previous one.
 */
export class CsvSplitter {
  /** 1-based line at the next byte to split. */
  private line: number;

  constructor(firstLine = 1) {
    this.line = firstLine;
  }

  /**
   * Appends the entries of the complete records of `data` (from `p`) to
   * `out`; returns where the unsplit rest starts. `dataStart`: file offset of
   * data[0]; `eof`: nothing follows `data` in the range.
   */
  split(data: Buffer, p: number, dataStart: number, eof: boolean, out: CsvEntry[]): number {
    const n = data.length;
    // Next LF, CR and quote at or after p, found once and refreshed as p passes them (-1: none in data).
    let lf = data.indexOf(LF, p);
    let cr = data.indexOf(CR, p);
    let quote = data.indexOf(QUOTE, p);
    while (p < n) {
      if (lf !== -1 && lf < p) lf = data.indexOf(LF, p);
      if (cr !== -1 && cr < p) cr = data.indexOf(CR, p);
      if (quote !== -1 && quote < p) quote = data.indexOf(QUOTE, p);
      const lineEnd = cr !== -1 && (lf === -1 || cr < lf) ? cr : lf;
      if (quote !== -1 && (lineEnd === -1 || quote < lineEnd)) {
        const next = this.quotedRecord(data, p, dataStart, eof, out);
        if (next === -1) break;
        p = next;
        continue;
      }
      let next: number;
      if (lineEnd === -1) {
        if (!eof) break; // a partial line waits for the next chunk
        next = n; // the last line, without a line end
      } else if (data[lineEnd] === CR) {
        if (lineEnd + 1 === n && !eof) break; // CRLF or CR is decided by the next chunk
        next = data[lineEnd + 1] === LF ? lineEnd + 2 : lineEnd + 1;
      } else {
        next = lineEnd + 1;
      }
      const to = lineEnd === -1 ? n : lineEnd;
      if (to - p > MAX_RECORD_BYTES) throw tooLong(this.line);
      if (to > p) {
        const fields = data.toString('utf8', p, to).split(',');
        if (!isBlank(fields)) out.push({ kind: 'record', fields, line: this.line, lineBreaks: 0, startByte: dataStart + p, endByte: dataStart + next });
      }
      this.line++;
      p = next;
    }
    if (n - p > MAX_RECORD_BYTES) throw tooLong(this.line);
    return p;
  }

  /** The record at p, which has a quote: its end, or -1 when it does not end within data. */
  private quotedRecord(data: Buffer, p: number, dataStart: number, eof: boolean, out: CsvEntry[]): number {
    const n = data.length;
    const fields: string[] = [];
    let breaks = 0;
    let i = p;
    for (;;) {
      const start = i;
      if (data[i] === QUOTE) {
        let text = '';
        let from = i + 1;
        for (;;) {
          const q = data.indexOf(QUOTE, from);
          if (q === -1 || (q + 1 === n && !eof)) {
            if (!eof) return -1;
            if (n - p > MAX_RECORD_BYTES) throw tooLong(this.line);
            out.push({ kind: 'syntax', startByte: dataStart + p, line: this.line, message: 'a quote opened here is never closed' });
            this.line += lineBreaksIn(data, p, n);
            return n;
          }
          text += data.toString('utf8', from, q);
          if (data[q + 1] === QUOTE) {
            text += '"';
            from = q + 2;
            continue;
          }
          breaks += lineBreaksIn(data, start, q);
          i = q + 1;
          break;
        }
        const after = data[i];
        if (i === n || after === COMMA || after === LF || after === CR) fields.push(text);
        else {
          // Text after the closing quote: the field is kept as written, quotes and all.
          i = fieldEnd(data, i);
          if (i === n && !eof) return -1;
          fields.push(data.toString('utf8', start, i));
        }
      } else {
        i = fieldEnd(data, i);
        if (i === n && !eof) return -1;
        fields.push(data.toString('utf8', start, i));
      }
      if (data[i] === COMMA) {
        i++;
        continue;
      }
      let next: number;
      if (i === n) next = n;
      else if (data[i] === CR) {
        if (i + 1 === n && !eof) return -1;
        next = data[i + 1] === LF ? i + 2 : i + 1;
      } else next = i + 1;
      if (next - p > MAX_RECORD_BYTES) throw tooLong(this.line);
      if (!isBlank(fields)) out.push({ kind: 'record', fields, line: this.line, lineBreaks: breaks, startByte: dataStart + p, endByte: dataStart + next });
      this.line += breaks + 1;
      return next;
    }
  }
}

/**
 * The entries of a file, or of a range of it, in batches: one per read of
 * the file (the next read is under way meanwhile).
 */
export async function* readCsvBatches(path: string, range: CsvRange = {}): AsyncGenerator<CsvEntry[], void, undefined> {
  const start = range.start ?? 0;
  const endBefore = range.endBefore;
  if (endBefore !== undefined && endBefore <= start) return;
  const chunkBytes = range.chunkBytes ?? CHUNK_BYTES;
  const splitter = new CsvSplitter(range.firstLine ?? 1);

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
  const readAhead = (at: number): Promise<Buffer> => {
    const read = readChunk(at);
    read.catch(() => undefined); // its failure surfaces where it is awaited, not as an unhandled rejection meanwhile
    return read;
  };
  let nextChunk: Promise<Buffer> | undefined = readAhead(start);
  try {
    let readPos = start;
    let data: Buffer = Buffer.alloc(0);
    /** File offset of data[0]. */
    let dataStart = start;
    let bomChecked = start !== 0;
    for (let eof = false; !eof; ) {
      const chunk: Buffer = await (nextChunk as Promise<Buffer>);
      readPos += chunk.length;
      eof = chunk.length === 0;
      nextChunk = eof ? undefined : readAhead(readPos);
      data = data.length === 0 ? chunk : Buffer.concat([data, chunk]);
      let p = 0;
      if (!bomChecked) {
        if (data.length < 3 && !eof) continue;
        bomChecked = true;
        if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) p = 3;
        else if ((data[0] === 0xff && data[1] === 0xfe) || (data[0] === 0xfe && data[1] === 0xff)) {
          throw new Error(`${path}: the file is UTF-16 text; save it as UTF-8`);
        }
      }
      const batch: CsvEntry[] = [];
      p = splitter.split(data, p, dataStart, eof, batch);
      if (batch.length > 0) yield batch;
      data = data.subarray(p);
      dataStart += p;
    }
  } finally {
    await nextChunk?.catch(() => undefined); // a read still under way when stopped early
    await handle.close();
  }
}
