import type { DeadLetter, RawTick } from '@stockstream/common';
import { formatDate } from '@stockstream/common/dates';

export interface IndexArrivals {
  index: string;
  count: number;
  firstDate: string;
  lastDate: string;
  nullRows: number;
}

export interface ArrivalSummary {
  total: number;
  indices: IndexArrivals[];
  deadLetters: number;
  deadLettersByReason: Record<string, number>;
}

/** Per-index counts and date range of what arrived, optionally only records ingested since a time. */
export function summarizeArrivals(ticks: Iterable<RawTick>, deadLetters: Iterable<DeadLetter>, sinceMs = 0): ArrivalSummary {
  const byIndex = new Map<string, { count: number; first: number; last: number; nullRows: number }>();
  let total = 0;
  for (const t of ticks) {
    if (t.ingestedAt < sinceMs) continue;
    total++;
    const a = byIndex.get(t.index) ?? { count: 0, first: t.date, last: t.date, nullRows: 0 };
    a.count++;
    if (t.date < a.first) a.first = t.date;
    if (t.date > a.last) a.last = t.date;
    if (t.close === null) a.nullRows++;
    byIndex.set(t.index, a);
  }
  const deadLettersByReason: Record<string, number> = {};
  let dl = 0;
  for (const d of deadLetters) {
    if (d.failedAt < sinceMs) continue;
    dl++;
    deadLettersByReason[d.reason] = (deadLettersByReason[d.reason] ?? 0) + 1;
  }
  const indices = [...byIndex]
    .map(([index, a]) => ({ index, count: a.count, firstDate: formatDate(a.first), lastDate: formatDate(a.last), nullRows: a.nullRows }))
    .sort((x, y) => x.index.localeCompare(y.index));
  return { total, indices, deadLetters: dl, deadLettersByReason };
}

export function formatArrivals(s: ArrivalSummary, topic: string): string {
  const rows = [['index', 'records', 'first date', 'last date', 'null rows']];
  for (const i of s.indices) rows.push([i.index, String(i.count), i.firstDate, i.lastDate, String(i.nullRows)]);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const lines = rows.map((r) => r.map((cell, c) => (c === 1 || c === 4 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  '));
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  lines.push(`total: ${s.total} records on ${topic}; dead letters: ${s.deadLetters}${s.deadLetters ? ' ' + JSON.stringify(s.deadLettersByReason) : ''}`);
  return lines.join('\n');
}
