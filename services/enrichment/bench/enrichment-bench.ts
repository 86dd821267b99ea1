// `make bench-enrichment`: enrichment records/s with exactly-once on and off,
// and the ceiling (consume + produce of the same records through the same
// clients, no validation or Avro), all in one run on the same broker.
// Prints figures and ratios; asserts nothing about time.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { KafkaAdmin, createLogger, kafkaSettings, loadConfig } from '@stockstream/common';
import { metricRate, metricValue } from '@stockstream/common/testing';

const INGEST = fileURLToPath(new URL('../../../ingest/dist/src/main.js', import.meta.url));
const ENRICH = fileURLToPath(new URL('../src/main.js', import.meta.url));
const CEILING = fileURLToPath(new URL('./passthrough-ceiling.js', import.meta.url));
const COUNT = Number(process.env.BENCH_RECORDS ?? 300_000);
const id = `bench.enr.${randomUUID().slice(0, 6)}`;
const topics = { TOPIC_RAW: `${id}.raw`, TOPIC_ENRICHED: `${id}.enriched`, TOPIC_DLQ: `${id}.dlq`, TOPIC_FX: `${id}.fx`, TOPIC_PARTITIONS: '6' };

function run(script: string, args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  const done = new Promise<string>((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${script} exited ${code}: ${out}`)))));
  return { child, done };
}

/** Runs the service until it has committed COUNT input records; the clock starts at its first committed batch. */
async function enrichment(label: string, exactlyOnce: boolean, port: number) {
  const svc = run(ENRICH, [], {
    ...topics, TOPIC_ENRICHED: `${id}.${label}.enriched`, TOPIC_DLQ: `${id}.${label}.dlq`,
    ENRICHMENT_GROUP_ID: `${id}-${label}`, ENRICHMENT_INSTANCE_ID: label, ENRICHMENT_EXACTLY_ONCE: String(exactlyOnce), HTTP_PORT: String(port),
  });
  const name = 'stockstream_enrichment_records_in_total';
  const r = await metricRate(port, { startMetric: name, endMetric: name }, COUNT, 600_000);
  const txnCount = await metricValue(port, 'stockstream_enrichment_transaction_duration_seconds_count');
  svc.child.kill('SIGTERM');
  await svc.done;
  if (r.reached < COUNT) throw new Error(`${label}: only ${r.reached} of ${COUNT} records committed`);
  return { recordsPerSecond: r.recordsPerSecond, seconds: r.seconds, batches: txnCount };
}

const cfg = loadConfig(kafkaSettings);
// Bars from 1900 on: 300k records of 14 indices end in the 1980s, so all are valid, as most of a real feed is
// (started at today's default, a third would be dead-lettered as dated in the future).
console.log(`bench-enrichment on ${cfg.brokers.join(',')}: ${COUNT} generated records (daily bars from 1900)`);
await run(INGEST, ['simulate', '--count', String(COUNT), '--start', '1900-01-01'], { ...topics, HTTP_PORT: '0' }).done;

const eos = await enrichment('eos', true, 19_202);
const alo = await enrichment('alo', false, 19_203);
const admin = await KafkaAdmin.connect(cfg, 'bench');
await admin.ensureTopics([{ name: `${id}.ceiling`, partitions: 6, replicationFactor: 1, config: {} }], createLogger('bench', 'warn'));
admin.disconnect();
const ceil = JSON.parse(await run(CEILING, [topics.TOPIC_RAW, `${id}.ceiling`, String(COUNT), '5000'], {}).done) as { recordsPerSecond: number; seconds: number };

const line = (label: string, rps: number, extra: string) => console.log(`${label.padEnd(26)} ${String(Math.round(rps)).padStart(8)} rec/s  ratio to ceiling ${(rps / ceil.recordsPerSecond).toFixed(2)}  ${extra}`);
console.log('');
line('exactly-once (transactions)', eos.recordsPerSecond, `${eos.batches} transactions`);
line('at-least-once', alo.recordsPerSecond, `${alo.batches} batches`);
line('ceiling (copy, no work)', ceil.recordsPerSecond, 'same clients, no Avro or validation');
console.log(`exactly-once cost vs at-least-once: ${((1 - eos.recordsPerSecond / alo.recordsPerSecond) * 100).toFixed(0)}%`);
console.log('targets: >= 50000 rec/s with exactly-once; exactly-once costing <= 30% against at-least-once');
