// The runs of `make bench`, each a function that starts real processes
// (stockstream commands, the ceiling scripts, Kafka's perf tools), measures
// them and returns its figures. The order and the report are main.ts's.
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { KafkaAdmin, createLogger, kafkaSettings, loadConfig } from '@stockstream/common';
import { isReady, metricRate, waitForMetric } from '@stockstream/common/testing';
import { parseSummaryLine } from '@stockstream/ingest/dist/src/report/summary-line.js';
import type { RunFigures } from '../report/model.js';
import { RunMeter, type MeasuredProcess, type StackProcess } from '../measure/run-meter.js';
import { parseConsumerPerf, parseJsonLine, parseLandings, parseProducerPerf, type Landing } from './tool-output.js';

const resolve = (specifier: string) => fileURLToPath(import.meta.resolve(specifier));
/** The `stockstream` command, run as users run it (npx stockstream runs this file). */
export const STOCKSTREAM = resolve('@stockstream/cli/bin/stockstream.js');
const PRODUCER_CEILING = resolve('@stockstream/ingest/dist/bench/producer-ceiling.js');
const COPY_CEILING = resolve('@stockstream/enrichment/dist/bench/passthrough-ceiling.js');
const CONSUME_CEILING = fileURLToPath(new URL('../ceilings/consume-ceiling.js', import.meta.url));
const STACK_SH = fileURLToPath(new URL('../../../../../deploy/local/stack.sh', import.meta.url));

/** The enrichment's batch (ENRICHMENT_BATCH_MAX's default), for the copy ceiling. */
const ENRICHMENT_BATCH = 5000;
const PARTITIONS = 6;
/**
 * Valid bars per generator run: the weekday calendar from 1900 holds ~463k
 * bars of the 14 indices before today (later ones are dead-lettered as dated
 * in the future), so N records are several runs with their own seeds,
 * publishing side by side as several feeds would.
 */
const PER_FEED = 460_000;
/**
 * The sink's rotation in the full-speed runs, as a deployment that wants data
 * queryable within seconds would set it: a file closes 1 s after its lake
 * partition (index, year) stopped receiving records, or 10 s after it opened.
 * The paced run keeps the defaults (idle 10 s, 60 s).
 */
export const FAST_ROTATION = { SINK_ROTATE_RECORDS: '100000', SINK_ROTATE_MS: '10000', SINK_ROTATE_IDLE_MS: '1000' };
export const DEFAULT_ROTATION = { SINK_ROTATE_RECORDS: '100000', SINK_ROTATE_MS: '60000', SINK_ROTATE_IDLE_MS: '10000' };

export function feeds(total: number): number[] {
  return Array.from({ length: Math.ceil(total / PER_FEED) }, (_, i) => Math.min(PER_FEED, total - i * PER_FEED));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
    srv.on('error', rej);
  });
}

export interface Topics {
  TOPIC_RAW: string;
  TOPIC_ENRICHED: string;
  TOPIC_DLQ: string;
  TOPIC_FX: string;
}

/** What every run shares: names of this benchmark's topics and buckets (to clean up), the stack's JVMs. */
export class BenchContext {
  readonly topics = new Set<string>();
  readonly buckets = new Set<string>();
  constructor(readonly id: string, readonly stack: readonly StackProcess[]) {}

  pipelineTopics(label: string): Topics {
    const p = `${this.id}.${label}`;
    const t = { TOPIC_RAW: `${p}.raw`, TOPIC_ENRICHED: `${p}.enriched`, TOPIC_DLQ: `${p}.dlq`, TOPIC_FX: `${p}.fx` };
    for (const name of Object.values(t)) this.topics.add(name);
    return t;
  }

  bucket(label: string): string {
    const b = `${this.id}-${label}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
    this.buckets.add(b);
    return b;
  }

  /** Creates plain topics (the ceilings' and Kafka's tools' own) with the pipeline's partitions. */
  async createTopics(...names: string[]): Promise<void> {
    const admin = await KafkaAdmin.connect(loadConfig(kafkaSettings), 'stockstream-bench');
    try {
      await admin.ensureTopics(names.map((name) => ({ name, partitions: PARTITIONS, replicationFactor: 1, config: {} })), createLogger('bench', 'warn'));
    } finally {
      admin.disconnect();
    }
    for (const n of names) this.topics.add(n);
  }

  private readonly meters: RunMeter[] = [];

  meter(): RunMeter {
    const m = new RunMeter(this.stack);
    this.meters.push(m);
    return m;
  }

  /** After a failure: ends every process a run started that still runs. */
  killAll(): void {
    for (const m of this.meters) m.killAll();
  }
}

function stockstream(meter: RunMeter, name: string, args: string[], env: Record<string, string>): MeasuredProcess {
  return meter.spawn({
    name, service: true, command: process.execPath, args: [STOCKSTREAM, name, ...args],
    env: { LOG_LEVEL: 'warn', HTTP_PORT: '0', TOPIC_PARTITIONS: String(PARTITIONS), ...env },
    doneWhen: name === 'ingest' ? /^ingest: read /m : undefined,
  });
}

function ingestFigures(out: string): { records: number; recordsPerSecond: number; mbPerSecond: number } {
  const m = parseSummaryLine(out);
  if (!m) throw new Error(`no summary line from ingest: ${out.slice(-1000)}`);
  return { records: m.published + m.deadLettered, recordsPerSecond: m.recordsPerSecond, mbPerSecond: m.mbPerSecond };
}

function run(fields: Omit<RunFigures, 'latency' | 'notes' | 'mbPerSecond'> & Partial<Pick<RunFigures, 'latency' | 'notes' | 'mbPerSecond'>>): RunFigures {
  return { latency: null, notes: [], mbPerSecond: null, ...fields };
}

/** ingest alone: one process publishing `records` generated bars. */
export async function ingestAlone(ctx: BenchContext, records: number): Promise<RunFigures & { valueBytes: number }> {
  const meter = ctx.meter();
  const p = stockstream(meter, 'ingest', ['simulate', '--count', String(records), '--seed', '1', '--start', '1900-01-01'], { ...ctx.pipelineTopics('ingest') });
  const f = ingestFigures(await p.succeeded());
  return {
    ...run({ id: 'ingest', title: 'ingest', kind: 'stage', ceiling: 'ceiling.produce', ...f, seconds: f.records / f.recordsPerSecond,
      clock: 'ingest\'s own, first record to last commit (its start-up not counted)', processes: meter.finish() }),
    valueBytes: Math.round((f.mbPerSecond * 1e6) / f.recordsPerSecond),
  };
}

interface CeilingJson { recordsPerSecond: number; seconds: number; acked?: number; copied?: number; consumed?: number; mbPerSecond?: number }

/** The producer ceiling (services/ingest/bench/producer-ceiling.ts): as many pre-encoded records of the same size, same client and settings. */
export async function produceCeiling(ctx: BenchContext, records: number, valueBytes: number): Promise<RunFigures> {
  const topic = `${ctx.id}.ceiling.produce`;
  await ctx.createTopics(topic);
  const meter = ctx.meter();
  const p = meter.spawn({ name: 'producer ceiling', service: false, command: process.execPath, args: [PRODUCER_CEILING, topic, String(records), String(valueBytes)], doneWhen: /^\{/m });
  const r = parseJsonLine<CeilingJson>(await p.succeeded());
  return run({
    id: 'ceiling.produce', title: 'producer ceiling', kind: 'ceiling', ceiling: 'kafka.producer', records: r.acked!, seconds: r.seconds,
    recordsPerSecond: r.recordsPerSecond, mbPerSecond: r.mbPerSecond!, clock: 'first produce to last commit', processes: meter.finish(),
    notes: [`pre-encoded random ${valueBytes}-byte values, ingest's client, transactions every INGEST_COMMIT_INTERVAL_MS`],
  });
}

/** kafka-producer-perf-test and kafka-consumer-perf-test of the stack's Kafka, with the producer settings of our client. */
export async function kafkaTools(ctx: BenchContext, records: number, valueBytes: number): Promise<RunFigures[]> {
  const topic = `${ctx.id}.kafka-perf`;
  await ctx.createTopics(topic);
  const cfg = loadConfig(kafkaSettings);
  const brokers = cfg.brokers.join(',');
  let meter = ctx.meter();
  const prod = meter.spawn({
    name: 'kafka-producer-perf-test', service: false, command: STACK_SH, doneWhen: /50th/,
    args: ['kafka', 'producer-perf-test', '--bootstrap-server', brokers, '--topic', topic, '--num-records', String(records), '--record-size', String(valueBytes), '--throughput', '-1',
      '--transaction-duration-ms', '100', '--command-property', `compression.type=${cfg.compression}`, `linger.ms=${cfg.lingerMs}`, `batch.size=${cfg.batchBytes}`, 'acks=all'],
  });
  const p = parseProducerPerf(await prod.succeeded());
  if (!p) throw new Error(`no closing line from kafka-producer-perf-test: ${prod.stdout().slice(-1000)}`);
  const producer = run({
    id: 'kafka.producer', title: 'kafka-producer-perf-test', kind: 'kafka-tool', ceiling: null, records: p.records, seconds: p.records / p.recordsPerSecond,
    recordsPerSecond: p.recordsPerSecond, mbPerSecond: p.mbPerSecond, clock: 'the tool\'s own', processes: meter.finish(),
    notes: [`${valueBytes}-byte values of random letters, transactions every 100 ms, compression ${cfg.compression}, linger ${cfg.lingerMs} ms, batch ${cfg.batchBytes} bytes`],
  });
  meter = ctx.meter();
  const cons = meter.spawn({
    name: 'kafka-consumer-perf-test', service: false, command: STACK_SH, doneWhen: /^\d{4}-\d\d-\d\d.*,.*\n/m,
    args: ['kafka', 'consumer-perf-test', '--bootstrap-server', brokers, '--topic', topic, '--num-records', String(records), '--group', `${ctx.id}-kafka-perf`,
      '--command-property', 'isolation.level=read_committed'],
  });
  const c = parseConsumerPerf(await cons.succeeded());
  if (!c) throw new Error(`no figures from kafka-consumer-perf-test: ${cons.stdout().slice(-1000)}`);
  const consumer = run({
    id: 'kafka.consumer', title: 'kafka-consumer-perf-test', kind: 'kafka-tool', ceiling: null, records: c.records, seconds: c.records / c.recordsPerSecond,
    recordsPerSecond: c.recordsPerSecond, mbPerSecond: c.mbPerSecond, clock: `the tool's fetch time (its group join, ${c.rebalanceMs} ms, left out)`, processes: meter.finish(),
  });
  return [producer, consumer];
}

interface Pipeline {
  enrichment: MeasuredProcess;
  sink: MeasuredProcess;
  ports: { enrichment: number; sink: number };
  bucket: string;
  stop(): Promise<void>;
}

/** An enrichment and a sink on `label`'s topics, group and bucket, started and ready (assigned, idle). */
async function startPipeline(ctx: BenchContext, meter: RunMeter, label: string, rotation: Record<string, string>): Promise<Pipeline> {
  const topics = ctx.pipelineTopics(label);
  const bucket = ctx.bucket(label);
  const ports = { enrichment: await freePort(), sink: await freePort() };
  const group = `${ctx.id}-${label}`;
  const enrichment = stockstream(meter, 'enrichment', [], { ...topics, ENRICHMENT_GROUP_ID: group, ENRICHMENT_INSTANCE_ID: group, HTTP_PORT: String(ports.enrichment) });
  // debug: the sink's one line per object landed, from which latency is taken.
  const sink = stockstream(meter, 's3-sink', [], { ...topics, ...rotation, SINK_GROUP_ID: group, S3_BUCKET: bucket, HTTP_PORT: String(ports.sink), LOG_LEVEL: 'debug' });
  await waitForMetric(ports.enrichment, 'stockstream_enrichment_fx_table_rates', 1, 120_000);
  const deadline = Date.now() + 120_000;
  while (!(await isReady(ports.sink)) && Date.now() < deadline) await sleep(100);
  await sleep(3000); // both have joined their groups and been assigned the (empty) topics
  return { enrichment, sink, ports, bucket, stop: async () => void (await Promise.all([enrichment.stop(), sink.stop()])) };
}

export interface PipelineRun {
  figures: RunFigures;
  bucket: string;
  landings: Landing[];
}

/**
 * The whole pipeline: enrichment and sink ready and idle, then ingest feeds
 * (side by side) publish `records`; the clock runs from spawning the ingest
 * processes to the last object landed in S3.
 */
export async function pipelineRun(
  ctx: BenchContext,
  opts: { id: string; title: string; records: number; valueBytes: number; rotation: Record<string, string>; rate?: number; ceiling: string | null },
): Promise<PipelineRun> {
  const meter = ctx.meter();
  const pipeline = await startPipeline(ctx, meter, opts.id, opts.rotation);
  const topics = ctx.pipelineTopics(opts.id);
  pipeline.enrichment.startClock();
  pipeline.sink.startClock();
  const t0 = Date.now();
  const pace = opts.rate === undefined ? [] : ['--rate', String(opts.rate)];
  const ingests = (opts.rate === undefined ? feeds(opts.records) : [opts.records]).map((n, i) =>
    stockstream(meter, 'ingest', ['simulate', '--count', String(n), '--seed', String(i + 1), '--start', '1900-01-01', ...pace], { ...topics }),
  );
  const outs = await Promise.all(ingests.map((p) => p.succeeded()));
  const timeout = 600_000 + (opts.rate === undefined ? 0 : (opts.records / opts.rate) * 1000);
  const written = await waitForMetric(pipeline.ports.sink, 'stockstream_sink_records_written_total', opts.records, timeout);
  await pipeline.stop();
  if (written < opts.records) throw new Error(`${opts.title}: only ${written} of ${opts.records} records reached the lake`);
  const landings = parseLandings(pipeline.sink.stdout());
  const seconds = (Math.max(...landings.map((l) => l.landedAt)) - t0) / 1000;
  const notes = opts.rate === undefined ? [] : [`paced at ${opts.rate} records/s: ingest published at ${ingestFigures(outs[0]!).recordsPerSecond} records/s`];
  return {
    figures: run({
      id: opts.id, title: opts.title, kind: 'pipeline', ceiling: opts.ceiling, records: written, seconds, recordsPerSecond: written / seconds,
      mbPerSecond: (written * opts.valueBytes) / 1e6 / seconds, clock: 'spawning ingest to the last object landed in S3', processes: meter.finish(), notes,
    }),
    bucket: pipeline.bucket,
    landings,
  };
}

/**
 * The pipeline's ceiling: the three ceiling scripts chained on their own
 * topics, all at once, as the pipeline runs: producer ceilings (as many feeds
 * as the pipeline's) → copy → consume, from spawning the producers to the
 * last record consumed.
 */
export async function chainCeiling(ctx: BenchContext, records: number, valueBytes: number): Promise<RunFigures> {
  const a = `${ctx.id}.chain.raw`;
  const b = `${ctx.id}.chain.copy`;
  await ctx.createTopics(a, b);
  const meter = ctx.meter();
  const copy = meter.spawn({ name: 'copy ceiling', service: false, command: process.execPath, args: [COPY_CEILING, a, b, String(records), String(ENRICHMENT_BATCH)], doneWhen: /^\{/m });
  const consume = meter.spawn({ name: 'consume ceiling', service: false, command: process.execPath, args: [CONSUME_CEILING, b, String(records)], doneWhen: /^\{/m });
  await sleep(3000);
  const t0 = Date.now();
  const producers = feeds(records).map((n) =>
    meter.spawn({ name: 'producer ceiling', service: false, command: process.execPath, args: [PRODUCER_CEILING, a, String(n), String(valueBytes)], doneWhen: /^\{/m }),
  );
  await Promise.all([...producers.map((p) => p.succeeded()), copy.succeeded()]);
  await consume.succeeded();
  const seconds = (consume.settledAt! - t0) / 1000;
  return run({
    id: 'ceiling.chain', title: 'pipeline ceiling', kind: 'ceiling', ceiling: null, records, seconds, recordsPerSecond: records / seconds,
    mbPerSecond: (records * valueBytes) / 1e6 / seconds, clock: 'producer ceilings → copy ceiling → consume ceiling, chained on topics of their own, from spawning the producers to the last record consumed', processes: meter.finish(),
  });
}

/** The enrichment (exactly-once) alone over a full raw topic; clock from its first committed batch to `records` read. */
export async function enrichmentAlone(ctx: BenchContext, rawTopic: string, records: number, valueBytes: number): Promise<RunFigures> {
  const meter = ctx.meter();
  const topics = ctx.pipelineTopics('enrichment');
  const port = await freePort();
  const group = `${ctx.id}-enrichment`;
  const p = stockstream(meter, 'enrichment', [], { ...topics, TOPIC_RAW: rawTopic, ENRICHMENT_GROUP_ID: group, ENRICHMENT_INSTANCE_ID: group, HTTP_PORT: String(port) });
  const name = 'stockstream_enrichment_records_in_total';
  const r = await metricRate(port, { startMetric: name, endMetric: name }, records, 600_000, () => p.startClock());
  await p.stop();
  if (r.reached < records) throw new Error(`enrichment alone: only ${r.reached} of ${records} records`);
  return run({
    id: 'enrichment', title: 'enrichment (exactly-once)', kind: 'stage', ceiling: 'ceiling.copy', records: r.counted, seconds: r.seconds, recordsPerSecond: r.recordsPerSecond,
    mbPerSecond: (r.recordsPerSecond * valueBytes) / 1e6, clock: 'first committed batch to the last record read (its start-up not counted)', processes: meter.finish(),
  });
}

/** The copy ceiling (services/enrichment/bench/passthrough-ceiling.ts): the same records copied by the same clients, no work. */
export async function copyCeiling(ctx: BenchContext, rawTopic: string, records: number, valueBytes: number): Promise<RunFigures> {
  const to = `${ctx.id}.ceiling.copy`;
  await ctx.createTopics(to);
  const meter = ctx.meter();
  const p = meter.spawn({ name: 'copy ceiling', service: false, command: process.execPath, args: [COPY_CEILING, rawTopic, to, String(records), String(ENRICHMENT_BATCH)], doneWhen: /^\{/m });
  const r = parseJsonLine<CeilingJson>(await p.succeeded());
  return run({
    id: 'ceiling.copy', title: 'copy ceiling', kind: 'ceiling', ceiling: null, records: r.copied!, seconds: r.seconds, recordsPerSecond: r.recordsPerSecond,
    mbPerSecond: (r.recordsPerSecond * valueBytes) / 1e6, clock: 'first record consumed to the last copied', processes: meter.finish(),
  });
}

/** The sink alone over a full enriched topic; clock from its first record consumed to `records` in S3. */
export async function sinkAlone(ctx: BenchContext, enrichedTopic: string, records: number, valueBytes: number): Promise<RunFigures> {
  const meter = ctx.meter();
  const port = await freePort();
  const group = `${ctx.id}-sink`;
  const p = stockstream(meter, 's3-sink', [], {
    ...ctx.pipelineTopics('sink'), ...FAST_ROTATION, TOPIC_ENRICHED: enrichedTopic, SINK_GROUP_ID: group, S3_BUCKET: ctx.bucket('sink'), HTTP_PORT: String(port),
  });
  // From its assignment, as the consume ceiling: its clock then holds the first fetches too.
  const r = await metricRate(port, { startMetric: 'stockstream_sink_assigned_partitions', endMetric: 'stockstream_sink_records_written_total' }, records, 600_000, () => p.startClock());
  await p.stop();
  if (r.reached < records) throw new Error(`sink alone: only ${r.reached} of ${records} records`);
  return run({
    id: 's3-sink', title: 's3-sink', kind: 'stage', ceiling: 'ceiling.consume', records: r.counted, seconds: r.seconds, recordsPerSecond: r.recordsPerSecond,
    mbPerSecond: (r.recordsPerSecond * valueBytes) / 1e6, clock: 'partitions assigned to the last record in S3 (its start-up not counted)', processes: meter.finish(),
  });
}

/** The consume ceiling (ceilings/consume-ceiling.ts) over the same enriched records. */
export async function consumeCeiling(ctx: BenchContext, enrichedTopic: string, records: number): Promise<RunFigures & { valueBytes: number }> {
  const meter = ctx.meter();
  const p = meter.spawn({ name: 'consume ceiling', service: false, command: process.execPath, args: [CONSUME_CEILING, enrichedTopic, String(records)], doneWhen: /^\{/m });
  const r = parseJsonLine<CeilingJson & { bytes: number }>(await p.succeeded());
  return {
    ...run({
      id: 'ceiling.consume', title: 'consume ceiling', kind: 'ceiling', ceiling: 'kafka.consumer', records: r.consumed!, seconds: r.seconds, recordsPerSecond: r.recordsPerSecond,
      mbPerSecond: r.mbPerSecond!, clock: 'partitions assigned to the last record consumed', processes: meter.finish(),
    }),
    valueBytes: Math.round(r.bytes / r.consumed!),
  };
}
