// The common row straight from its bytes: parseRow (row-parser.ts) without
// decoding the line, splitting it into field strings and checking blank
// fields, which made most of the garbage of a replay. It takes only rows it
// can vouch for (the right width, a printable-ASCII index, a readable date,
// numbers that parse or are null) and gives exactly the tick parseRow gives
// for them; any other row is left to the general path, which also words the
// rejections. The tests compare both on every kind of row.

import type { RawTick } from '@stockstream/common';
import { daysFromCivil, daysInMonth, parseDate } from '@stockstream/common/dates';
import type { CsvLayout } from './csv-layout.js';
import { asciiText } from './ascii-text.js';
import { strictNumberOfBytes } from './strict-number.js';

const COMMA = 0x2c;
const DASH = 0x2d;
const ZERO = 0x30;
/** Lowercase ASCII letters have this bit set, uppercase ones not. */
const LOWER_BIT = 0x20;

/** Value of the ASCII digits data[from, to), or -1 if any is not a digit. */
function digitsOf(data: Uint8Array, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const d = (data[i] as number) - ZERO;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** parseDate of the UTF-8 text in bytes [from, to); ISO dates without making a string. */
export function dateOfBytes(data: Uint8Array, from: number, to: number): number | null {
  if (to - from === 10 && data[from + 4] === DASH && data[from + 7] === DASH) {
    const year = digitsOf(data, from, from + 4);
    const month = digitsOf(data, from + 5, from + 7);
    const day = digitsOf(data, from + 8, from + 10);
    if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
    return daysFromCivil(year, month, day);
  }
  // Other forms (DD/MM/YYYY) are ASCII, at most 10 characters: non-ASCII or longer text is no date.
  if (to - from > 10) return null;
  const text = asciiText(data, from, to);
  return text === undefined ? null : parseDate(text);
}

/** True for the source's "no value" in bytes [from, to): empty, or `null` in any case (as isNullText). */
export function isNullBytes(data: Uint8Array, from: number, to: number): boolean {
  if (to === from) return true;
  return (
    to - from === 4 &&
    ((data[from] as number) | LOWER_BIT) === 0x6e && // n
    ((data[from + 1] as number) | LOWER_BIT) === 0x75 && // u
    ((data[from + 2] as number) | LOWER_BIT) === 0x6c && // l
    ((data[from + 3] as number) | LOWER_BIT) === 0x6c // l
  );
}

/** Printable ASCII, no space: such an index is not blank, and latin1 and UTF-8 read it alike. */
function isPlainIndexByte(b: number): boolean {
  return b > 0x20 && b < 0x7f;
}

/** Parses the common rows of one file from their bytes; holds scratch space and the last index name. */
export class LineTicks {
  /** Field i is bytes [starts[i], ends[i]) of the line being read. */
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  /** The last index read, as bytes and as the string handed out: rows of one index follow each other. */
  private lastIndexBytes = new Uint8Array(0);
  private lastIndex = '';

  constructor(
    private readonly layout: CsvLayout,
    private readonly file: string,
  ) {
    this.starts = new Int32Array(layout.columnCount);
    this.ends = new Int32Array(layout.columnCount);
  }

  /**
   * The tick of the line in bytes [from, to) of `data` (no quotes in it, no
   * line end), as parseRow gives it; undefined when the line is not a
   * common row and must take the general path.
   */
  tick(data: Uint8Array, from: number, to: number, line: number, ingestedAt: number): RawTick | undefined {
    const { layout, starts, ends } = this;
    const columns = layout.columnCount;
    let field = 0;
    starts[0] = from;
    for (let i = from; i < to; i++) {
      if (data[i] === COMMA) {
        if (field + 1 === columns) return undefined; // too many fields
        ends[field] = i;
        starts[++field] = i + 1;
      }
    }
    if (field + 1 !== columns) return undefined;
    ends[field] = to;

    const index = this.indexOf(data, starts[layout.index] as number, ends[layout.index] as number);
    if (index === undefined) return undefined;
    const date = dateOfBytes(data, starts[layout.date] as number, ends[layout.date] as number);
    if (date === null) return undefined;
    const open = this.number(data, layout.open);
    const high = this.number(data, layout.high);
    const low = this.number(data, layout.low);
    const close = this.number(data, layout.close);
    const adjClose = this.number(data, layout.adjClose);
    const volume = this.number(data, layout.volume);
    const closeUsd = layout.closeUsd === null ? null : this.number(data, layout.closeUsd);
    // NaN: not a number, left to parseRow to reject.
    if (Number.isNaN(open) || Number.isNaN(high) || Number.isNaN(low) || Number.isNaN(close) || Number.isNaN(adjClose) || Number.isNaN(closeUsd)) return undefined;
    if (volume !== null && !Number.isSafeInteger(volume)) return undefined;
    return {
      index,
      date,
      open,
      high,
      low,
      close,
      adjClose,
      volume: volume === 0 ? 0 : volume, // no -0
      sourceCloseUsd: closeUsd,
      source: { kind: 'FILE', name: this.file, line },
      ingestedAt,
    };
  }

  /** Column `at` as parseRow reads a number: null, the number, or NaN when it is none. */
  private number(data: Uint8Array, at: number): number | null {
    const from = this.starts[at] as number;
    const to = this.ends[at] as number;
    return isNullBytes(data, from, to) ? null : strictNumberOfBytes(data, from, to);
  }

  /** The index in bytes [from, to), if plain; the last one's string when the bytes are the same. */
  private indexOf(data: Uint8Array, from: number, to: number): string | undefined {
    const last = this.lastIndexBytes;
    if (to - from === last.length) {
      let same = true;
      for (let i = 0; i < last.length && same; i++) same = data[from + i] === last[i];
      if (same && last.length > 0) return this.lastIndex;
    }
    if (to === from) return undefined;
    let text = '';
    for (let i = from; i < to; i++) {
      const b = data[i] as number;
      if (!isPlainIndexByte(b)) return undefined;
      text += String.fromCharCode(b);
    }
    this.lastIndexBytes = new Uint8Array(data.subarray(from, to)); // a copy: the chunk is not kept alive
    this.lastIndex = text;
    return text;
  }
}
