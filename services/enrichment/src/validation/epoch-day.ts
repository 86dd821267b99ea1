// Calendar dates travel as Avro `date` ints (days since 1970-01-01, no time
// zone). These helpers convert between that and ISO text for messages, data
// files and FX topic keys. All arithmetic is in UTC so no local time zone can
// shift a date by one.

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** 'YYYY-MM-DD' -> epoch day, or null when the text is not a real calendar date (e.g. 2021-02-30). */
export function isoDateToEpochDay(text: string): number | null {
  const m = ISO_DATE.exec(text);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not remap years 0..99 to 1900..1999.
  d.setUTCFullYear(year, month - 1, day);
  // Date rolls 2021-02-30 over to March; a round trip exposes that.
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return Math.round(d.getTime() / MS_PER_DAY);
}

/** Epoch day -> 'YYYY-MM-DD' for years 0..9999; throws RangeError otherwise (no such key or file date exists). */
export function epochDayToIsoDate(day: number): string {
  if (!Number.isInteger(day)) throw new RangeError(`epoch day must be an integer, got ${day}`);
  const d = new Date(day * MS_PER_DAY);
  const year = d.getUTCFullYear();
  if (!(year >= 0 && year <= 9999)) throw new RangeError(`epoch day ${day} is outside years 0000..9999`);
  return `${String(year).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

/** A date for human messages: ISO when representable, else the raw value, so a message never throws. */
export function describeEpochDay(day: unknown): string {
  if (typeof day === 'number' && Number.isInteger(day)) {
    try {
      return `${epochDayToIsoDate(day)} (day ${day})`;
    } catch {
      /* fall through to the raw value */
    }
  }
  return String(day);
}

/** The UTC calendar day of an instant (epoch ms). */
export function epochDayOfInstant(ms: number): number {
  return Math.floor(ms / MS_PER_DAY);
}

/**
 * The latest calendar date in effect anywhere on earth at `nowMs` (UTC+14,
 * Line Islands): the right "today" for date_in_future, because an Asian market
 * closes its day while it is still the previous day in UTC.
 */
export function latestCalendarDay(nowMs: number): number {
  return epochDayOfInstant(nowMs + 14 * 3_600_000);
}

/** 1900-01-01, the earliest trading date accepted and the effective date of the default FX rates. */
export const EPOCH_DAY_1900_01_01 = -25_567;
