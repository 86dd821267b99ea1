// The arguments of `stockstream report ...` (arrivals, enrichment): pure, so a
// mistyped flag or a non-number is one plain sentence, tested without a broker.
import { parseArgs } from 'node:util';
import { helpText, type SettingsSpec } from './settings.js';

export interface ReportArgs {
  help: boolean;
  /** Unix milliseconds: only records ingested (or dead-lettered) at or after it; 0 = everything. */
  since: number;
  /** How long a report that waits for the pipeline waits (ms). */
  timeoutMs: number;
}

export type ParsedReportArgs = { ok: true; args: ReportArgs } | { ok: false; message: string };

const DEFAULT_TIMEOUT_MS = 300_000;

export function parseReportArgs(argv: readonly string[], opts: { timeout?: boolean } = {}): ParsedReportArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: { since: { type: 'string' }, help: { type: 'boolean', short: 'h' }, ...(opts.timeout ? { 'timeout-ms': { type: 'string' } } : {}) },
    }).values;
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
  const since = milliseconds(values.since, '--since', 0);
  if (typeof since === 'string') return { ok: false, message: since };
  const timeoutMs = milliseconds(values['timeout-ms'], '--timeout-ms', DEFAULT_TIMEOUT_MS);
  if (typeof timeoutMs === 'string') return { ok: false, message: timeoutMs };
  return { ok: true, args: { help: values.help === true, since, timeoutMs } };
}

function milliseconds(text: string | boolean | undefined, flag: string, fallback: number): number | string {
  if (text === undefined || typeof text === 'boolean') return fallback;
  const n = Number(text);
  return /^\d+$/.test(text) && Number.isSafeInteger(n) ? n : `${flag} takes a whole number of milliseconds, not ${JSON.stringify(text)}`;
}

/**
 * A report's arguments from process.argv, or the process ends: --help prints
 * the usage and the settings (exit 0), a wrong flag one line and the usage
 * (exit 64, EX_USAGE).
 */
export function reportArgsOrExit(name: string, usage: string, settings: SettingsSpec, opts: { timeout?: boolean } = {}): ReportArgs {
  const parsed = parseReportArgs(process.argv.slice(2), opts);
  if (!parsed.ok) {
    process.stderr.write(`${name}: ${parsed.message}\n${usage}`);
    process.exit(64);
  }
  if (parsed.args.help) {
    process.stdout.write(helpText(usage, settings));
    process.exit(0);
  }
  return parsed.args;
}
