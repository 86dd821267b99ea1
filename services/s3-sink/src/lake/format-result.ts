import type { QueryResult } from './lake-sql.js';

export type OutputFormat = 'table' | 'csv' | 'json';

/** DuckDB hands back bigint, Date-like and nested values: text for humans and CSV, JSON-safe values for JSON. */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (v !== null && typeof v === 'object' && 'toString' in v && !Array.isArray(v)) return String(v);
  return v;
}

function text(v: unknown): string {
  const p = plain(v);
  return p === null || p === undefined ? '' : String(p);
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Pure: a result as an aligned table (numbers right-aligned), CSV or JSON lines of objects. */
export function formatResult(r: QueryResult, format: OutputFormat): string {
  if (format === 'json') {
    return r.rows.map((row) => JSON.stringify(Object.fromEntries(r.columns.map((c, i) => [c, plain(row[i])])))).join('\n');
  }
  const cells = r.rows.map((row) => row.map(text));
  if (format === 'csv') return [r.columns, ...cells].map((row) => row.map(csvCell).join(',')).join('\n');
  const numeric = r.columns.map((_, i) => r.rows.length > 0 && r.rows.every((row) => row[i] === null || typeof row[i] === 'number' || typeof row[i] === 'bigint'));
  const widths = r.columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(r.columns), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line), `(${r.rows.length} row${r.rows.length === 1 ? '' : 's'})`].join('\n');
}
