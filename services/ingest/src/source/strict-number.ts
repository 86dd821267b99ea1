// Strict decimal parsing for CSV fields. `Number()` alone is too lenient for
// source data: Number('') is 0, Number(' 12') is 12, Number('0x1F') is 31 and
// Number('Infinity') is Infinity, each of which would turn a broken field into
// a plausible price. So the text is first checked against the plain decimal
// grammar, then converted by Number() (exact for that grammar).

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
