// `make bench` flags (BENCH_ARGS="..."). Pure.
import { parseArgs } from 'node:util';

export const USAGE = `Usage: make bench [BENCH_ARGS="..."]   (node tools/bench/dist/src/main.js [options])
  --records N         generated records of each run (default 1000000)
  --paced-rate R      records/s of the paced run (default 5000)
  --paced-seconds S   length of the paced run (default 60; 0 leaves it out)
  --warm-up N         records through a pipeline of their own first, not measured (default 200000; 0: none)
  --skip PART         leave a part out: kafka-tools, queries (repeat or comma-separate)
  --out DIR           folder of the reports (default bench-results); each run writes DIR/<time>/, DIR/latest points to it
  --keep              keep the run's topics and lake objects (default: deleted at the end)`;

export const SKIPPABLE = ['kafka-tools', 'queries'] as const;
export type Skippable = (typeof SKIPPABLE)[number];

export interface BenchOptions {
  records: number;
  pacedRate: number;
  pacedSeconds: number;
  warmUp: number;
  skip: Skippable[];
  out: string;
  keep: boolean;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

function whole(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const n = Number(text.replaceAll('_', ''));
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number >= ${min}; got "${text}"`);
  return n;
}

export function parseBenchArgs(argv: readonly string[]): BenchOptions | 'help' {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        records: { type: 'string' }, 'paced-rate': { type: 'string' }, 'paced-seconds': { type: 'string' }, 'warm-up': { type: 'string' },
        skip: { type: 'string', multiple: true }, out: { type: 'string' }, keep: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return 'help';
  const skip = (values.skip ?? []).flatMap((s) => s.split(',')).filter((s) => s !== '');
  for (const s of skip) if (!(SKIPPABLE as readonly string[]).includes(s)) throw new UsageError(`--skip takes ${SKIPPABLE.join(', ')}; got "${s}"`);
  return {
    records: whole('records', values.records, 1_000_000, 1000),
    pacedRate: whole('paced-rate', values['paced-rate'], 5000, 1),
    pacedSeconds: whole('paced-seconds', values['paced-seconds'], 60, 0),
    warmUp: whole('warm-up', values['warm-up'], 200_000, 0),
    skip: skip as Skippable[],
    out: values.out ?? 'bench-results',
    keep: values.keep ?? false,
  };
}
