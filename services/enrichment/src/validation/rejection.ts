// The outcome of one failed validation rule: a machine code for the dead
// letter's `reason` and metrics, and a sentence naming the field and value.

/** Every reason validateTick can return, in the order the rules run. */
export const VALIDATION_REASONS = [
  'unknown_index',
  'invalid_date',
  'date_before_1900',
  'date_in_future',
  'missing_price',
  'non_finite_price',
  'negative_price',
  'zero_price',
  'low_above_high',
  'open_outside_range',
  'close_outside_range',
  'invalid_volume',
  'negative_volume',
] as const;

export type ValidationReason = (typeof VALIDATION_REASONS)[number];

export interface Rejection {
  reason: ValidationReason;
  message: string;
}

/** What the rules need from outside the record; passed in so every rule stays pure. */
export interface ValidationContext {
  knownIndex(symbol: string): boolean;
  /** Latest acceptable trading date, epoch days (see latestCalendarDay). */
  today: number;
}

/** A rule: null when the tick passes, else why it does not. */
export type Rule<T> = (tick: T, ctx: ValidationContext) => Rejection | null;
