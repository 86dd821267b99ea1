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
// Fields are byte ranges, not strings: the row parser reads numbers and
// dates from the bytes, and makes strings only of what must be one (the
// index, the text of a rejection). A line without a quote (almost every line
// of real files) is split where it lies in the read chunk; a record with a
// quote gets a buffer of its own, its quoted fields unescaped.

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

/**
 * The fields of one record: field i is bytes [starts[i], ends[i]) of `bytes`.
 * Handed to `make` (readCsvBatches), valid only during that call: the reader
 * reuses it, and `bytes` is its read chunk.
 */
export class CsvFields {
  bytes: Buffer = Buffer.alloc(0);
  count = 0;
  starts = new Int32Array(16);
  ends = new Int32Array(16);

  /** Fields of the given texts, for what is not read from a file (tests). */
  static of(texts: readonly string[]): CsvFields {
    const fields = new CsvFields();
    fields.bytes = Buffer.from(texts.join(','));
    let at = 0;
    for (const text of texts) {
      const size = Buffer.byteLength(text);
      fields.add(at, at + size);
      at += size + 1;
    }
    return fields;
  }

  add(from: number, to: number): void {
    if (this.count === this.starts.length) {
      const starts = new Int32Array(this.count * 2);
      const ends = new Int32Array(this.count * 2);
      starts.set(this.starts);
      ends.set(this.ends);
      this.starts = starts;
      this.ends = ends;
    }
    this.starts[this.count] = from;
    this.ends[this.count] = to;
    this.count++;
  }

  text(i: number): string {
    return this.bytes.toString('utf8', this.starts[i], this.ends[i]);
  }

  /** The last string repeatedText() made, and its bytes. */
  private lastText = '';
  private lastBytes = Buffer.alloc(0);

  /**
   * text(i) for a field that mostly repeats from one row to the next (the
   * index): the same string as last time while its bytes are the same.
   */
  repeatedText(i: number): string {
    const from = this.starts[i] as number;
    const to = this.ends[i] as number;
    const last = this.lastBytes;
    if (to - from === last.length && this.bytes.compare(last, 0, last.length, from, to) === 0) return this.lastText;
    this.lastBytes = Buffer.from(this.bytes.subarray(from, to)); // a copy: the chunk is not kept alive
    this.lastText = this.text(i);
    return this.lastText;
  }

  texts(): string[] {
    return Array.from({ length: this.count }, (_, i) => this.text(i));
  }

  /** True when every field is blank (what trim() removes): such a row is no record. */
  isBlank(): boolean {
    const bytes = this.bytes;
    for (let f = 0; f < this.count; f++) {
      for (let i = this.starts[f] as number; i < (this.ends[f] as number); i++) {
        const b = bytes[i] as number;
        if (b >= 0x80) return this.texts().every((text) => text.trim() === ''); // Unicode spaces: ask trim()
        if (b !== 0x20 && (b < 0x09 || b > 0x0d)) return false;
      }
    }
    return true;
  }
}

/** One record: bytes [startByte, endByte) of the file, its line end included. Valid during the call it is handed to (reused). */
export interface CsvRecord {
  readonly kind: 'record';
  readonly fields: CsvFields;
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
  /** The fields of unquoted lines and the record handed over with them, reused. */
  private readonly fields = new CsvFields();
  private readonly record: { -readonly [K in keyof CsvRecord]: CsvRecord[K] } = { kind: 'record', fields: this.fields, line: 0, lineBreaks: 0, startByte: 0, endByte: 0 };

  constructor(firstLine = 1) {
    this.line = firstLine;
  }

  /**
   * Hands the entries of the complete records of `data` (from `p`) to
   * `emit`, in order; returns where the unsplit rest starts. `dataStart`:
   * file offset of data[0]; `eof`: nothing follows `data` in the range.
   */
  split(data: Buffer, p: number, dataStart: number, eof: boolean, emit: (entry: CsvEntry) => void): number {
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
        const next = this.quotedRecord(data, p, dataStart, eof, emit);
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
        const fields = this.fields;
        fields.bytes = data;
        fields.count = 0;
        let from = p;
        for (let i = p; i < to; i++) {
          if (data[i] === COMMA) {
            fields.add(from, i);
            from = i + 1;
          }
        }
        fields.add(from, to);
        if (!fields.isBlank()) {
          const record = this.record;
          record.line = this.line;
          record.startByte = dataStart + p;
          record.endByte = dataStart + next;
          emit(record);
        }
      }
      this.line++;
      p = next;
    }
    if (n - p > MAX_RECORD_BYTES) throw tooLong(this.line);
    return p;
  }

  /** The record at p, which has a quote: its end, or -1 when it does not end within data. */
  private quotedRecord(data: Buffer, p: number, dataStart: number, eof: boolean, emit: (entry: CsvEntry) => void): number {
    const n = data.length;
    // The fields' text, unescaped, is gathered from pieces of data into a buffer of the record's own.
    const pieces: Buffer[] = [];
    let size = 0;
    const piece = (from: number, to: number): void => {
      pieces.push(data.subarray(from, to));
      size += to - from;
    };
    const bounds: number[] = [];
    let breaks = 0;
    let i = p;
    for (;;) {
      const start = i;
      const fieldFrom = size;
      if (data[i] === QUOTE) {
        const piecesBefore = pieces.length;
        let from = i + 1;
        for (;;) {
          const q = data.indexOf(QUOTE, from);
          if (q === -1 || (q + 1 === n && !eof)) {
            if (!eof) return -1;
            if (n - p > MAX_RECORD_BYTES) throw tooLong(this.line);
            emit({ kind: 'syntax', startByte: dataStart + p, line: this.line, message: 'a quote opened here is never closed' });
            this.line += lineBreaksIn(data, p, n);
            return n;
          }
          if (data[q + 1] === QUOTE) {
            piece(from, q + 1); // "" is one quote
            from = q + 2;
            continue;
          }
          piece(from, q);
          breaks += lineBreaksIn(data, start, q);
          i = q + 1;
          break;
        }
        const after = data[i];
        if (i < n && after !== COMMA && after !== LF && after !== CR) {
          // Text after the closing quote: the field is kept as written, quotes and all.
          i = fieldEnd(data, i);
          if (i === n && !eof) return -1;
          pieces.length = piecesBefore;
          size = fieldFrom;
          piece(start, i);
        }
      } else {
        i = fieldEnd(data, i);
        if (i === n && !eof) return -1;
        piece(start, i);
      }
      bounds.push(fieldFrom, size);
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
      const fields = new CsvFields();
      fields.bytes = Buffer.concat(pieces, size);
      for (let f = 0; f < bounds.length; f += 2) fields.add(bounds[f] as number, bounds[f + 1] as number);
      if (!fields.isBlank()) emit({ kind: 'record', fields, line: this.line, lineBreaks: breaks, startByte: dataStart + p, endByte: dataStart + next });
      this.line += breaks + 1;
      return next;
    }
  }
}

/**
 * What `make` makes of the entries of a file, or of a range of it (undefined:
 * nothing), in batches: one per read of the file (the next read is under way
 * meanwhile). Entries are made into rows as they are split, so no batch of
 * entries is kept while the consumer works (they made the garbage collector
 * copy them from one generation to the next).
 */
export async function* readCsvBatches<T>(path: string, range: CsvRange, make: (entry: CsvEntry) => T | undefined): AsyncGenerator<T[], void, undefined> {
  const start = range.start ?? 0;
  const endBefore = range.endBefore;
  if (endBefore !== undefined && endBefore <= start) return;
  const chunkBytes = range.chunkBytes ?? CHUNK_BYTES;
  const splitter = new CsvSplitter(range.firstLine ?? 1);
  let batch: T[] = [];
  const emit = (entry: CsvEntry): void => {
    const row = make(entry);
    if (row !== undefined) batch.push(row);
  };

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
      p = splitter.split(data, p, dataStart, eof, emit);
      if (batch.length > 0) {
        const full = batch;
        batch = [];
        yield full;
      }
      data = data.subarray(p);
      dataStart += p;
    }
  } finally {
    await nextChunk?.catch(() => undefined); // a read still under way when stopped early
    await handle.close();
  }
}
