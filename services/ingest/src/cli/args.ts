import { parseArgs } from 'node:util';
import type { PacingMode } from '../replay/pacing.js';
import { parseDate } from '@stockstream/common/dates';

export type Pace = PacingMode;

export type IngestCommand =
  | { mode: 'replay'; file: string; order: 'date' | 'file'; pace: Pace; loop: boolean; resume: boolean; skip?: number }
  | { mode: 'simulate'; seed: number; count: number | undefined; startDate: number | undefined; pace: Pace; resume: boolean; skip?: number };

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `Usage:
  stockstream ingest replay <file.csv> [--rate N | --speedup X] [--loop] [--order date|file] [--resume]
  stockstream ingest simulate [--count N] [--seed S] [--start YYYY-MM-DD] [--rate N | --speedup X] [--resume]

replay    publishes a file of the public stock-exchange format (indexData.csv or indexProcessed.csv)
          in date order across all indices (--order file keeps the file's order).
simulate  publishes the built-in seeded generator's bars for the 14 indices of the public set
          (unbounded unless --count).
--rate N      N records per second        --speedup X   X trading days per second
(neither)     as fast as the broker takes them
--resume      continue after what an earlier run of the same source committed (restarted
              after a crash, it neither repeats nor skips a row)`;

function positive(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number; got "${text}"`);
  return n;
}

/** Pure: argv (after the script name) to a command, or a UsageError naming the problem. */
export function parseIngestArgs(argv: string[]): IngestCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        rate: { type: 'string' },
        speedup: { type: 'string' },
        loop: { type: 'boolean', default: false },
        order: { type: 'string', default: 'date' },
        count: { type: 'string' },
        seed: { type: 'string', default: '42' },
        start: { type: 'string' },
        resume: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values: v, positionals } = parsed;
  const [mode, ...rest] = positionals;
  const rate = positive('rate', v.rate);
  const speedup = positive('speedup', v.speedup);
  if (rate !== undefined && speedup !== undefined) throw new UsageError('--rate and --speedup cannot be combined');
  const pace: Pace =
    rate !== undefined ? { kind: 'rate', perSecond: rate } : speedup !== undefined ? { kind: 'speedup', tradingDaysPerSecond: speedup } : { kind: 'max' };

  if (mode === 'replay') {
    if (rest.length !== 1) throw new UsageError('replay takes exactly one file path');
    if (v.order !== 'date' && v.order !== 'file') throw new UsageError(`--order must be date or file; got "${v.order}"`);
    return { mode, file: rest[0]!, order: v.order, pace, loop: v.loop ?? false, resume: v.resume ?? false };
  }
  if (mode === 'simulate') {
    if (rest.length > 0) throw new UsageError(`simulate takes no positional arguments; got "${rest.join(' ')}"`);
    if (v.loop) throw new UsageError('--loop applies to replay only');
    const count = positive('count', v.count);
    if (count !== undefined && !Number.isInteger(count)) throw new UsageError(`--count must be a whole number; got "${v.count}"`);
    const seed = Number(v.seed);
    if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer; got "${v.seed}"`);
    let startDate: number | undefined;
    if (v.start !== undefined) {
      const d = parseDate(v.start);
      if (d === null) throw new UsageError(`--start must be a date YYYY-MM-DD; got "${v.start}"`);
      startDate = d;
    }
    return { mode, seed, count, startDate, pace, resume: v.resume ?? false };
  }
  throw new UsageError(mode === undefined ? 'missing mode: replay or simulate' : `unknown mode "${mode}": replay or simulate`);
}
