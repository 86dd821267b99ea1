// Calendar dates travel as Avro `date` ints (days since 1970-01-01, no time
// zone). These helpers convert between that and ISO text for messages, data
// files and FX topic keys. All arithmetic is in UTC so no local time zone can
// shift a date by one.

import { formatDate } from '@stockstream/common';

const MS_PER_DAY = 86_400_000;

/** Epoch day -> 'YYYY-MM-DD' for years 0..9999; throws RangeError otherwise (no such key or file date exists). */
export function epochDayToIsoDate(day: number): string {
  if (!Number.isInteger(day)) throw new RangeError(`epoch day must be an integer, got ${day}`);
  const text = formatDate(day);
  if (!/^\d{4}-/.test(text)) throw new RangeError(`epoch day ${day} is outside years 0000..9999`);
  return text;
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
