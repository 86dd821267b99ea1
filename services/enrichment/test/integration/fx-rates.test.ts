// Time-aware FX on the real stack: a rate published to fx.rates while the
// service runs applies to ticks on or after its effective date only; a
// currency without any rate dead-letters as no_fx_rate (never a guessed
// number); the index reference file can be overridden.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { KafkaProducer, SchemaRegistryClient, createLogger, registerTopicSchema, type DeadLetter, type EnrichedTick, type FxRate } from '@stockstream/common';
import { metricValue, readDecoded, runService, testKafkaConfig, testRegistryConfig, uniqueTopics } from '@stockstream/common/testing';
import { fxKey } from '../../src/fx/fx-key.js';
import { parseIsoDate } from '@stockstream/common';

const ENRICH = fileURLToPath(new URL('../../src/main.js', import.meta.url));
const INGEST = fileURLToPath(new URL('../../../../ingest/dist/src/main.js', import.meta.url));
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
    const svc = runService(ENRICH, [], { ...topics.env, ENRICHMENT_GROUP_ID: `g-${topics.raw}`, ENRICHMENT_INSTANCE_ID: 'fx', INDEX_REFERENCE_FILE: reference, HTTP_PORT: String(port) });
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
      while (Date.now() < deadline && (await metricValue(port, 'stockstream_enrichment_fx_table_rates')) < 12) await sleep(200);
      assert.equal(await metricValue(port, 'stockstream_enrichment_fx_table_rates'), 12, '11 default rates + the new one');

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
      return { fxRate: t.fxRate, closeUsd: t.closeUsd, effective: new Date(t.fxEffectiveDate * 86_400_000).toISOString().slice(0, 10) };
    };
    assert.deepEqual(rateOn('before.csv', 2), { fxRate: 0.13, closeUsd: 13, effective: '1900-01-01' });
    assert.deepEqual(rateOn('before.csv', 3), { fxRate: 0.13, closeUsd: 13, effective: '1900-01-01' }, 'processed before the new rate existed');
    assert.deepEqual(rateOn('after.csv', 2), { fxRate: 0.13, closeUsd: 13, effective: '1900-01-01' }, 'before the effective date: old rate');
    assert.deepEqual(rateOn('after.csv', 3), { fxRate: 0.2, closeUsd: 20, effective: '2021-01-01' }, 'on/after the effective date: new rate');
    const dead = (await readDecoded<DeadLetter>(topics.dlq, 'deadLetter')).map((m) => m.value);
    assert.deepEqual(dead.map((d) => [d.reason, d.stage]), [['no_fx_rate', 'ENRICHMENT']]);
    assert.match(dead[0]!.message, /no XXX to USD rate/);
  });
});
