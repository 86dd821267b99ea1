// Reads a "Stock Exchange Data" CSV file as a stream of ticks and rejected
// rows, in file order or in market (date) order. The only I/O of the source.
//
// Date order: "rows in date order across all indices, as the market would
// have produced them". A first streaming pass finds the file's date-sorted
// runs (see date-runs.ts), a second reads each run from its byte range and
// merges them by date; among rows of one date, earlier runs come first, and
// each run keeps file order. Memory holds one read chunk per run (see
// csv-records.ts), never the file.
// Rejected rows travel with the run they sit in: placed at their own date if
// it is readable (and the row has the right width), otherwise at the date of
// the row before them in that run, i.e. as soon as the merge reaches them.
// They are never dropped.

import { basename } from 'node:path';
import type { RawTick } from '@stockstream/common';
import { layoutFromHeader, CsvLayoutError, type CsvLayout } from './csv-layout.js';
import { isBlankRecord, readCsvRecordBatches, readRowBatches, recordOfLine, type CsvEntry, type CsvRecord, type CsvRecordsOptions, type CsvSyntaxIssue, type RowMaker } from './csv-records.js';
import { DateRunScanner, type DateRun } from './date-runs.js';
import { dateOfBytes, LineTicks } from './line-tick.js';
import { RecordTextReader } from './record-text.js';
import { parseRow, rowDate, type RowRejectReason } from './row-parser.js';
import { mergeSortedBatches } from './batch-merge.js';

export type SourceRejectReason = RowRejectReason | 'csv_syntax';

export type SourceItem =
  | { kind: 'tick'; tick: RawTick }
  | {
      kind: 'rejected';
      /** 1-based physical line the row starts on. */
      line: number;
      /** The row as written, without its line end. */
      text: string;
      reason: SourceRejectReason;
      message: string;
      /** File name without directory, as in SourceRef.name. */
      file: string;
    };

export type ReadOrder = 'date' | 'file';

export interface ReadCsvOptions {
  order: ReadOrder;
  /** Clock for ingestedAt. Default Date.now. */
  now?: () => number;
  /** Date order gives up (TooManyRunsError) on files with more date-sorted runs than this. Default 256. */
  maxRuns?: number;
  /** Date order: pass 1 already done, by planDateOrder of this file (unchanged since). */
  plan?: DateOrderPlan;
}

/** What pass 1 of date order finds: the header's layout and the file's date-sorted runs. */
export interface DateOrderPlan {
  readonly layout: CsvLayout;
  readonly runs: readonly DateRun[];
}

export const DEFAULT_MAX_RUNS = 256;

type TickItem = Extract<SourceItem, { kind: 'tick' }>;

/** A row as the reader gives it: a common row already a tick (see line-tick.ts), any other as a record. */
type Row = TickItem | CsvEntry;

const entryRow = (entry: CsvEntry): Row => entry;

/** Turns the rows of one file into SourceItems. */
class ItemMaker {
  private readonly texts: RecordTextReader;
  private readonly ticks: LineTicks;

  constructor(
    private readonly path: string,
    private readonly file: string,
    private readonly layout: CsvLayout,
    private readonly now: () => number,
  ) {
    this.texts = new RecordTextReader(path);
    this.ticks = new LineTicks(layout, file);
  }

  /** The rows of the file, or of a range of it, in batches (one per read). */
  rows(range: CsvRecordsOptions): AsyncGenerator<Row[], void, undefined> {
    return readRowBatches(this.path, range, this.rowOfLine, entryRow);
  }

  private readonly rowOfLine: RowMaker<Row> = (data, from, to, line, startByte, endByte) => {
    const tick = this.ticks.tick(data, from, to, line, this.now());
    return tick !== undefined ? { kind: 'tick', tick } : recordOfLine(data, from, to, line, startByte, endByte);
  };

  /** A tick synchronously (the hot path: no promise per row), a rejection once its text is read. */
  fromRecord(record: CsvRecord): SourceItem | Promise<SourceItem> {
    const line = record.line;
    if (record.lineBreaks > 0) {
      // No field of this format holds a line break: a stray quote swallowed the lines.
      const last = line + record.lineBreaks;
      const message = `lines ${line}-${last} were read as one record: a quoted field spans lines (unbalanced quote?)`;
      return this.rejection(record, 'csv_syntax', message);
    }
    const parsed = parseRow(record.fields, this.layout, { kind: 'FILE', name: this.file, line }, this.now());
    if (parsed.ok) return { kind: 'tick', tick: parsed.tick };
    return this.rejection(record, parsed.reason, parsed.message);
  }

  private async rejection(record: CsvRecord, reason: SourceRejectReason, message: string): Promise<SourceItem> {
    const text = await this.texts.recordText(record);
    return { kind: 'rejected', line: record.line, text, reason, message, file: this.file };
  }

  async fromIssue(issue: CsvSyntaxIssue, endBefore: number | undefined): Promise<SourceItem> {
    const { text, line } = await this.texts.issueText(issue, endBefore);
    return { kind: 'rejected', line, text, reason: 'csv_syntax', message: issue.message, file: this.file };
  }

  close(): Promise<void> {
    return this.texts.close();
  }
}

function readHeader(fields: readonly string[], file: string): CsvLayout {
  try {
    return layoutFromHeader(fields);
  } catch (error) {
    if (error instanceof CsvLayoutError) throw new CsvLayoutError(error.code, `${file}: ${error.message}`);
    throw error;
  }
}

function noHeader(file: string): CsvLayoutError {
  return new CsvLayoutError('missing_header', `${file}: no header row (the file is empty or unreadable)`);
}

/** The file's first record, its header; undefined when it has none. */
async function readHeaderRecord(path: string): Promise<CsvRecord | undefined> {
  for await (const entries of readCsvRecordBatches(path)) {
    const first = entries[0];
    if (first !== undefined) return first.kind === 'record' ? first : undefined;
  }
  return undefined;
}

async function* readInFileOrder(path: string, file: string, now: () => number): AsyncGenerator<SourceItem[], void, undefined> {
  const header = await readHeaderRecord(path);
  if (header === undefined) throw noHeader(file);
  const maker = new ItemMaker(path, file, readHeader(header.fields, file), now);
  try {
    for await (const entries of maker.rows({ start: header.endByte, firstLine: header.line + header.lineBreaks + 1 })) {
      const items: SourceItem[] = [];
      for (const entry of entries) {
        if (entry.kind === 'tick') {
          items.push(entry);
        } else if (entry.kind === 'syntax') {
          items.push(await maker.fromIssue(entry, undefined));
        } else {
          const item = maker.fromRecord(entry);
          items.push(item instanceof Promise ? await item : item);
        }
      }
      if (items.length > 0) yield items;
    }
  } finally {
    await maker.close();
  }
}

const COMMA = 0x2c;

/** True for bytes that make a field non-blank for sure: ASCII, not a comma, not what trim() removes. */
function isPlainByte(b: number): boolean {
  return b < 0x80 && b !== COMMA && b !== 0x20 && (b < 0x09 || b > 0x0d);
}

/** True when bytes [from, to) hold a plain byte: the row is not blank for sure. Most rows start with one. */
function hasPlainByte(data: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (isPlainByte(data[i] as number)) return true;
  return false;
}

/**
 * rowDate of a line without quotes, read from its bytes: only the date field
 * is decoded, not the whole row. undefined for a blank line (no record), as
 * the record reader sees it.
 */
function dateOfLine(data: Buffer, from: number, to: number, layout: CsvLayout): number | null | undefined {
  const dateColumn = layout.date;
  let field = 0;
  let fieldStart = from;
  let dateFrom = -1;
  let dateTo = -1;
  // Only commas matter here: one comparison per byte.
  for (let i = from; i < to; i++) {
    if (data[i] === COMMA) {
      if (field === dateColumn) {
        dateFrom = fieldStart;
        dateTo = i;
      }
      field++;
      fieldStart = i + 1;
    }
  }
  if (field === dateColumn) {
    dateFrom = fieldStart;
    dateTo = to;
  }
  // Blank or not is only in doubt for rows of commas, white space and non-ASCII text: decide as the record reader does.
  if (!hasPlainByte(data, from, to) && isBlankRecord(data.toString('utf8', from, to).split(','))) return undefined;
  if (field + 1 !== layout.columnCount) return null;
  return dateOfBytes(data, dateFrom, dateTo);
}

/**
 * Pass 1 reads in larger chunks than pass 2: it keeps nothing of a chunk, and
 * fewer reads cost fewer round trips to the thread pool.
 */
const SCAN_CHUNK_BYTES = 256 * 1024;

/** Pass 1 counts rows by feeding them to the scanner; the batches it gets carry nothing else. */
const SEEN = true;

/** Pass 1: the header's layout and the file's date-sorted runs. Reads the whole file, emits nothing. */
async function scanRuns(path: string, file: string, maxRuns: number): Promise<DateOrderPlan> {
  let layout: CsvLayout | undefined;
  let scanner: DateRunScanner | undefined;
  const header = (fields: string[], line: number, endByte: number): typeof SEEN => {
    layout = readHeader(fields, file);
    scanner = new DateRunScanner(file, maxRuns, endByte, line);
    return SEEN;
  };
  // The header is read whole; after it, of each row only its width and date column.
  const rowOfLine: RowMaker<typeof SEEN> = (data, from, to, line, _startByte, endByte) => {
    if (scanner === undefined || layout === undefined) {
      const fields = data.toString('utf8', from, to).split(',');
      return isBlankRecord(fields) ? null : header(fields, line, endByte);
    }
    const date = dateOfLine(data, from, to, layout);
    if (date === undefined) return null;
    scanner.observe(date, line, endByte);
    return SEEN;
  };
  const rowOfEntry = (entry: CsvEntry): typeof SEEN => {
    if (entry.kind === 'syntax') {
      // Only at end of input: nothing follows it, so it cannot split a run.
      if (layout === undefined) throw noHeader(file);
      return SEEN;
    }
    const end = entry.line + entry.lineBreaks;
    if (scanner === undefined || layout === undefined) return header(entry.fields, end, entry.endByte);
    scanner.observe(rowDate(entry.fields, layout), end, entry.endByte);
    return SEEN;
  };
  for await (const _ of readRowBatches(path, { chunkBytes: SCAN_CHUNK_BYTES }, rowOfLine, rowOfEntry));
  if (layout === undefined || scanner === undefined) throw noHeader(file);
  return { layout, runs: scanner.runs };
}

/**
 * Merge keys of one reading in date order. A tick's key is its date (what
 * rowDate gives for its row), so only the rare rejected rows have theirs
 * stored: no wrapper object per row.
 */
class PlacementKeys {
  private readonly rejected = new WeakMap<SourceItem, number>();

  readonly keyOf = (item: SourceItem): number => (item.kind === 'tick' ? item.tick.date : (this.rejected.get(item) as number));

  /** `item` (rejected) placed at `key`. */
  place(item: SourceItem, key: number): SourceItem {
    this.rejected.set(item, key);
    return item;
  }
}

/**
 * Pass 2, one run: its rows, whose keys are placement dates, non-decreasing
 * by construction of the runs. Rows without one take the key of the row before.
 */
async function* readRun(
  maker: ItemMaker,
  layout: CsvLayout,
  keys: PlacementKeys,
  run: DateRun,
  endBefore: number | undefined,
): AsyncGenerator<SourceItem[], void, undefined> {
  let key = -Infinity;
  for await (const entries of maker.rows({ start: run.startByte, endBefore, firstLine: run.startLine })) {
    const items: SourceItem[] = [];
    for (const entry of entries) {
      if (entry.kind === 'tick') {
        key = entry.tick.date;
        items.push(entry);
      } else if (entry.kind === 'syntax') {
        items.push(keys.place(await maker.fromIssue(entry, endBefore), key));
      } else {
        key = rowDate(entry.fields, layout) ?? key;
        const made = maker.fromRecord(entry);
        const item = made instanceof Promise ? await made : made;
        items.push(item.kind === 'tick' ? item : keys.place(item, key));
      }
    }
    yield items;
  }
}

async function* readInDateOrder(
  path: string,
  file: string,
  now: () => number,
  maxRuns: number,
  plan: DateOrderPlan | undefined,
): AsyncGenerator<SourceItem[], void, undefined> {
  const { layout, runs } = plan ?? (await scanRuns(path, file, maxRuns));
  const maker = new ItemMaker(path, file, layout, now);
  const keys = new PlacementKeys();
  try {
    const inputs = runs.map((run, i) => readRun(maker, layout, keys, run, runs[i + 1]?.startByte));
    yield* mergeSortedBatches(inputs, keys.keyOf);
  } finally {
    await maker.close();
  }
}

async function* oneByOne(batches: AsyncIterable<readonly SourceItem[]>): AsyncGenerator<SourceItem, void, undefined> {
  for await (const batch of batches) yield* batch;
}

/**
 * readCsvFile in batches, as the file is read: the cheaper way to consume it
 * (one await per batch). Same items, same order, same errors.
 */
export function readCsvFileBatches(path: string, options: ReadCsvOptions): AsyncIterable<SourceItem[]> {
  const file = basename(path);
  const now = options.now ?? Date.now;
  const maxRuns = options.maxRuns ?? DEFAULT_MAX_RUNS;
  if (!Number.isInteger(maxRuns) || maxRuns < 1) throw new RangeError(`maxRuns must be a positive integer, got ${maxRuns}`);
  return options.order === 'date' ? readInDateOrder(path, file, now, maxRuns, options.plan) : readInFileOrder(path, file, now);
}

/**
 * Pass 1 of date order on its own, for a reader elsewhere (readCsvFileBatches
 * with `plan`): the same errors as reading in date order, before any row.
 */
export function planDateOrder(path: string, maxRuns = DEFAULT_MAX_RUNS): Promise<DateOrderPlan> {
  if (!Number.isInteger(maxRuns) || maxRuns < 1) throw new RangeError(`maxRuns must be a positive integer, got ${maxRuns}`);
  return scanRuns(path, basename(path), maxRuns);
}

/**
 * The rows of a CSV file as ticks and rejections, streamed. Throws
 * CsvLayoutError when the header is missing or incomplete, and in date order
 * TooManyRunsError when the file is not grouped in date-sorted runs (both
 * before anything is emitted).
 */
export function readCsvFile(path: string, options: ReadCsvOptions): AsyncIterable<SourceItem> {
  return oneByOne(readCsvFileBatches(path, options));
}
