// Exactly-once on the real stack: every raw record ends up exactly once in
// ticks.enriched ∪ ticks.dlq (read_committed), also when the service is
// SIGKILLed mid-run and restarted, and with two instances in the group.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseIsoDate } from '@stockstream/common';
import { KafkaProducer, createLogger } from '@stockstream/common';
import { datasetFile, killService, metricSeries, metricValue, runService, stopService, testKafkaConfig, uniqueTopics, waitForMetric, type ServiceRun } from '@stockstream/common/testing';
import { outputs, waitForOutputs } from './support/outputs.js';

const ENRICH = fileURLToPath(new URL('../../src/main.js', import.meta.url));
const INGEST = fileURLToPath(new URL('../../../../ingest/dist/src/main.js', import.meta.url));
const INDEX_DATA = datasetFile('indexData.csv');
const ROWS = 51_249;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function ingest(env: Record<string, string>): Promise<void> {
  const run = runService(INGEST, ['replay', INDEX_DATA.path], env);
  assert.equal((await run.exited).code, 0, run.stderr());
}

describe('enrichment on the real stack', { skip: INDEX_DATA.skip }, () => {
  it('turns every raw record into exactly one enriched record or dead letter; HSI at the ECB rate of its day from 1999, at the fallback 0.13 before', async () => {
    const topics = uniqueTopics('enr-clean');
    await ingest(topics.env);
    const svc = runService(ENRICH, [], { ...topics.env, ENRICHMENT_GROUP_ID: `g-${topics.raw}`, ENRICHMENT_INSTANCE_ID: 'a' });
    const o = await waitForOutputs(topics, ROWS, 120_000);
    assert.equal((await stopService(svc)).code, 0, svc.stderr());
    assert.deepEqual({ enriched: o.enriched, dead: o.dead, distinct: o.distinct, duplicates: o.duplicates, reasons: o.reasons }, {
      enriched: 50_568, dead: 681, distinct: ROWS, duplicates: 0, reasons: { missing_price: 681 },
    });
    const ecbStart = parseIsoDate('1999-01-04')!;
    for (const m of o.enrichedRecords.filter((r) => r.value.index === 'HSI')) {
      const t = m.value;
      if (t.date < ecbStart) assert.deepEqual([t.fxRate, t.fxSource], [0.13, 'fallback']);
      // The peg: 7.70-7.85 HKD per USD, but for days where the ECB's HKD quote lags its USD quote (1999-08-20: 7.66).
      else assert.ok(t.fxSource === 'ecb' && t.fxEffectiveDate <= t.date && t.fxRate > 1 / 7.9 && t.fxRate < 1 / 7.6, `${t.date}: ${t.fxRate} ${t.fxSource}`);
      assert.ok(Math.abs(t.closeUsd - t.close * t.fxRate) <= 1e-9 * t.closeUsd);
    }
  });

  it('SIGKILL at a random point, restart: every raw record appears exactly once', async () => {
    const topics = uniqueTopics('enr-kill');
    await ingest(topics.env);
    const env = { ...topics.env, ENRICHMENT_GROUP_ID: `g-${topics.raw}`, ENRICHMENT_INSTANCE_ID: 'k', ENRICHMENT_BATCH_MAX: '500' };
    const committedAtKill: number[] = [];
    for (let round = 0; round < 2; round++) {
      // Killed at a random point once it has committed work: a fixed delay after start could land before its
      // first commit (a slow start, or the group still waiting for the killed member of round 1 to time out).
      const port = 19_165 + round;
      const svc = runService(ENRICH, [], { ...env, HTTP_PORT: String(port) });
      await waitForMetric(port, 'stockstream_enrichment_records_in_total', 1, 60_000, 20);
      await sleep(Math.floor(Math.random() * 300));
      await killService(svc);
      const o = await outputs(topics);
      committedAtKill.push(o.enriched + o.dead);
    }
    // The test proves something only if a kill landed mid-run.
    assert.ok(committedAtKill.some((n) => n > 0 && n < ROWS), `kills landed mid-run: committed ${committedAtKill.join(', ')} of ${ROWS}`);
    const last = runService(ENRICH, [], env);
    const o = await waitForOutputs(topics, ROWS, 120_000);
    assert.equal((await stopService(last)).code, 0, last.stderr());
    assert.deepEqual({ total: o.enriched + o.dead, distinct: o.distinct, duplicates: o.duplicates }, { total: ROWS, distinct: ROWS, duplicates: 0 });
  });

  it('two instances in the group, one SIGKILLed mid-run: every raw record appears exactly once', async () => {
    const topics = uniqueTopics('enr-two');
    const base = { ...topics.env, ENRICHMENT_GROUP_ID: `g-${topics.raw}`, ENRICHMENT_BATCH_MAX: '300' };
    const a = runService(ENRICH, [], { ...base, ENRICHMENT_INSTANCE_ID: 'a', HTTP_PORT: '19161' });
    const b = runService(ENRICH, [], { ...base, ENRICHMENT_INSTANCE_ID: 'b', HTTP_PORT: '19162' });
    // Both members must own partitions before data flows, or the first one does it all.
    for (const port of [19_161, 19_162]) {
      const until = Date.now() + 60_000;
      while (Date.now() < until && !(await metricSeries(port, 'stockstream_enrichment_consumer_lag_records'))) await sleep(200);
    }
    const feeding = runService(INGEST, ['replay', INDEX_DATA.path, '--rate', '15000'], topics.env);
    // Kill b once it has committed work of its own but the group has not finished.
    const deadline = Date.now() + 60_000;
    let done = { a: 0, b: 0 };
    while (Date.now() < deadline) {
      done = { a: await metricValue(19_161, 'stockstream_enrichment_records_in_total'), b: await metricValue(19_162, 'stockstream_enrichment_records_in_total') };
      if (done.b > 0) break;
      await sleep(20);
    }
    await killService(b);
    assert.equal((await feeding.exited).code, 0, feeding.stderr());
    assert.ok(done.b > 0 && done.a + done.b < ROWS, `b must die mid-run with work of its own: a ${done.a}, b ${done.b} of ${ROWS}`);
    const o = await waitForOutputs(topics, ROWS, 180_000);
    assert.equal((await stopService(a)).code, 0, a.stderr());
    assert.deepEqual({ total: o.enriched + o.dead, distinct: o.distinct, duplicates: o.duplicates }, { total: ROWS, distinct: ROWS, duplicates: 0 });
  });

  it('a second instance joining mid-run (partitions move between live members): every raw record appears exactly once', async () => {
    // The joiner makes the group rebalance while the first member has a batch in a transaction and the next one
    // read ahead: both must be redone by whoever owns the partition afterwards, never twice.
    const topics = uniqueTopics('enr-join');
    const base = { ...topics.env, ENRICHMENT_GROUP_ID: `g-${topics.raw}`, ENRICHMENT_BATCH_MAX: '300' };
    const a = runService(ENRICH, [], { ...base, ENRICHMENT_INSTANCE_ID: 'a', HTTP_PORT: '19163' });
    let feeding: ServiceRun | undefined;
    let b: ServiceRun | undefined;
    let before = 0;
    let done = { a: 0, b: 0 };
    let o: Awaited<ReturnType<typeof waitForOutputs>>;
    try {
      const until = Date.now() + 60_000;
      while (Date.now() < until && !(await metricSeries(19_163, 'stockstream_enrichment_consumer_lag_records'))) await sleep(200);
      feeding = runService(INGEST, ['replay', INDEX_DATA.path, '--rate', '5000'], topics.env);
      before = await waitForMetric(19_163, 'stockstream_enrichment_records_in_total', 1, 60_000, 20);
      b = runService(ENRICH, [], { ...base, ENRICHMENT_INSTANCE_ID: 'b', HTTP_PORT: '19164' });
      assert.equal((await feeding.exited).code, 0, feeding.stderr());
      o = await waitForOutputs(topics, ROWS, 180_000);
      done = { a: await metricValue(19_163, 'stockstream_enrichment_records_in_total'), b: await metricValue(19_164, 'stockstream_enrichment_records_in_total') };
      assert.equal((await stopService(b)).code, 0, b.stderr());
      assert.equal((await stopService(a)).code, 0, a.stderr());
    } finally {
      // Whatever failed above, no service outlives the test.
      for (const run of [a, b, feeding]) if (run && run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    }
    assert.ok(before > 0 && before < ROWS, `b must join mid-run: a had committed ${before} of ${ROWS}`);
    assert.ok(done.b > 0, `the joiner must have taken over partitions and committed work of its own: a ${done.a}, b ${done.b}`);
    assert.deepEqual({ total: o.enriched + o.dead, distinct: o.distinct, duplicates: o.duplicates }, { total: ROWS, distinct: ROWS, duplicates: 0 });
  });

  it('dead-letters poison messages (not Confluent-framed, unknown schema id) and keeps going', async () => {
    const topics = uniqueTopics('enr-poison');
    await ingest(topics.env); // creates topics and schemas, and real records around the poison
    const producer = await KafkaProducer.connect(testKafkaConfig(), createLogger('t', 'warn'), { clientId: 'poison' });
    producer.produce(topics.raw, 'X', Buffer.from('{"not":"avro"}'));
    producer.produce(topics.raw, 'Y', Buffer.from([0, 0x7f, 0xff, 0xff, 0x01, 1, 2, 3]));
    await producer.flush();
    await producer.disconnect();
    const svc = runService(ENRICH, [], { ...topics.env, ENRICHMENT_GROUP_ID: `g-${topics.raw}`, ENRICHMENT_INSTANCE_ID: 'p' });
    const o = await waitForOutputs(topics, ROWS + 2, 120_000);
    assert.equal((await stopService(svc)).code, 0, svc.stderr());
    assert.equal(o.enriched + o.dead, ROWS + 2);
    assert.equal(o.duplicates, 0);
    assert.equal(o.reasons.not_framed, 1);
    assert.equal(o.reasons.unknown_schema_id, 1);
  });
});
