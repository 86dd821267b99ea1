// `make bench-ingest`: ingest throughput for replaying the real dataset and for
// the generator at full speed, each against its own ceiling measured in the
// same run on the same broker: as many pre-encoded records as that run
// published, of its average size. A ceiling of another count is not
// comparable (a short run pays the producer's ramp-up, a long one hides it).
// The file's replay is short (51k rows in ~0.3 s) and the worker encodes its
// first 64 batches while the service starts up, before the clock starts; a
// replay of the file ten times over (BENCH_LONG_COPIES) shows the steady state.
// Prints figures and ratios; asserts nothing about time.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, statSync, existsSync, readFileSync, rmSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { KafkaAdmin, createLogger, kafkaSettings, loadConfig } from '@stockstream/common';
import { generateTicks } from '../src/source/generator.js';
import { parseSummaryLine } from '../src/report/summary-line.js';
import { formatDate } from '@stockstream/common/dates';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));
const CEILING = fileURLToPath(new URL('./producer-ceiling.js', import.meta.url));
const GENERATED = Number(process.env.BENCH_GENERATED ?? 1_000_000);

/** Rounds of the short replay: one lasts 0.2-0.5 s, and single rounds here vary by +-40%. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** Copies of the file in the long replay (0: none). */
const LONG_COPIES = Number(process.env.BENCH_LONG_COPIES ?? 10);

interface Run {
  /** Records the rate counts: published plus dead-lettered. */
  records: number;
  recordsPerSecond: number;
  mbPerSecond: number;
  seconds: number;
  /** The whole process, start-up (connecting, registering schemas) included: spawn to exit. */
  processSeconds: number;
}

function run(script: string, args: string[], env: Record<string, string>): Promise<{ out: string; processSeconds: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, LOG_LEVEL: 'warn', HTTP_PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve({ out, processSeconds: (performance.now() - t0) / 1000 }) : reject(new Error(`${script} exited ${code}: ${out}`))));
  });
}

async function ingest(label: string, args: string[]): Promise<Run> {
  const id = `bench.${label}.${randomUUID().slice(0, 6)}`;
  const { out, processSeconds } = await run(MAIN, args, { TOPIC_RAW: `${id}.raw`, TOPIC_DLQ: `${id}.dlq`, TOPIC_ENRICHED: `${id}.enriched`, TOPIC_FX: `${id}.fx`, TOPIC_PARTITIONS: '6' });
  const m = parseSummaryLine(out);
  if (!m) throw new Error(`no summary from ingest: ${out}`);
  const records = m.published + m.deadLettered;
  return { records, recordsPerSecond: m.recordsPerSecond, mbPerSecond: m.mbPerSecond, seconds: records / m.recordsPerSecond, processSeconds };
}

async function ceiling(count: number, valueBytes: number): Promise<Run> {
  const topic = `bench.ceiling.${randomUUID().slice(0, 6)}`;
  const admin = await KafkaAdmin.connect(loadConfig(kafkaSettings), 'stockstream-bench');
  await admin.ensureTopics([{ name: topic, partitions: 6, replicationFactor: 1, config: {} }], createLogger('bench', 'warn'));
  admin.disconnect();
  const { out, processSeconds } = await run(CEILING, [topic, String(count), String(valueBytes)], {});
  const r = JSON.parse(out) as { acked: number; recordsPerSecond: number; mbPerSecond: number; seconds: number };
  return { records: r.acked, recordsPerSecond: Math.round(r.recordsPerSecond), mbPerSecond: r.mbPerSecond, seconds: r.seconds, processSeconds };
}

/** A dataset-shaped file from the generator, for machines without the public data set. */
function syntheticCsv(rows: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const path = join(dir, 'indexData-synthetic.csv');
  const lines = ['Index,Date,Open,High,Low,Close,Adj Close,Volume'];
  for (const t of generateTicks({ seed: 1, count: rows })) {
    lines.push([t.index, formatDate(t.date), t.open, t.high, t.low, t.close, t.adjClose, t.volume].join(','));
  }
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

const fmt = (r: Run) =>
  `${String(r.recordsPerSecond).padStart(9)} rec/s  ${r.mbPerSecond.toFixed(1).padStart(6)} MB/s  (${r.records} records in ${r.seconds.toFixed(2)} s; process ${r.processSeconds.toFixed(2)} s)`;
/** The run of median rate: on a shared 2-core machine one run can be far off. */
const median = (runs: Run[]): Run => [...runs].sort((a, b) => a.recordsPerSecond - b.recordsPerSecond)[Math.floor(runs.length / 2)]!;

const dataset = process.env.DATASET ?? join(process.env.STOCKSTREAM_DATASETS ?? '', 'indexData.csv');
const file = existsSync(dataset) ? dataset : syntheticCsv(51_249);
console.log(`bench-ingest on ${process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'}; ${execFileSync('nproc').toString().trim()} cores`);
console.log(`replay file: ${file} (${(statSync(file).size / 1e6).toFixed(1)} MB)`);

/** Average value size of a run, for its ceiling. */
const avgBytes = (r: Run) => Math.round((r.mbPerSecond * 1e6) / r.recordsPerSecond);

// The short replay is measured ROUNDS times, each next to a ceiling of its own, and both medians are reported.
const replays: Run[] = [];
const replayCeils: Run[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const r = await ingest('replay', ['replay', file]);
  replays.push(r);
  replayCeils.push(await ceiling(r.records, avgBytes(r)));
  console.log(
    `  round ${i + 1}: replay ${r.recordsPerSecond} rec/s (process ${r.processSeconds.toFixed(2)} s), ceiling ${replayCeils[i]!.recordsPerSecond} rec/s (process ${replayCeils[i]!.processSeconds.toFixed(2)} s), ratio ${(r.recordsPerSecond / replayCeils[i]!.recordsPerSecond).toFixed(2)}`,
  );
}
const replay = median(replays);
const replayCeil = median(replayCeils);

/**
 * The file `copies` times over, each copy's index names suffixed with its
 * number (NYA0, NYA1, ...): a replay long enough that the batches the worker
 * encodes while the service starts up (64 batches of 512 rows) are a small part of it.
 */
async function longCopy(path: string, copies: number): Promise<string> {
  const [header, ...rows] = readFileSync(path, 'utf8').split(/\r?\n/).filter((line) => line.trim() !== '');
  const out = join(mkdtempSync(join(tmpdir(), 'bench-long-')), `x${copies}-${basename(path)}`);
  const stream = createWriteStream(out);
  stream.write(header + '\n');
  for (let k = 0; k < copies; k++) {
    const text = rows.map((row) => row.replace(/^([^,]*),/, `$1${k},`)).join('\n') + '\n';
    if (!stream.write(text)) await once(stream, 'drain');
  }
  stream.end();
  await once(stream, 'finish');
  return out;
}

let long: { run: Run; ceiling: Run } | undefined;
if (LONG_COPIES > 0) {
  const longFile = await longCopy(file, LONG_COPIES);
  try {
    const run = await ingest('replay-long', ['replay', longFile]);
    long = { run, ceiling: await ceiling(run.records, avgBytes(run)) };
  } finally {
    rmSync(dirname(longFile), { recursive: true, force: true });
  }
}
const gen = await ingest('generator', ['simulate', '--count', String(GENERATED)]);
const genCeil = await ceiling(gen.records, avgBytes(gen));

const ratio = (r: Run, c: Run) => (r.recordsPerSecond / c.recordsPerSecond).toFixed(2);
console.log('');
// Each round's replay next to its own ceiling, measured a moment apart: the host's speed, which drifts by tens of
// percent within minutes here, is about the same for both.
const perRound = replays.map((r, i) => r.recordsPerSecond / replayCeils[i]!.recordsPerSecond).sort((a, b) => a - b);
console.log(`replay (date order)   ${fmt(replay)}   ratio to its ceiling ${ratio(replay, replayCeil)}   (medians of ${ROUNDS} rounds)`);
console.log(`  ratio round by round: median ${perRound[Math.floor(perRound.length / 2)]!.toFixed(2)} (${perRound.map((x) => x.toFixed(2)).join(', ')})`);
console.log(`  ceiling             ${fmt(replayCeil)}   ${avgBytes(replay)}-byte values`);
if (long !== undefined) {
  console.log(`replay x${LONG_COPIES} (steady)   ${fmt(long.run)}   ratio to its ceiling ${ratio(long.run, long.ceiling)}   (one round)`);
  console.log(`  ceiling             ${fmt(long.ceiling)}   ${avgBytes(long.run)}-byte values`);
}
console.log(`generator             ${fmt(gen)}   ratio to its ceiling ${ratio(gen, genCeil)}`);
console.log(`  ceiling             ${fmt(genCeil)}   ${avgBytes(gen)}-byte values`);
console.log('ceilings: the same client and settings (transactions, commit interval) producing as many pre-encoded records as the run above them, of its average size');
console.log('rates count from the first record to the last commit; "process" is the whole run, start-up included');
console.log('targets: the steady state, replay x10 and generator, >= 0.50 of their ceilings (the short replay is mostly start-up)');
