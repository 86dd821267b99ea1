// `make bench-sink`: the sink's records/s and MB/s, end-to-end time from the
// first produce to the last record in the lake for 1,000,000 generated
// records, and query latency of the example questions over a ~100k and a
// 10M-row lake. Prints figures; asserts nothing about time.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type EnrichedTick } from '@stockstream/common';
import { metricRate, metricValue, waitForMetric } from '@stockstream/common/testing';
import { s3StorageConfig, sinkSettings } from '../src/config.js';
import { EXAMPLE_NAMES, EXAMPLE_QUERIES } from '../src/lake/example-queries.js';
import { LakeSql } from '../src/lake/lake-sql.js';
import { mirrorLake } from '../src/lake/lake-mirror.js';
import { ParquetRecordWriter } from '../src/format/parquet-record-writer.js';
import { HivePartitioner } from '../src/partitioner/hive-partitioner.js';
import { objectKey } from '../src/storage/object-key.js';
import { S3Storage } from '../src/storage/s3-storage.js';
import { ColumnBatch } from '../src/format/column-batch.js';

const INGEST = fileURLToPath(new URL('../../../ingest/dist/src/main.js', import.meta.url));
const ENRICH = fileURLToPath(new URL('../../../enrichment/dist/src/main.js', import.meta.url));
const SINK = fileURLToPath(new URL('../src/main.js', import.meta.url));
const TOTAL = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const BIG_LAKE = Number(process.env.BENCH_BIG_LAKE_ROWS ?? 10_000_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const id = `bench-sink-${randomUUID().slice(0, 6)}`;
const topics = { TOPIC_RAW: `${id}.raw`, TOPIC_ENRICHED: `${id}.enriched`, TOPIC_DLQ: `${id}.dlq`, TOPIC_FX: `${id}.fx`, TOPIC_PARTITIONS: '6' };

function run(script: string, args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, LOG_LEVEL: 'warn', HTTP_PORT: '0', ...topics, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  const done = new Promise<string>((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${script} exited ${code}: ${out}`)))));
  return { child, done };
}

/**
 * TOTAL valid bars: the weekday calendar from 1900 holds ~463k per 14
 * indices before today (later or earlier dates are dead-lettered), so the
 * generator runs with a seed per 460k (1,000,000: 460k, 460k and 80k).
 */
const PER_SEED = 460_000;
const INGEST_RUNS = Array.from({ length: Math.ceil(TOTAL / PER_SEED) }, (_, i) => Math.min(PER_SEED, TOTAL - i * PER_SEED));

console.log(`bench-sink: ${TOTAL} records through ingest -> enrichment -> s3-sink, then lakes of ~100k and ${BIG_LAKE} rows`);
const bucket = `${id}-e2e`;
// Rotation as a deployment that wants data queryable within seconds would set it: a file closes 1 s after its
// lake partition (index, year) stopped receiving records — the stream moves through the years — or 10 s after
// it opened, whichever comes first.
const ROTATION = { SINK_ROTATE_RECORDS: '100000', SINK_ROTATE_MS: '10000', SINK_ROTATE_IDLE_MS: '1000' };

/** An enrichment and a sink, started on `env` (topics, group, bucket), once both are ready; stop() ends them. */
async function startPipeline(env: Record<string, string>, ports: { enrichment: number; sink: number }) {
  const enr = run(ENRICH, [], { ...env, HTTP_PORT: String(ports.enrichment) });
  const sink = run(SINK, [], { ...env, ...ROTATION, HTTP_PORT: String(ports.sink) });
  await waitForMetric(ports.enrichment, 'stockstream_enrichment_fx_table_rates', 1, 60_000); // both idle and ready
  return {
    stop: async () => {
      enr.child.kill('SIGTERM');
      sink.child.kill('SIGTERM');
      await Promise.all([enr.done, sink.done]);
    },
  };
}

/**
 * A broker and an S3 server (both JVMs) that have just started run their
 * first minute of load much slower (here 1M end to end took 36 s right after
 * `stack.sh up`, 26 s on the next run). A broker in service has been up for
 * days: so the same pipeline first carries WARM_UP records through topics,
 * a group and a bucket of their own, with services of their own, before the
 * measured run starts fresh ones.
 */
const WARM_UP = Number(process.env.BENCH_WARM_UP_RECORDS ?? 200_000);
if (WARM_UP > 0) {
  const w = `${id}-warm`;
  const warmTopics = { TOPIC_RAW: `${w}.raw`, TOPIC_ENRICHED: `${w}.enriched`, TOPIC_DLQ: `${w}.dlq`, TOPIC_FX: `${w}.fx` };
  const t = performance.now();
  const warm = await startPipeline({ ...warmTopics, ENRICHMENT_GROUP_ID: w, S3_BUCKET: w, SINK_GROUP_ID: w }, { enrichment: 19_404, sink: 19_405 });
  await run(INGEST, ['simulate', '--count', String(WARM_UP), '--seed', '9', '--start', '1900-01-01'], warmTopics).done;
  await waitForMetric(19_405, 'stockstream_sink_records_written_total', WARM_UP, 300_000);
  await warm.stop();
  console.log(`warm-up: ${WARM_UP} records through the same pipeline on topics of their own in ${((performance.now() - t) / 1000).toFixed(1)} s (not measured)`);
}

const pipeline = await startPipeline({ ENRICHMENT_GROUP_ID: id, S3_BUCKET: bucket, SINK_GROUP_ID: id }, { enrichment: 19_401, sink: 19_402 });
await sleep(3000);
const t0 = performance.now();
// The three runs publish side by side, as three feeds would (one after the other, the pipeline would also wait for
// two more process start-ups, and each lake partition would be written in three separate passes through the years).
await Promise.all(INGEST_RUNS.map((n, i) => run(INGEST, ['simulate', '--count', String(n), '--seed', String(i + 1), '--start', '1900-01-01'], {}).done));
const ingested = performance.now();
const written = await waitForMetric(19_402, 'stockstream_sink_records_written_total', TOTAL, 600_000);
const e2e = (performance.now() - t0) / 1000;
const e2eObjects = await metricValue(19_402, 'stockstream_sink_objects_written_total');
await pipeline.stop();
console.log(`end-to-end: ${written} records from first produce to last object in S3 in ${e2e.toFixed(1)} s (ingest alone ${((ingested - t0) / 1000).toFixed(1)} s, ${e2eObjects} objects)   target <= 30 s`);

// The sink alone, over the enriched topic that is now full: from its first record consumed to its last record in S3.
const solo = run(SINK, [], { S3_BUCKET: `${id}-solo`, SINK_GROUP_ID: `${id}-solo`, ...ROTATION, HTTP_PORT: '19403' });
const { counted: n1, seconds: secs } = await metricRate(19_403, { startMetric: 'stockstream_sink_records_consumed_total', endMetric: 'stockstream_sink_records_written_total' }, TOTAL, 600_000);
const b1 = await metricValue(19_403, 'stockstream_sink_bytes_written_total');
const objects = await metricValue(19_403, 'stockstream_sink_objects_written_total');
solo.child.kill('SIGTERM');
await solo.done;
console.log(`sink alone: ${Math.round(n1 / secs)} records/s, ${(b1 / 1e6 / secs).toFixed(1)} MB/s of Parquet (${n1} records, ${objects} objects, ${secs.toFixed(1)} s)   target >= 100000 records/s`);

/** A lake built directly with the sink's writer, partitioner and key scheme (no Kafka), for query latency. */
async function buildLake(rows: number, name: string): Promise<string> {
  const cfg = loadConfig(sinkSettings, { ...process.env, S3_BUCKET: `${id}-${name}` });
  const storage = new S3Storage(s3StorageConfig(cfg));
  await storage.ensureBucket();
  const writer = await new ParquetRecordWriter();
  const partitioner = new HivePartitioner();
  const indices = ['000001.SS', '399001.SZ', 'GDAXI', 'GSPTSE', 'HSI', 'IXIC', 'J203.JO', 'KS11', 'N100', 'N225', 'NSEI', 'NYA', 'SSMI', 'TWII'];
  const years = 37; // 1990..2026
  const perFile = Math.ceil(rows / (indices.length * years));
  let offset = 0;
  for (const index of indices) {
    for (let y = 0; y < years; y++) {
      const base = Date.UTC(1990 + y, 0, 1) / 86_400_000;
      const batch: EnrichedTick[] = [];
      for (let i = 0; i < perFile; i++) {
        const close = 1000 + ((offset * 7919) % 5000) / 10;
        batch.push({
          index, date: base + (i % 360), open: close - 1, high: close + 5, low: close - 5, close, adjClose: close, volume: offset % 1_000_000,
          exchange: `${index} exchange`, region: 'r', currency: 'USD', fxRate: 1, fxEffectiveDate: -25_567, closeUsd: close,
          source: { kind: 'GENERATOR', name: name, line: offset }, rawTopic: 'bench', rawPartition: 0, rawOffset: offset, ingestedAt: 0, enrichedAt: 0, fxSource: 'identity',
        });
        offset++;
      }
      const key = objectKey({ prefix: cfg.s3Prefix, table: 'ticks', partitionPath: partitioner.partitionPath(batch[0]!), topic: 'bench', kafkaPartition: 0, firstOffset: offset - perFile, lastOffset: offset - 1, extension: 'parquet' });
      await storage.put(key, await writer.write(ColumnBatch.of(batch)), writer.contentType);
    }
  }
  await writer.close();
  return cfg.s3Bucket;
}

for (const [name, rows] of [['lake100k', 100_000], ['lake10m', BIG_LAKE]] as const) {
  const b0 = performance.now();
  const lakeBucket = await buildLake(rows, name);
  const built = (performance.now() - b0) / 1000;
  const cfg = loadConfig(sinkSettings, { ...process.env, S3_BUCKET: lakeBucket });
  const dir = mkdtempSync(join(tmpdir(), 'bench-lake-'));
  const m0 = performance.now();
  const mirror = await mirrorLake(new S3Storage(s3StorageConfig(cfg)), cfg.s3Prefix, 'ticks', dir);
  const cold = (performance.now() - m0) / 1000;
  const sql = await LakeSql.open(mirror.dir);
  const count = (await sql.query('SELECT count(*) FROM ticks')).rows[0]![0];
  console.log(`\n${name}: ${count} rows, ${mirror.objects} objects, ${(mirror.bytes / 1e6).toFixed(1)} MB (built in ${built.toFixed(1)} s); fetching the lake from S3: ${cold.toFixed(2)} s`);
  for (const q of EXAMPLE_NAMES) {
    const t = performance.now();
    await sql.query(EXAMPLE_QUERIES[q].sql);
    console.log(`  ${q.padEnd(22)} ${((performance.now() - t) / 1000).toFixed(3)} s`);
  }
  const t = performance.now();
  await sql.query(`SELECT avg(close_usd) FROM ticks WHERE "index" = 'HSI' AND year = 2001`);
  console.log(`  ${'pruned (HSI, 2001)'.padEnd(22)} ${((performance.now() - t) / 1000).toFixed(3)} s`);
  sql.close();
}
