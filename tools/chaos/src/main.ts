#!/usr/bin/env node
// make chaos / make chaos-short: one seeded chaos run, its schedule and
// accounting printed, exit 1 on any difference (the seed replays it).
import { parseArgs } from 'node:util';
import { runChaos } from './chaos-run.js';
import { CHAOS_VARIANTS } from './variants.js';

const USAGE = `Usage: node tools/chaos/dist/src/main.js [--short] [--seed N]
  --short   ${CHAOS_VARIANTS.short.summary}
  (default) ${CHAOS_VARIANTS.full.summary}
  --seed N  the run's seed (default: a random one, printed); the same seed replays the same input and faults`;

let args;
try {
  args = parseArgs({ options: { short: { type: 'boolean', default: false }, seed: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }).values;
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
  process.exit(64);
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const seed = args.seed === undefined ? Math.floor(Math.random() * 1_000_000) : Number(args.seed);
if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 31) {
  process.stderr.write(`--seed must be a whole number in [0, 2^31); got "${args.seed}"\n${USAGE}\n`);
  process.exit(64);
}
const variant = CHAOS_VARIANTS[args.short ? 'short' : 'full'];
const started = Date.now();
process.stdout.write(`chaos: seed ${seed} (replay with --seed ${seed})\n`);
let result;
try {
  result = await runChaos({ ...variant.options, seed, print: (line) => process.stdout.write(`${line}\n`) });
} catch (err) {
  process.stderr.write(`chaos: the run could not be carried out (seed ${seed}): ${(err as Error).message}\n`);
  process.exit(2);
}
process.stdout.write(`\n${result.report}\nchaos: ${((Date.now() - started) / 1000).toFixed(0)} s in all\n`);
process.exit(result.ok ? 0 : 1);
