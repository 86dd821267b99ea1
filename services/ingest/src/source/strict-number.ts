// Strict decimal parsing for CSV fields. `Number()` alone is too lenient for
// source data: Number('') is 0, Number(' 12') is 12, Number('0x1F') is 31 and
// Number('Infinity') is Infinity, each of which would turn a broken field into
// a plausible price. So the text is first checked against the plain decimal
// grammar, then converted by Number() (exact for that grammar). Fields are
// read from the file's bytes (csv-reader.ts), so numbers are too.

const ZERO = 48;
const NINE = 57;
const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const LOWER_E = 101;
const UPPER_E = 69;

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

/**
 * True for `[+-]digits[.digits][(e|E)[+-]digits]` (`12`, `-0.5`, `1.2e-5`):
 * digits are required on both sides of a decimal point, so `.5` and `5.` are
 * rejected — no data tool writes them, and `5.` is what a value cut off at
 * its decimal point looks like (the last row of indexProcessed-HSI.csv ends
 * in `2913.`). False also for blanks, whitespace, hex, `Infinity`, `NaN`,
 * `1e`, thousands separators.
 */
export function isDecimalText(text: string): boolean {
  const n = text.length;
  let i = 0;
  let c = text.charCodeAt(0);
  if (c === PLUS || c === MINUS) c = text.charCodeAt(++i);
  if (!isDigit(c)) return false;
  while (isDigit(c)) c = text.charCodeAt(++i);
  if (c === DOT) {
    c = text.charCodeAt(++i);
    if (!isDigit(c)) return false;
    while (isDigit(c)) c = text.charCodeAt(++i);
  }
  if (c === LOWER_E || c === UPPER_E) {
    c = text.charCodeAt(++i);
    if (c === PLUS || c === MINUS) c = text.charCodeAt(++i);
    if (!isDigit(c)) return false;
    while (isDigit(c)) c = text.charCodeAt(++i);
  }
  return i === n;
}

/** The finite number written in `text`, or NaN when it is not a plain decimal. */
export function parseStrictNumber(text: string): number {
  if (!isDecimalText(text)) return NaN;
  const value = Number(text);
  // '1e999' passes the grammar but overflows.
  return Number.isFinite(value) ? value : NaN;
}

/** Exact powers of ten (all below 2^53, so division by them rounds once). */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * parseStrictNumber of the UTF-8 text in bytes [from, to) of `data`. The
 * common case of prices, [+-]digits[.digits] with at most 15 digits, is read
 * from the bytes without making a string: its digits make an integer below
 * 2^53, exact in a double, and a power of ten up to 10^22 is exact too, so
 * one division gives the correctly rounded value, what Number() gives.
 * Anything else takes parseStrictNumber; a non-ASCII byte is never part of a
 * plain decimal.
 */
export function strictNumberOfBytes(data: Uint8Array, from: number, to: number): number {
  let i = from;
  let c = i < to ? (data[i] as number) : -1;
  const negative = c === MINUS;
  if (c === PLUS || c === MINUS) c = ++i < to ? (data[i] as number) : -1;
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  while (isDigit(c)) {
    mantissa = mantissa * 10 + (c - ZERO);
    digits++;
    c = ++i < to ? (data[i] as number) : -1;
  }
  if (c === DOT && digits > 0) {
    c = ++i < to ? (data[i] as number) : -1;
    while (isDigit(c)) {
      mantissa = mantissa * 10 + (c - ZERO);
      digits++;
      scale++;
      c = ++i < to ? (data[i] as number) : -1;
    }
    if (scale === 0) return NaN; // `5.`
  }
  if (i === to && digits > 0 && digits <= 15) {
    const value = scale === 0 ? mantissa : mantissa / (POWERS_OF_TEN[scale] as number);
    return negative ? -value : value;
  }
  const text = asciiText(data, from, to);
  return text === undefined ? NaN : parseStrictNumber(text);
}

/** The ASCII text in bytes [from, to) of `data`; undefined when a byte is not ASCII (no number or date has one). */
export function asciiText(data: Uint8Array, from: number, to: number): string | undefined {
  let text = '';
  for (let i = from; i < to; i++) {
    const b = data[i] as number;
    if (b >= 0x80) return undefined;
    text += String.fromCharCode(b);
  }
  return text;
}
