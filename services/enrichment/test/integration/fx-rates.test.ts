// Time-aware FX on the real stack: a rate published to fx.rates while the
// service runs applies to ticks on or after its effective date only; a
// currency without any rate dead-letters as no_fx_rate (never a guessed
// number), as does a bar without a history rate when no fallback is
// configured; `stockstream fx load` is idempotent; the index reference file
// can be overridden.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { zipSync } from 'fflate';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { KafkaProducer, SchemaRegistryClient, bootstrapPipeline, createLogger, loadConfig, registerTopicSchema, topicSettings, type DeadLetter, type EnrichedTick, type FxRate } from '@stockstream/common';
import { metricValue, readDecoded, runService, testKafkaConfig, testRegistryConfig, uniqueTopics } from '@stockstream/common/testing';
import { fxKey } from '../../src/fx/fx-key.js';
import { parseIsoDate } from '@stockstream/common';

const ENRICH = fileURLToPath(new URL('../../src/main.js', import.meta.url));
const INGEST = fileURLToPath(new URL('../../../../ingest/dist/src/main.js', import.meta.url));
const FX = fileURLToPath(new URL('../../src/fx-main.js', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const HEADER = 'Index,Date,Open,High,Low,Close,Adj Close,Volume';

function csv(dir: string, name: string, rows: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, [HEADER, ...rows, ''].join('\n'));
  return path;
}

async function ingest(file: string, env: Record<string, string>) {
  const run = runService(INGEST, ['replay', file], env);
  assert.equal((await run.exited).code, 0, run.stderr());
}

async function waitIn(port: number, n: number) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && (await metricValue(port, 'stockstream_enrichment_records_in_total')) < n) await sleep(200);
  assert.equal(await metricValue(port, 'stockstream_enrichment_records_in_total'), n);
}

describe('FX rates on the real stack', () => {
  it('applies a rate published while running from its effective date on; no rate means no_fx_rate', async () => {
    const topics = uniqueTopics('enr-fx');
    const dir = mkdtempSync(join(tmpdir(), 'fx-'));
    const reference = join(dir, 'indices.json');
    writeFileSync(reference, JSON.stringify({
      indices: [
        { index: 'HSI', exchange: 'Hong Kong Stock Exchange', region: 'Hong Kong', currency: 'HKD' },
        { index: 'XYZ', exchange: 'Nowhere Exchange', region: 'Nowhere', currency: 'XXX' },
      ],
    }));
    const port = 19_171;
    // No history: the shipped fallback (HKD 0.13 from 1900) is the only HKD rate until the test publishes one.
    const svc = runService(ENRICH, [], {
      ...topics.env, ENRICHMENT_GROUP_ID: `g-${topics.raw}`, ENRICHMENT_INSTANCE_ID: 'fx', INDEX_REFERENCE_FILE: reference, HTTP_PORT: String(port), FX_HISTORY_FILE: 'none',
    });
    try {
      await ingest(csv(dir, 'before.csv', ['HSI,2020-06-01,100,110,90,100,100,5', 'HSI,2021-06-01,100,110,90,100,100,5', 'XYZ,2021-06-01,1,2,0.5,1,1,0']), topics.env);
      await waitIn(port, 3);

      // A new HKD rate from 2021-01-01, published the way an operator would.
      const registry = new SchemaRegistryClient(testRegistryConfig());
      const fxSchema = await registerTopicSchema<FxRate>(registry, topics.fx, 'fxRate');
      const producer = await KafkaProducer.connect(testKafkaConfig(), createLogger('t', 'warn'), { clientId: 'fx-test' });
      const rate: FxRate = { currency: 'HKD', rateToUsd: 0.2, effectiveDate: parseIsoDate('2021-01-01')!, source: 'test' };
      producer.produce(topics.fx, fxKey(rate.currency, rate.effectiveDate), fxSchema.serializer.encode(rate));
      await producer.flush();
      await producer.disconnect();
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && (await metricValue(port, 'stockstream_enrichment_fx_table_rates')) < 1) await sleep(200);
      assert.equal(await metricValue(port, 'stockstream_enrichment_fx_table_rates'), 1, 'the new rate (the fallback is not on the topic)');

      await ingest(csv(dir, 'after.csv', ['HSI,2020-06-02,100,110,90,100,100,5', 'HSI,2021-06-02,100,110,90,100,100,5']), topics.env);
      await waitIn(port, 5);
    } finally {
      svc.child.kill('SIGTERM');
      assert.equal((await svc.exited).code, 0, svc.stderr());
    }
    const enriched = (await readDecoded<EnrichedTick>(topics.enriched, 'enrichedTick')).map((m) => m.value);
    const rateOn = (name: string, line: number) => {
      const t = enriched.find((e) => e.source.name === name && e.source.line === line);
      assert.ok(t, `${name}:${line} not enriched`);
      return { fxRate: t.fxRate, closeUsd: t.closeUsd, effective: new Date(t.fxEffectiveDate * 86_400_000).toISOString().slice(0, 10), source: t.fxSource };
    };
    const fallback = { fxRate: 0.13, closeUsd: 13, effective: '1900-01-01', source: 'fallback' };
    assert.deepEqual(rateOn('before.csv', 2), fallback);
    assert.deepEqual(rateOn('before.csv', 3), fallback, 'processed before the new rate existed');
    assert.deepEqual(rateOn('after.csv', 2), fallback, 'before the effective date: the fallback');
    assert.deepEqual(rateOn('after.csv', 3), { fxRate: 0.2, closeUsd: 20, effective: '2021-01-01', source: 'test' }, 'on/after the effective date: new rate');
    const dead = (await readDecoded<DeadLetter>(topics.dlq, 'deadLetter')).map((m) => m.value);
    assert.deepEqual(dead.map((d) => [d.reason, d.stage]), [['no_fx_rate', 'ENRICHMENT']]);
    assert.match(dead[0]!.message, /no XXX to USD rate/);
  });

  it('without a fallback (FX_FALLBACK_FILE=none), a bar before the history and a currency it lacks dead-letter as no_fx_rate', async () => {
    const topics = uniqueTopics('enr-nofb');
    const dir = mkdtempSync(join(tmpdir(), 'fx-'));
    const port = 19_172;
    const svc = runService(ENRICH, [], { ...topics.env, ENRICHMENT_GROUP_ID: `g-${topics.raw}`, ENRICHMENT_INSTANCE_ID: 'nofb', HTTP_PORT: String(port), FX_FALLBACK_FILE: 'none' });
    try {
      await ingest(csv(dir, 'nofb.csv', ['HSI,1998-12-31,100,110,90,100,100,5', 'HSI,1999-01-04,100,110,90,100,100,5', 'TWII,2020-01-02,1,2,0.5,1,1,0', 'NYA,1990-01-02,1,2,0.5,1,1,0']), topics.env);
      await waitIn(port, 4);
    } finally {
      svc.child.kill('SIGTERM');
      assert.equal((await svc.exited).code, 0, svc.stderr());
    }
    const enriched = (await readDecoded<EnrichedTick>(topics.enriched, 'enrichedTick')).map((m) => m.value);
    assert.deepEqual(enriched.map((t) => [t.index, t.fxSource]).sort(), [['HSI', 'ecb'], ['NYA', 'identity']]);
    const dead = (await readDecoded<DeadLetter>(topics.dlq, 'deadLetter')).map((m) => m.value);
    assert.deepEqual(dead.map((d) => [d.reason, d.sourceLine]).sort(), [['no_fx_rate', 2], ['no_fx_rate', 4]]);
    assert.ok(dead.some((d) => /no HKD to USD rate effective on or before 1998-12-31/.test(d.message)), dead.map((d) => d.message).join('; '));
    assert.ok(dead.some((d) => /no TWD to USD rate/.test(d.message)));
  });

  it('stockstream fx load: publishes a file once; a second run produces nothing; a corrected rate replaces its key only', async () => {
    const topics = uniqueTopics('fx-load');
    const dir = mkdtempSync(join(tmpdir(), 'fx-'));
    const ecb = csv(dir, 'ecb.csv', []);
    writeFileSync(ecb, ['Date,USD,HKD,ZAR,', '2023-09-29,1.0594,8.2959,19.9813,', '2023-09-28,1.0539,8.2446,20.1454,', ''].join('\n'));
    const load = async (file: string) => {
      const run = runService(FX, ['load', file], { ...topics.env, LOG_LEVEL: 'warn' });
      const exit = await run.exited;
      assert.equal(exit.code, 0, run.stderr());
      return run.stdout();
    };
    const endOffset = async () => (await readDecoded<FxRate>(topics.fx, 'fxRate')).length;
    assert.match(await load(ecb), /6 rates of 3 currencies, 2023-09-28 \.\. 2023-09-29; published 6 /);
    assert.equal(await endOffset(), 6);
    assert.match(await load(ecb), /published 0 .*\(6 already there/);
    assert.equal(await endOffset(), 6, 'the second load produced nothing');
    const rates = await readDecoded<FxRate>(topics.fx, 'fxRate');
    assert.equal(new Set(rates.map((m) => m.key)).size, 6, 'one value per key');
    const zar = rates.find((m) => m.key === 'ZAR@2023-09-29')!.value;
    assert.ok(Math.abs(zar.rateToUsd - 1.0594 / 19.9813) <= 1e-15 && zar.source === 'ecb');

    writeFileSync(join(dir, 'fix.json'), JSON.stringify({ rates: [{ currency: 'ZAR', rateToUsd: 0.05, effectiveDate: '2023-09-29', source: 'correction' }] }));
    assert.match(await load(join(dir, 'fix.json')), /published 1 /);
    const after = await readDecoded<FxRate>(topics.fx, 'fxRate');
    assert.equal(after.length, 7);
    const last = after.at(-1)!;
    assert.deepEqual([last.key, { ...last.value }], ['ZAR@2023-09-29', { currency: 'ZAR', rateToUsd: 0.05, effectiveDate: parseIsoDate('2023-09-29')!, source: 'correction' }]);
  });

  it('retracts the FX defaults an earlier version published (exact copies only), so the fallback takes over', async () => {
    const topics = uniqueTopics('enr-retire');
    const dir = mkdtempSync(join(tmpdir(), 'fx-'));
    const registry = new SchemaRegistryClient(testRegistryConfig());
    // The topics exist before the service first starts, as they did under the earlier version.
    await bootstrapPipeline({ kafka: testKafkaConfig(), topics: loadConfig(topicSettings, { ...process.env, ...topics.env }), registry, logger: createLogger('t', 'warn'), clientId: 'fx-retire' });
    const fxSchema = await registerTopicSchema<FxRate>(registry, topics.fx, 'fxRate');
    const producer = await KafkaProducer.connect(testKafkaConfig(), createLogger('t', 'warn'), { clientId: 'fx-retire' });
    const old = (currency: string, rateToUsd: number, source: string): FxRate => ({ currency, rateToUsd, effectiveDate: parseIsoDate('1900-01-01')!, source });
    for (const r of [
      old('USD', 1, 'identity: 1 USD is 1 USD'),
      old('HKD', 0.13, 'fixed rate of the public set (indexProcessed.csv: CloseUSD = Close x 0.13)'),
      old('CAD', 0.8, 'ops'), // an operator's own rate at a key the old defaults used: kept
    ]) producer.produce(topics.fx, fxKey(r.currency, r.effectiveDate), fxSchema.serializer.encode(r));
    await producer.flush();
    await producer.disconnect();
    const port = 19_173;
    const svc = runService(ENRICH, [], { ...topics.env, ENRICHMENT_GROUP_ID: `g-${topics.raw}`, ENRICHMENT_INSTANCE_ID: 'retire', HTTP_PORT: String(port), FX_HISTORY_FILE: 'none' });
    try {
      await ingest(csv(dir, 'old.csv', ['HSI,1990-06-01,100,110,90,100,100,5', 'GSPTSE,1990-06-01,100,110,90,100,100,5']), topics.env);
      await waitIn(port, 2);
    } finally {
      svc.child.kill('SIGTERM');
      assert.equal((await svc.exited).code, 0, svc.stderr());
    }
    const enriched = (await readDecoded<EnrichedTick>(topics.enriched, 'enrichedTick')).map((m) => m.value);
    assert.deepEqual(enriched.map((t) => [t.index, t.fxRate, t.fxSource]).sort(), [['GSPTSE', 0.8, 'ops'], ['HSI', 0.13, 'fallback']]);
    const records = await readDecoded<FxRate | null>(topics.fx, 'fxRate');
    assert.deepEqual(records.filter((m) => m.value === null).map((m) => m.key).sort(), ['HKD@1900-01-01', 'USD@1900-01-01'], 'tombstones for the exact copies');
  });

  it('stockstream fx load --fetch-ecb: downloads the ECB zip (here from a local mirror through --url) and publishes it; a failed download is one sentence', async () => {
    const topics = uniqueTopics('fx-fetch');
    const zip = zipSync({ 'eurofxref-hist.csv': Buffer.from(['Date,USD,JPY,', '2024-01-02,1.0956,155.52,', ''].join('\n')) });
    const server = createServer((req, res) => {
      if (req.url === '/eurofxref-hist.zip') res.writeHead(200, { 'content-type': 'application/zip' }).end(Buffer.from(zip));
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const ok = runService(FX, ['load', '--fetch-ecb', '--url', `${base}/eurofxref-hist.zip`], { ...topics.env, LOG_LEVEL: 'warn' });
      assert.equal((await ok.exited).code, 0, ok.stderr());
      assert.match(ok.stdout(), /2 rates of 2 currencies, 2024-01-02 \.\. 2024-01-02; published 2 /);
      const rates = await readDecoded<FxRate>(topics.fx, 'fxRate');
      assert.deepEqual(rates.map((m) => m.key).sort(), ['EUR@2024-01-02', 'JPY@2024-01-02']);
      const missing = runService(FX, ['load', '--fetch-ecb', '--url', `${base}/gone.zip`], { ...topics.env, LOG_LEVEL: 'warn' });
      assert.equal((await missing.exited).code, 66);
      assert.equal(missing.stderr(), `stockstream fx: ${base}/gone.zip: download failed: HTTP 404 Not Found\n`);
    } finally {
      server.close();
    }
  });
});
