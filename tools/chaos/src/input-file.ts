// The input of a chaos run: a CSV file of the public "Stock Exchange Data"
// format, from the seed alone. Valid rows are the ingest generator's bars
// (several seeded feeds, so a million rows stay within 1950-2025); between
// them, at seeded lines, a known set of bad rows: every reason ingest or the
// enrichment's rules can give a CSV row. Pure: returns the text's lines.

import type { RawTick } from '@stockstream/common';
import { formatDate, parseDate } from '@stockstream/common/dates';
import { generateTicks } from '@stockstream/ingest/dist/src/source/generator.js';
import { mulberry32 } from '@stockstream/ingest/dist/src/source/prng.js';
import { RAW_HEADER } from '@stockstream/ingest/dist/src/source/csv-layout.js';

/** An index the chaos run's reference file adds, in a currency no rate file or fallback covers: its bars are no_fx_rate. */
export const NO_FX_INDEX = { index: 'CHAOS.NOFX', exchange: 'Chaos test exchange', region: 'Nowhere', currency: 'XTS' } as const;

/** Bad rows, one per reason; `lines` is more than one when the row spans lines on purpose. */
export const BAD_ROWS: ReadonlyArray<{ reason: string; stage: 'INGEST' | 'ENRICHMENT'; lines: readonly string[] }> = [
  { reason: 'column_count', stage: 'INGEST', lines: ['HSI,2001-01-02,1,2,3'] },
  { reason: 'invalid_number', stage: 'INGEST', lines: ['HSI,2001-01-02,abc,2,1,1.5,1.5,100'] },
  { reason: 'invalid_date', stage: 'INGEST', lines: ['HSI,2001-13-45,1,2,0.5,1.5,1.5,100'] },
  { reason: 'missing_index', stage: 'INGEST', lines: [',2001-01-02,1,2,0.5,1.5,1.5,100'] },
  { reason: 'invalid_volume', stage: 'INGEST', lines: ['HSI,2001-01-02,1,2,0.5,1.5,1.5,100.5'] },
  // An unbalanced quote: two physical lines read as one record.
  { reason: 'csv_syntax', stage: 'INGEST', lines: ['HSI,2001-01-02,"1', '",2,0.5,1.5,1.5,100'] },
  { reason: 'unknown_index', stage: 'ENRICHMENT', lines: ['FTSE,2001-01-02,1,2,0.5,1.5,1.5,100'] },
  { reason: 'date_before_1900', stage: 'ENRICHMENT', lines: ['HSI,1899-12-29,1,2,0.5,1.5,1.5,100'] },
  { reason: 'date_in_future', stage: 'ENRICHMENT', lines: ['HSI,2999-01-01,1,2,0.5,1.5,1.5,100'] },
  { reason: 'missing_price', stage: 'ENRICHMENT', lines: ['HSI,2001-01-02,null,null,null,null,null,null'] },
  { reason: 'negative_price', stage: 'ENRICHMENT', lines: ['HSI,2001-01-02,-1,2,-2,1,1,100'] },
  { reason: 'zero_price', stage: 'ENRICHMENT', lines: ['HSI,2001-01-02,0,2,0,1,1,100'] },
  { reason: 'low_above_high', stage: 'ENRICHMENT', lines: ['HSI,2001-01-02,1.5,1,2,1.5,1.5,100'] },
  { reason: 'open_outside_range', stage: 'ENRICHMENT', lines: ['HSI,2001-01-02,3,2,1,1.5,1.5,100'] },
  { reason: 'close_outside_range', stage: 'ENRICHMENT', lines: ['HSI,2001-01-02,1.5,2,1,3,3,100'] },
  { reason: 'negative_volume', stage: 'ENRICHMENT', lines: ['HSI,2001-01-02,1,2,0.5,1.5,1.5,-5'] },
  { reason: 'no_fx_rate', stage: 'ENRICHMENT', lines: [`${NO_FX_INDEX.index},2001-01-02,1,2,0.5,1.5,1.5,100`] },
];

/** Rows per generator feed: 250,000 bars of 14 indices from 1950 end in 2018, before any "today". */
export const FEED_ROWS = 250_000;
const FEED_START = parseDate('1950-01-02')!;

export interface InjectedRow {
  reason: string;
  stage: 'INGEST' | 'ENRICHMENT';
  /** 1-based physical line the row starts on. */
  line: number;
}

export interface ChaosInput {
  /** The file's lines, header first, without line ends. */
  lines: string[];
  validRows: number;
  injected: InjectedRow[];
}

function csvRow(t: RawTick): string {
  return `${t.index},${formatDate(t.date)},${t.open},${t.high},${t.low},${t.close},${t.adjClose},${t.volume}`;
}

/**
 * `validRows` generated bars and `copies` of every BAD_ROWS entry at seeded
 * positions among them, in file order.
 */
export function chaosInput(seed: number, validRows: number, copies: number): ChaosInput {
  const random = mulberry32(seed ^ 0x5eed);
  // Where each bad row goes: before the valid row of that ordinal (sorted, ties keep BAD_ROWS order).
  const slots = BAD_ROWS.flatMap((row) => Array.from({ length: copies }, () => ({ row, before: Math.floor(random() * validRows) }))).sort(
    (a, b) => a.before - b.before,
  );
  const lines = [RAW_HEADER.join(',')];
  const injected: InjectedRow[] = [];
  let next = 0;
  let emitted = 0;
  const emitBadRowsUpTo = (ordinal: number) => {
    while (next < slots.length && slots[next]!.before <= ordinal) {
      const { row } = slots[next++]!;
      injected.push({ reason: row.reason, stage: row.stage, line: lines.length + 1 });
      lines.push(...row.lines);
    }
  };
  for (let feed = 0; emitted < validRows; feed++) {
    const count = Math.min(FEED_ROWS, validRows - emitted);
    for (const tick of generateTicks({ seed: (seed + feed * 7919) >>> 0, count, startDate: FEED_START, now: () => 0 })) {
      emitBadRowsUpTo(emitted);
      lines.push(csvRow(tick));
      emitted++;
    }
  }
  emitBadRowsUpTo(Infinity);
  return { lines, validRows, injected };
}
