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
import { isBlankRecord, readCsvRecordBatches, readRowBatches, type CsvEntry, type CsvRecord, type CsvSyntaxIssue, type RowMaker } from './csv-records.js';
import { DateRunScanner, type DateRun } from './date-runs.js';
import { parseDate } from '@stockstream/common/dates';
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

/** Turns parsed records of one file into SourceItems. */
class ItemMaker {
  private readonly texts: RecordTextReader;

  constructor(
    path: string,
    private readonly file: string,
    private readonly layout: CsvLayout,
    private readonly now: () => number,
  ) {
    this.texts = new RecordTextReader(path);
  }

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

async function* readInFileOrder(path: string, file: string, now: () => number): AsyncGenerator<SourceItem[], void, undefined> {
  let maker: ItemMaker | undefined;
  try {
    for await (const entries of readCsvRecordBatches(path)) {
      const items: SourceItem[] = [];
      for (const entry of entries) {
        if (maker === undefined) {
          if (entry.kind === 'syntax') throw noHeader(file);
          maker = new ItemMaker(path, file, readHeader(entry.fields, file), now);
        } else if (entry.kind === 'syntax') {
          items.push(await maker.fromIssue(entry, undefined));
        } else {
          const item = maker.fromRecord(entry);
          items.push(item instanceof Promise ? await item : item);
        }
      }
      if (items.length > 0) yield items;
    }
    if (maker === undefined) throw noHeader(file);
  } finally {
    await maker?.close();
  }
}

const COMMA = 0x2c;

/** True for bytes that make a field non-blank for sure: ASCII, not a comma, not what trim() removes. */
function isPlainByte(b: number): boolean {
  return b < 0x80 && b !== COMMA && b !== 0x20 && (b < 0x09 || b > 0x0d);
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
  let plain = false;
  for (let i = from; i < to; i++) {
    const b = data[i] as number;
    if (b === COMMA) {
      if (field === dateColumn) {
        dateFrom = fieldStart;
        dateTo = i;
      }
      field++;
      fieldStart = i + 1;
    } else if (!plain && isPlainByte(b)) {
      plain = true;
    }
  }
  if (field === dateColumn) {
    dateFrom = fieldStart;
    dateTo = to;
  }
  // Blank or not is only in doubt for rows of commas, white space and non-ASCII text: decide as the record reader does.
  if (!plain && isBlankRecord(data.toString('utf8', from, to).split(','))) return undefined;
  if (field + 1 !== layout.columnCount) return null;
  // latin1 decodes ASCII as utf8 does, and parseDate accepts only ASCII: same result, less work.
  return parseDate(data.toString('latin1', dateFrom, dateTo));
}

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
  for await (const _ of readRowBatches(path, {}, rowOfLine, rowOfEntry));
  if (layout === undefined || scanner === undefined) throw noHeader(file);
  return { layout, runs: scanner.runs };
}

interface Keyed {
  readonly key: number;
  readonly item: SourceItem;
}

/**
 * Pass 2, one run: its rows keyed by placement date, non-decreasing by
 * construction of the runs. Rows without one take the key of the row before.
 */
async function* readRun(
  path: string,
  maker: ItemMaker,
  layout: CsvLayout,
  run: DateRun,
  endBefore: number | undefined,
): AsyncGenerator<Keyed[], void, undefined> {
  let key = -Infinity;
  for await (const entries of readCsvRecordBatches(path, { start: run.startByte, endBefore, firstLine: run.startLine })) {
    const keyed: Keyed[] = [];
    for (const entry of entries) {
      if (entry.kind === 'syntax') {
        keyed.push({ key, item: await maker.fromIssue(entry, endBefore) });
      } else {
        key = rowDate(entry.fields, layout) ?? key;
        const item = maker.fromRecord(entry);
        keyed.push({ key, item: item instanceof Promise ? await item : item });
      }
    }
    yield keyed;
  }
}

const keyOf = (k: Keyed) => k.key;
const itemOf = (k: Keyed) => k.item;

async function* readInDateOrder(
  path: string,
  file: string,
  now: () => number,
  maxRuns: number,
  plan: DateOrderPlan | undefined,
): AsyncGenerator<SourceItem[], void, undefined> {
  const { layout, runs } = plan ?? (await scanRuns(path, file, maxRuns));
  const maker = new ItemMaker(path, file, layout, now);
  try {
    const inputs = runs.map((run, i) => readRun(path, maker, layout, run, runs[i + 1]?.startByte));
    for await (const keyed of mergeSortedBatches(inputs, keyOf)) yield keyed.map(itemOf);
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
