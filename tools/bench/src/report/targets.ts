// The targets, judged against one report's figures. Pure: verdicts
// are data, and a missed target says by how much. Never asserted in tests.

export interface Verdict {
  /** What is judged, e.g. 'enrichment (exactly-once) to its ceiling'. */
  subject: string;
  measured: number;
  limit: number;
  /** 'at most': measured <= limit passes; 'at least': measured >= limit. */
  bound: 'at most' | 'at least';
  unit: string;
  met: boolean;
  /** How far from the limit, in percent of it, when missed; null when met. */
  missedByPercent: number | null;
}

export function judge(subject: string, measured: number, bound: Verdict['bound'], limit: number, unit: string): Verdict {
  const met = bound === 'at most' ? measured <= limit : measured >= limit;
  const missedByPercent = met ? null : (Math.abs(measured - limit) / limit) * 100;
  return { subject, measured, limit, bound, unit, met, missedByPercent };
}

/** A figure as the report prints it: 3 significant digits, thousands separated. */
export function figure(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** One line: '✔ 8.2 s (target at most 10 s)' or '✘ 14.1 s (target at most 10 s): missed by 41%'. */
export function describeVerdict(v: Verdict): string {
  const unit = v.unit ? ` ${v.unit}` : '';
  const head = `${v.met ? '✔' : '✘'} ${v.subject}: ${figure(v.measured)}${unit} (target ${v.bound} ${figure(v.limit)}${unit})`;
  return v.missedByPercent === null ? head : `${head}: missed by ${v.missedByPercent.toFixed(0)}%`;
}

/** value / ceiling, or null when there is no ceiling to compare with. */
export function ratio(value: number, ceiling: number | null | undefined): number | null {
  return ceiling === null || ceiling === undefined || !(ceiling > 0) ? null : value / ceiling;
}
