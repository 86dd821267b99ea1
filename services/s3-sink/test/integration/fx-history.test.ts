// The daily FX history through the real pipeline (ingest -> enrichment ->
// sink -> lake -> SQL): every bar is converted at the rate of its own day,
// known values from the ECB's file arrive in the lake exactly, and the
// enriched schema's second version lands in the same files as the first.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import avsc from 'avsc';
import { AvroSerializer, KafkaProducer, SchemaRegistryClient, createLogger, loadConfig, parseIsoDate, type EnrichedTick } from '@stockstream/common';
import { metricValue, runService, stopService, testKafkaConfig, testRegistryConfig, uniqueTopics, waitForMetric } from '@stockstream/common/testing';
import { s3StorageConfig, sinkSettings } from '../../src/config.js';
import { LakeSql, type QueryResult } from '../../src/lake/lake-sql.js';
import { mirrorLake } from '../../src/lake/lake-mirror.js';
import { S3Storage } from '../../src/storage/s3-storage.js';

const SINK = fileURLToPath(new URL('../../src/main.js', import.meta.url));
const ENRICH = fileURLToPath(new URL('../../../../enrichment/dist/src/main.js', import.meta.url));
const INGEST = fileURLToPath(new URL('../../../../ingest/dist/src/main.js', import.meta.url));
const V1_SCHEMA = fileURLToPath(new URL('../../../../../schemas/history/enriched-tick.v1.avsc', import.meta.url));
const HEADER = 'Index,Date,Open,High,Low,Close,Adj Close,Volume';
const EPOCH_1900 = '1900-01-01';

function csvFile(name: string, rows: string[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'fxh-')), name);
  writeFileSync(path, [HEADER, ...rows, ''].join('\n'));
  return path;
}

async function lakeQuery(bucket: string, sql: string): Promise<QueryResult & { objects: number }> {
  const cfg = loadConfig(sinkSettings, { ...process.env, S3_BUCKET: bucket });
  const m = await mirrorLake(new S3Storage(s3StorageConfig(cfg)), cfg.s3Prefix, 'ticks', mkdtempSync(join(tmpdir(), 'lake-')));
  const db = await LakeSql.open(m.dir);
  try {
    return { ...(await db.query(sql)), objects: m.objects };
  } finally {
    db.close();
  }
}

// Known values: units per EUR of the ECB's eurofxref-hist.csv on those days, USD per unit = USD/EUR over units/EUR.
const KNOWN: { row: string; rate: number; source: string; effective: string }[] = [
  { row: 'J203.JO,2001-03-19,9000,9100,8900,9050.25,9050.25,100', rate: 0.8996 / 7.1633, source: 'ecb', effective: '2001-03-19' },
  { row: 'J203.JO,2023-09-29,70000,71000,69000,70512.5,70512.5,100', rate: 1.0594 / 19.9813, source: 'ecb', effective: '2023-09-29' },
  // A Saturday: Friday's rate.
  { row: 'SSMI,2023-09-30,10800,10900,10700,10850.75,10850.75,100', rate: 1.0594 / 0.9669, source: 'ecb', effective: '2023-09-29' },
  { row: 'N225,2001-03-19,12000,12500,11900,12200.5,12200.5,100', rate: 0.8996 / 109.83, source: 'ecb', effective: '2001-03-19' },
  { row: 'GSPTSE,2023-09-29,19500,19600,19400,19541.3,19541.3,100', rate: 1.0594 / 1.4227, source: 'ecb', effective: '2023-09-29' },
  { row: 'GDAXI,2023-09-29,15300,15400,15200,15386.58,15386.58,100', rate: 1.0594, source: 'ecb', effective: '2023-09-29' },
  { row: 'HSI,2001-03-19,12000,12100,11900,12050.5,12050.5,100', rate: 0.8996 / 7.0162, source: 'ecb', effective: '2001-03-19' },
  // Before the series starts (1999-01-04), and a currency the ECB does not quote: the documented fallback.
  { row: 'HSI,1998-06-01,8000,8100,7900,8050.5,8050.5,100', rate: 0.13, source: 'fallback', effective: EPOCH_1900 },
  { row: 'HSI,1999-01-02,8000,8100,7900,8060.5,8060.5,100', rate: 0.13, source: 'fallback', effective: EPOCH_1900 },
  { row: 'TWII,2020-01-02,12000,12200,11900,12100.25,12100.25,100', rate: 0.036, source: 'fallback', effective: EPOCH_1900 },
  { row: 'NYA,2020-01-02,14000,14100,13900,14002.5,14002.5,100', rate: 1, source: 'identity', effective: EPOCH_1900 },
];

describe('FX history through the real pipeline', () => {
  it('the lake\'s close_usd is close x the rate of the bar\'s own day (1e-9 relative), with the rate\'s date and source', async () => {
    const topics = uniqueTopics('fxh');
    const bucket = `it-fxh-${Date.now()}`;
    const ing = runService(INGEST, ['replay', csvFile('known.csv', KNOWN.map((k) => k.row))], topics.env);
    assert.equal((await ing.exited).code, 0, ing.stderr());
    const enr = runService(ENRICH, [], { ...topics.env, ENRICHMENT_GROUP_ID: `g-${topics.raw}`, ENRICHMENT_INSTANCE_ID: 'fxh', HTTP_PORT: '19181' });
    const sink = runService(SINK, [], { ...topics.env, S3_BUCKET: bucket, SINK_GROUP_ID: `g-${bucket}`, SINK_ROTATE_MS: '1000', HTTP_PORT: '19182' });
    try {
      assert.equal(await waitForMetric(19_182, 'stockstream_sink_records_written_total', KNOWN.length, 90_000, 200), KNOWN.length);
    } finally {
      assert.equal((await stopService(enr)).code, 0, enr.stderr());
      assert.equal((await stopService(sink)).code, 0, sink.stderr());
    }
    const lake = await lakeQuery(bucket, `SELECT source_line, close, close_usd, fx_rate, fx_source, CAST(fx_effective_date AS VARCHAR) FROM ticks ORDER BY source_line`);
    assert.equal(lake.rows.length, KNOWN.length);
    lake.rows.forEach(([line, close, closeUsd, fxRate, fxSource, effective], i) => {
      const k = KNOWN[i]!;
      assert.equal(Number(line), i + 2);
      const expected = (close as number) * k.rate;
      assert.ok(Math.abs((closeUsd as number) - expected) <= 1e-9 * expected, `${k.row}: close_usd ${closeUsd} vs ${expected}`);
      assert.ok(Math.abs((fxRate as number) - k.rate) <= 1e-12 * k.rate, `${k.row}: fx_rate ${fxRate} vs ${k.rate}`);
      assert.deepEqual([fxSource, effective], [k.source, k.effective], k.row);
    });
  });

  it('schema evolution: v1 records, then v2 records of the enrichment, in one open file per lake partition; SQL reads every row', async () => {
    const topics = uniqueTopics('fxv');
    const bucket = `it-fxv-${Date.now()}`;
    const port = 19_183;
    // Files stay open across both versions: only the shutdown closes them.
    const sink = runService(SINK, [], {
      ...topics.env, S3_BUCKET: bucket, SINK_GROUP_ID: `g-${bucket}`, SINK_ROTATE_MS: '600000', SINK_ROTATE_IDLE_MS: '600000', HTTP_PORT: String(port),
    });
    const v1Count = 50;
    const v2Count = 30;
    try {
      // Version 1, as an enrichment of before this change wrote it: registered first, produced while the sink runs.
      const registry = new SchemaRegistryClient(testRegistryConfig());
      const v1 = JSON.parse(readFileSync(V1_SCHEMA, 'utf8')) as Record<string, unknown>;
      const serializer = new AvroSerializer<Omit<EnrichedTick, 'fxSource'>>(avsc.Type.forSchema(v1 as avsc.Schema), await registry.register(`${topics.enriched}-value`, v1));
      const producer = await KafkaProducer.connect(testKafkaConfig(), createLogger('t', 'warn'), { clientId: 'fxv-test' });
      const base = parseIsoDate('2020-03-02')!;
      for (let i = 0; i < v1Count; i++) {
        producer.produce(topics.enriched, 'HSI', serializer.encode({
          index: 'HSI', date: base + i, open: 100, high: 110, low: 90, close: 100 + i, adjClose: 100 + i, volume: 5, exchange: 'Hong Kong Stock Exchange',
          region: 'Hong Kong', currency: 'HKD', fxRate: 0.13, fxEffectiveDate: parseIsoDate(EPOCH_1900)!, closeUsd: (100 + i) * 0.13,
          source: { kind: 'FILE', name: 'v1.csv', line: i + 2 }, rawTopic: topics.raw, rawPartition: 0, rawOffset: i, ingestedAt: Date.now(), enrichedAt: Date.now(),
        }));
      }
      await producer.flush();
      await producer.disconnect();
      assert.equal(await waitForMetric(port, 'stockstream_sink_records_consumed_total', v1Count, 60_000, 100), v1Count);
      assert.equal(await waitForMetric(port, 'stockstream_sink_open_files', 1, 10_000, 100), 1);

      // Version 2, from the real enrichment (it registers the current schema while v1 records are in the topic).
      const rows = Array.from({ length: v2Count }, (_, i) => `HSI,${new Date((parseIsoDate('2020-06-01')! + i) * 86_400_000).toISOString().slice(0, 10)},100,130,90,120,120,5`);
      const ing = runService(INGEST, ['replay', csvFile('v2.csv', rows)], topics.env);
      assert.equal((await ing.exited).code, 0, ing.stderr());
      const enr = runService(ENRICH, [], { ...topics.env, ENRICHMENT_GROUP_ID: `g-${topics.raw}`, ENRICHMENT_INSTANCE_ID: 'fxv', HTTP_PORT: '19184' });
      try {
        assert.equal(await waitForMetric(port, 'stockstream_sink_records_consumed_total', v1Count + v2Count, 60_000, 100), v1Count + v2Count);
      } finally {
        assert.equal((await stopService(enr)).code, 0, enr.stderr());
      }
      assert.equal(await metricValue(port, 'stockstream_sink_open_files'), 1, 'one lake partition (HSI, 2020), one open file, both schema versions in it');
      assert.equal(await metricValue(port, 'stockstream_sink_objects_written_total'), 0, 'no file was closed by the schema change');
    } finally {
      assert.equal((await stopService(sink)).code, 0, sink.stderr());
    }
    const lake = await lakeQuery(bucket, 'SELECT fx_source, count(*) FROM ticks GROUP BY ALL ORDER BY ALL');
    assert.equal(lake.objects, 1, 'one object for the lake partition');
    assert.deepEqual(lake.rows.map(([s, n]) => [s, Number(n)]), [['ecb', v2Count], [null, v1Count]]);
    const all = await lakeQuery(bucket, `SELECT count(*), count(fx_source), sum(close) FROM ticks WHERE "index" = 'HSI' AND year = 2020`);
    assert.deepEqual(all.rows[0]!.map(Number), [v1Count + v2Count, v2Count, Array.from({ length: v1Count }, (_, i) => 100 + i).reduce((a, b) => a + b, 0) + 120 * v2Count]);
  });
});
