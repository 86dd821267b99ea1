// Reads a "Stock Exchange Data" CSV file as a stream of ticks and rejected
// rows, in file order or in market (date) order.
//
// Date order: "rows in date order across all indices, as the market would
// have produced them". A first streaming pass finds the file's date-sorted
// runs (see date-runs.ts), a second reads each run from its byte range and
// merges them by date; among rows of one date, earlier runs come first, and
// each run keeps file order. Memory holds one read chunk per run (see
// csv-reader.ts), never the file.
// Rejected rows travel with the run they sit in: placed at their own date if
// it is readable (and the row has the right width), otherwise at the date of
// the row before them in that run, i.e. as soon as the merge reaches them.
// They are never dropped.

import { basename } from 'node:path';
import type { RawTick } from '@stockstream/common';
import { layoutFromHeader, CsvLayoutError, type CsvLayout } from './csv-layout.js';
import { readCsvBatches, type CsvEntry, type CsvRange } from './csv-reader.js';
import { DateRunScanner, type DateRun } from './date-runs.js';
import { RecordTextReader } from './record-text.js';
import { parseRow, rowDate, type RowRejectReason } from './row-parser.js';
import { mergeSortedBatches } from '../replay/date-order-merge.js';

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

/** Turns the entries of one file into SourceItems. */
class ItemMaker {
  private readonly texts: RecordTextReader;

  constructor(
    private readonly file: string,
    readonly layout: CsvLayout,
    readonly path: string,
    private readonly now: () => number,
  ) {
    this.texts = new RecordTextReader(path);
  }

  /**
   * A tick synchronously (the hot path: no promise per row), a rejection
   * once its text is read. `endBefore`: the end of the range read.
   */
  item(entry: CsvEntry, endBefore: number | undefined): TickItem | Promise<SourceItem> {
    if (entry.kind === 'syntax') return this.rejection(entry.line, this.texts.issueText(entry, endBefore), 'csv_syntax', entry.message);
    const line = entry.line;
    if (entry.lineBreaks > 0) {
      // No field of this format holds a line break: a stray quote swallowed the lines.
      const message = `lines ${line}-${line + entry.lineBreaks} were read as one record: a quoted field spans lines (unbalanced quote?)`;
      return this.rejection(line, this.texts.recordText(entry), 'csv_syntax', message);
    }
    const parsed = parseRow(entry.fields, this.layout, { kind: 'FILE', name: this.file, line }, this.now());
    if (parsed.ok) return { kind: 'tick', tick: parsed.tick };
    return this.rejection(line, this.texts.recordText(entry), parsed.reason, parsed.message);
  }

  private async rejection(line: number, text: Promise<string>, reason: SourceRejectReason, message: string): Promise<SourceItem> {
    return { kind: 'rejected', line, text: await text, reason, message, file: this.file };
  }

  close(): Promise<void> {
    return this.texts.close();
  }
}

function layoutOf(fields: readonly string[], file: string): CsvLayout {
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

/** What the header row gives: the layout, and where the rows after it start (the end of the header). */
interface Header {
  readonly layout: CsvLayout;
  readonly endByte: number;
  /** Line the header ends on. */
  readonly line: number;
}

/** The file's first record, its header. */
async function readHeader(path: string, file: string): Promise<Header> {
  // Made into strings while the reader's fields are valid; null for an unclosed quote before any record.
  const header = (entry: CsvEntry) => (entry.kind === 'record' ? { names: entry.fields.texts(), endByte: entry.endByte, line: entry.line + entry.lineBreaks } : null);
  for await (const rows of readCsvBatches(path, {}, header)) {
    const first = rows[0];
    if (first === undefined || first === null) break;
    return { layout: layoutOf(first.names, file), endByte: first.endByte, line: first.line };
  }
  throw noHeader(file);
}

/** The rows after the header. */
const afterHeader = (header: Header): CsvRange => ({ start: header.endByte, firstLine: header.line + 1 });

/** Waits for the rejections of a batch (a promise each: their text is being read); ticks are there already. */
async function settled(batch: (SourceItem | Promise<SourceItem>)[]): Promise<SourceItem[]> {
  return batch.some((item) => item instanceof Promise) ? Promise.all(batch) : (batch as SourceItem[]);
}

async function* readInFileOrder(path: string, file: string, now: () => number): AsyncGenerator<SourceItem[], void, undefined> {
  const header = await readHeader(path, file);
  const maker = new ItemMaker(file, header.layout, path, now);
  try {
    for await (const batch of readCsvBatches(path, afterHeader(header), (entry) => maker.item(entry, undefined))) yield await settled(batch);
  } finally {
    await maker.close();
  }
}

/**
 * Pass 1 reads in larger chunks than pass 2: it keeps nothing of a chunk, and
 * fewer reads cost fewer round trips to the thread pool.
 */
const SCAN_CHUNK_BYTES = 256 * 1024;

/** Pass 1: the header's layout and the file's date-sorted runs. Reads the whole file, emits nothing. */
async function scanRuns(path: string, file: string, maxRuns: number): Promise<DateOrderPlan> {
  const header = await readHeader(path, file);
  const layout = header.layout;
  const scanner = new DateRunScanner(file, maxRuns, header.endByte, header.line);
  const observe = (entry: CsvEntry): undefined => {
    // A syntax issue comes only at the end of input: nothing follows it, so it cannot split a run.
    if (entry.kind === 'record') scanner.observe(rowDate(entry.fields, layout), entry.line + entry.lineBreaks, entry.endByte);
    return undefined;
  };
  for await (const _ of readCsvBatches(path, { ...afterHeader(header), chunkBytes: SCAN_CHUNK_BYTES }, observe));
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
async function* readRun(maker: ItemMaker, keys: PlacementKeys, run: DateRun, endBefore: number | undefined): AsyncGenerator<SourceItem[], void, undefined> {
  let key = -Infinity;
  const placed = (entry: CsvEntry): SourceItem | Promise<SourceItem> => {
    const item = maker.item(entry, endBefore);
    if (!(item instanceof Promise)) {
      key = item.tick.date;
      return item;
    }
    if (entry.kind === 'record') key = rowDate(entry.fields, maker.layout) ?? key;
    const at = key;
    return item.then((rejected) => keys.place(rejected, at));
  };
  for await (const batch of readCsvBatches(maker.path, { start: run.startByte, endBefore, firstLine: run.startLine }, placed)) yield await settled(batch);
}

async function* readInDateOrder(
  path: string,
  file: string,
  now: () => number,
  maxRuns: number,
  plan: DateOrderPlan | undefined,
): AsyncGenerator<SourceItem[], void, undefined> {
  const { layout, runs } = plan ?? (await scanRuns(path, file, maxRuns));
  const maker = new ItemMaker(file, layout, path, now);
  const keys = new PlacementKeys();
  try {
    const inputs = runs.map((run, i) => readRun(maker, keys, run, runs[i + 1]?.startByte));
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
