#!/usr/bin/env node
// `make bench`: one benchmark report of the whole pipeline on the local stack
// (issue 15): the ceilings, each stage alone, the pipeline end to end at full
// speed and paced, query latency; report.json, report.md and chart.svg under
// bench-results/<time>/ (bench-results/latest points to it), the Markdown
// printed at the end. Targets are reported, never asserted.
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, hostname, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { KafkaAdmin, kafkaSettings, loadConfig } from '@stockstream/common';
import { s3StorageConfig, sinkSettings } from '@stockstream/s3-sink/dist/src/config.js';
import { S3Storage } from '@stockstream/s3-sink/dist/src/storage/s3-storage.js';
import { stackProcesses } from './measure/run-meter.js';
import { USAGE, UsageError, parseBenchArgs, type BenchOptions } from './options.js';
import { benchVerdicts } from './report/bench-targets.js';
import { renderChart } from './report/chart-svg.js';
import { renderMarkdown } from './report/markdown.js';
import type { BenchReport, Machine, QueryRun, RunFigures } from './report/model.js';
import { distribution, percentileCurve } from './report/percentiles.js';
import { figure } from './report/targets.js';
import {
  BenchContext, DEFAULT_ROTATION, FAST_ROTATION, chainCeiling, consumeCeiling, copyCeiling, enrichmentAlone, ingestAlone, kafkaTools, pipelineRun, produceCeiling, sinkAlone,
  type PipelineRun,
} from './runs/bench-runs.js';
import { lakeLatencies } from './runs/landing-latency.js';
import { queryRun } from './runs/query-run.js';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));

let opts: BenchOptions;
try {
  const parsed = parseBenchArgs(process.argv.slice(2));
  if (parsed === 'help') {
    process.stdout.write(USAGE + '\n');
    process.exit(0);
  }
  opts = parsed;
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  process.stderr.write(`bench: ${err.message}\n\n${USAGE}\n`);
  process.exit(64);
}

const say = (s: string) => process.stderr.write(`bench: ${s}\n`);
const rate = (r: RunFigures) => `${figure(r.recordsPerSecond)} records/s (${figure(r.records)} in ${figure(r.seconds)} s)`;

function machine(): Machine {
  const stackSh = readFileSync(join(REPO, 'deploy/local/stack.sh'), 'utf8');
  const kafka = process.env.KAFKA_VERSION ?? /KAFKA_VERSION=\$\{KAFKA_VERSION:-([^}]+)\}/.exec(stackSh)?.[1] ?? '?';
  return { host: hostname(), cpus: cpus().length, cpuModel: cpus()[0]?.model.trim() ?? '?', memoryGiB: totalmem() / 2 ** 30, node: process.version, kafka };
}

const startedAt = new Date();
const stamp = startedAt.toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
const stackDir = resolve(process.env.STACK_DIR ?? join(REPO, '.stack'));
const stack = stackProcesses(stackDir);
const ctx = new BenchContext(`bench-${stamp.slice(0, 19).replace(/[-T]/g, '').toLowerCase()}-${randomUUID().slice(0, 4)}`, stack);
const notes: string[] = [];
if (stack.length < 3) notes.push(`only ${stack.map((s) => s.name).join(', ') || 'none'} of the stack's JVMs found by their pid files in ${stackDir}/pids: the others are missing from the CPU and memory figures`);
const N = opts.records;
say(`${N} records a run; topics and buckets ${ctx.id}*; stack JVMs measured: ${stack.map((s) => `${s.name} (pid ${s.pid})`).join(', ') || 'none'}`);

const runs: RunFigures[] = [];
const done = (...rs: RunFigures[]) => {
  for (const r of rs) {
    runs.push(r);
    say(`${r.title}: ${rate(r)}`);
  }
};
let queries: QueryRun | null = null;
const latencyRuns: { run: PipelineRun; rotation: Record<string, string> }[] = [];

try {
  if (opts.warmUp > 0) {
    // JVMs that have just started run their first minute of load much slower; a broker in service has been up for days.
    say(`warm-up: ${opts.warmUp} records through a pipeline of their own (not measured)`);
    await pipelineRun(ctx, { id: 'warm-up', title: 'warm-up', records: opts.warmUp, valueBytes: 0, rotation: FAST_ROTATION, ceiling: null });
  }
  // Each stage next to its ceiling, a moment apart: the shared host's speed drifts by tens of percent within minutes.
  const ingest = await ingestAlone(ctx, N);
  done(ingest, await produceCeiling(ctx, N, ingest.valueBytes));
  if (!opts.skip.includes('kafka-tools')) done(...(await kafkaTools(ctx, N, ingest.valueBytes)));

  const full = await pipelineRun(ctx, { id: 'pipeline', title: 'pipeline, full speed', records: N, valueBytes: ingest.valueBytes, rotation: FAST_ROTATION, ceiling: 'ceiling.chain' });
  latencyRuns.push({ run: full, rotation: FAST_ROTATION });
  done(full.figures, await chainCeiling(ctx, N, ingest.valueBytes));

  const topics = ctx.pipelineTopics('pipeline');
  done(await enrichmentAlone(ctx, topics.TOPIC_RAW, N, ingest.valueBytes), await copyCeiling(ctx, topics.TOPIC_RAW, N, ingest.valueBytes));
  const consume = await consumeCeiling(ctx, topics.TOPIC_ENRICHED, N);
  done(await sinkAlone(ctx, topics.TOPIC_ENRICHED, N, consume.valueBytes), consume);

  if (opts.pacedSeconds > 0) {
    const records = opts.pacedRate * opts.pacedSeconds;
    const paced = await pipelineRun(ctx, {
      id: 'paced', title: `pipeline, paced ${figure(opts.pacedRate)}/s for ${opts.pacedSeconds} s`, records, rate: opts.pacedRate, valueBytes: ingest.valueBytes,
      rotation: DEFAULT_ROTATION, ceiling: null,
    });
    latencyRuns.push({ run: paced, rotation: DEFAULT_ROTATION });
    done(paced.figures);
  }
  if (!opts.skip.includes('queries')) {
    queries = await queryRun(ctx, full.bucket, N);
    say(`queries: ${queries.queries.map((q) => `${q.name} ${figure(q.seconds)} s`).join(', ')}`);
  }

  // After the measured runs, so reading the lakes back disturbs none of them.
  for (const { run, rotation } of latencyRuns) {
    try {
      const seconds = await lakeLatencies(run.bucket, run.landings);
      if (seconds.length !== run.figures.records) throw new Error(`the lake holds ${seconds.length} records, the sink wrote ${run.figures.records}`);
      run.figures.latency = { rotation, seconds: distribution(seconds), curve: percentileCurve(seconds) };
    } catch (err) {
      // The runs' figures are still worth their report: this one says what is missing, and the exit status fails.
      notes.push(`latency of "${run.figures.title}" not measured: ${(err as Error).message}`);
      process.exitCode = 1;
    }
  }
} catch (err) {
  ctx.killAll();
  throw err;
} finally {
  if (!opts.keep) await cleanUp(ctx).catch((err: Error) => say(`clean-up failed: ${err.message}`));
}

const ordered = ['ingest', 'ceiling.produce', 'enrichment', 'ceiling.copy', 's3-sink', 'ceiling.consume', 'pipeline', 'ceiling.chain', 'paced', 'kafka.producer', 'kafka.consumer'];
runs.sort((a, b) => ordered.indexOf(a.id) - ordered.indexOf(b.id));
notes.push(
  'Latency: each record\'s ingestedAt (stamped by ingest) to the landing of its object in S3, over every record of the lake: the sink logs each object at debug level when its upload returns (ms, the same clock as ingest\'s); S3\'s LastModified has whole seconds only.',
  `Rotation: full-speed runs ${Object.entries(FAST_ROTATION).map(([k, v]) => `${k}=${v}`).join(' ')} (data queryable within seconds; with the defaults every file waits 10 s idle); the paced run the defaults.`,
  'CPU: user + system from /proc of each process and its children. Processes that run one job (ingest, ceilings, Kafka tools, queries) from their start to the line saying they are done; the long-running enrichment and sink from the clock\'s start to their stop (their start-up is not in it). The broker, registry and S3 server over the whole run, whatever else used them meanwhile.',
  'Targets apply to the StockStream services (ingest, enrichment, s3-sink); the JVMs of the stack run with their own heaps (broker -Xmx512m).',
);
if (N !== 1_000_000) notes.push(`The end-to-end target is for 1,000,000 records: not judged for ${N}.`);
if (cpus().length !== 2) notes.push(`This machine has ${cpus().length} cores; the end-to-end target is for 2.`);
const report: BenchReport = {
  startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), machine: machine(),
  settings: { records: N, pacedRate: opts.pacedRate, pacedSeconds: opts.pacedSeconds, warmUp: opts.warmUp, skip: opts.skip.join(',') },
  runs, queries, verdicts: benchVerdicts(runs), notes,
};
const outDir = resolve(opts.out, stamp);
mkdirSync(outDir, { recursive: true });
const markdown = renderMarkdown(report);
writeFileSync(join(outDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
writeFileSync(join(outDir, 'report.md'), markdown);
writeFileSync(join(outDir, 'chart.svg'), renderChart(report));
const latest = join(dirname(outDir), 'latest');
rmSync(latest, { force: true });
symlinkSync(stamp, latest);
process.stdout.write(`\n${markdown}\nreport: ${join(outDir, 'report.md')} (report.json, chart.svg; ${latest} points to it)\n`);

/** Deletes the run's topics and lake objects (the empty buckets stay). */
async function cleanUp(c: BenchContext): Promise<void> {
  const admin = await KafkaAdmin.connect(loadConfig(kafkaSettings), 'stockstream-bench');
  try {
    for (const t of c.topics) await admin.deleteTopic(t);
  } finally {
    admin.disconnect();
  }
  for (const bucket of c.buckets) {
    const storage = new S3Storage(s3StorageConfig(loadConfig(sinkSettings, { ...process.env, S3_BUCKET: bucket })));
    const keys: string[] = [];
    try {
      for await (const o of storage.list('')) keys.push(o.key);
    } catch {
      continue; // never created (a run that failed before its sink started)
    }
    for (let i = 0; i < keys.length; i += 16) await Promise.all(keys.slice(i, i + 16).map((k) => storage.delete(k)));
  }
}
