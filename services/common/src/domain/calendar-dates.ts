// Also importable alone as '@stockstream/common/dates': worker threads use it
// without loading the native Kafka client, which cannot load in a worker.
//
// Calendar dates as epoch days (days since 1970-01-01), the Avro `date`
// representation. Parsed by hand instead of with `Date`: `new Date()` accepts
// junk, rolls 31/02 over to 03/03 and depends on the time zone, and it is slow
// on a path that runs for every row.

/** Epoch days of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (MONTH_DAYS[month - 1] ?? 0);
}

const ZERO = 48;
const DASH = 45;
const SLASH = 47;

/** Value of the ASCII digits text[from, to), or -1 if any is not a digit. */
function digits(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

function validDays(year: number, month: number, day: number): number | null {
  if (year < 1 || month < 1 || month > 12 || day < 1) return null;
  if (day > daysInMonth(year, month)) return null;
  return daysFromCivil(year, month, day);
}

/** Epoch days of exactly `YYYY-MM-DD`; null for anything else (for keys and data files, where only ISO is valid). */
export function parseIsoDate(text: string): number | null {
  if (text.length !== 10 || text.charCodeAt(4) !== DASH || text.charCodeAt(7) !== DASH) return null;
  return parseDate(text);
}

/**
 * Epoch days of `YYYY-MM-DD` (ISO) or `DD/MM/YYYY` (also `D/M/YYYY`, as
 * spreadsheets write it); null for anything else, including impossible dates
 * (31/02/2001, month 13, year 0000) and surrounding whitespace.
 */
export function parseDate(text: string): number | null {
  const n = text.length;
  if (n === 10 && text.charCodeAt(4) === DASH && text.charCodeAt(7) === DASH) {
    const year = digits(text, 0, 4);
    const month = digits(text, 5, 7);
    const day = digits(text, 8, 10);
    if (year < 0 || month < 0 || day < 0) return null;
    return validDays(year, month, day);
  }
  if (n < 8 || n > 10) return null;
  // Slashed form: 1-2 digit day, 1-2 digit month, 4-digit year.
  const firstSlash = text.charCodeAt(1) === SLASH ? 1 : text.charCodeAt(2) === SLASH ? 2 : -1;
  if (firstSlash < 0) return null;
  const secondSlash = n - 5;
  if (text.charCodeAt(secondSlash) !== SLASH) return null;
  const monthWidth = secondSlash - firstSlash - 1;
  if (monthWidth < 1 || monthWidth > 2) return null;
  const day = digits(text, 0, firstSlash);
  const month = digits(text, firstSlash + 1, secondSlash);
  const year = digits(text, secondSlash + 1, n);
  if (year < 0 || month < 0 || day < 0) return null;
  return validDays(year, month, day);
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** ISO `YYYY-MM-DD` of epoch days (H. Hinnant's civil_from_days). */
export function formatDate(days: number): string {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}
