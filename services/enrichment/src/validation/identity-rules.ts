// Rules on what identifies a bar: which index and which trading date.
import type { RawTick } from '@stockstream/common';
import { describeEpochDay, EPOCH_DAY_1900_01_01 } from './epoch-day.js';
import type { Rejection, ValidationContext } from './rejection.js';

type Identity = Pick<RawTick, 'index' | 'date'>;

/** Without reference data there is no currency, hence no USD close. */
export function unknownIndex(tick: Identity, ctx: ValidationContext): Rejection | null {
  if (typeof tick.index === 'string' && ctx.knownIndex(tick.index)) return null;
  return { reason: 'unknown_index', message: `index ${JSON.stringify(tick.index)} is not in the index reference data` };
}

/** An Avro date is an int; anything else (NaN, Infinity, a fraction) is a producer bug. */
export function invalidDate(tick: Identity): Rejection | null {
  if (Number.isInteger(tick.date)) return null;
  return { reason: 'invalid_date', message: `date ${String(tick.date)} is not a whole number of days since 1970-01-01` };
}

/**
 * The oldest series of the public set starts in 1965; a date before 1900 is a
 * mis-parsed year (e.g. '65' read as year 0065), and the default FX rates start
 * on 1900-01-01.
 */
export function dateBefore1900(tick: Identity): Rejection | null {
  if (tick.date >= EPOCH_DAY_1900_01_01) return null;
  return { reason: 'date_before_1900', message: `date ${describeEpochDay(tick.date)} is before 1900-01-01` };
}

/** A daily bar cannot exist before its day; `today` comes from the caller so the rule stays pure. */
export function dateInFuture(tick: Identity, ctx: ValidationContext): Rejection | null {
  if (tick.date <= ctx.today) return null;
  return { reason: 'date_in_future', message: `date ${describeEpochDay(tick.date)} is after today ${describeEpochDay(ctx.today)}` };
}
