// The generator's trading calendar: every Monday to Friday, no holidays
// (real exchanges' holiday calendars differ per index and are not needed).

/** 0 = Sunday ... 6 = Saturday; epoch day 0 (1970-01-01) was a Thursday. */
export function weekday(days: number): number {
  return (((days + 4) % 7) + 7) % 7;
}

export function isTradingDay(days: number): boolean {
  const d = weekday(days);
  return d !== 0 && d !== 6;
}

/** `days` itself when it is a weekday, else the following Monday. */
export function tradingDayOnOrAfter(days: number): number {
  const d = weekday(days);
  return d === 6 ? days + 2 : d === 0 ? days + 1 : days;
}

/** The first weekday strictly after `days`. */
export function nextTradingDay(days: number): number {
  return tradingDayOnOrAfter(days + 1);
}
