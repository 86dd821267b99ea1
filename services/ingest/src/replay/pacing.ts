// When to emit each replayed tick. Pure: the caller measures elapsed time and
// sleeps; this only says how long, so every mode is testable without clocks.

export type PacingMode =
  | { kind: 'max' }
  | { kind: 'rate'; perSecond: number }
  | { kind: 'speedup'; tradingDaysPerSecond: number };

export interface PacingState {
  readonly mode: PacingMode;
  /** Ticks already paced. */
  readonly emitted: number;
  /** Distinct trading dates already seen (a date change counts as a new one). */
  readonly tradingDays: number;
  readonly lastDate: number | null;
}

export interface PacingDecision {
  /** Milliseconds to wait before emitting this tick; 0 when behind schedule. */
  readonly waitMs: number;
  readonly state: PacingState;
}

export function startPacing(mode: PacingMode): PacingState {
  const per = mode.kind === 'rate' ? mode.perSecond : mode.kind === 'speedup' ? mode.tradingDaysPerSecond : 1;
  if (!(Number.isFinite(per) && per > 0)) {
    throw new RangeError(`pacing ${mode.kind}: the rate must be a positive finite number, got ${per}`);
  }
  return { mode, emitted: 0, tradingDays: 0, lastDate: null };
}

/**
 * Schedules, counted from the start (the first tick is due at once):
 * - max: never wait;
 * - rate: the n-th tick (0-based) is due at n / perSecond s;
 * - speedup: the k-th trading date (0-based) is due at k / tradingDaysPerSecond s,
 *   and all ticks of that date go out without further waiting.
 * Being behind schedule means no wait, so a stall is caught up at full speed.
 */
export function pace(state: PacingState, date: number, elapsedMs: number): PacingDecision {
  const newDate = date !== state.lastDate;
  const tradingDays = newDate ? state.tradingDays + 1 : state.tradingDays;
  const next: PacingState = { mode: state.mode, emitted: state.emitted + 1, tradingDays, lastDate: date };
  const mode = state.mode;
  let dueMs: number;
  switch (mode.kind) {
    case 'max':
      return { waitMs: 0, state: next };
    case 'rate':
      dueMs = (state.emitted * 1000) / mode.perSecond;
      break;
    case 'speedup':
      dueMs = ((tradingDays - 1) * 1000) / mode.tradingDaysPerSecond;
      break;
  }
  return { waitMs: Math.max(0, dueMs - elapsedMs), state: next };
}
