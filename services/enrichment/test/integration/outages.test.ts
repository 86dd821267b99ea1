// Broker and registry outages in the middle of a run: the service degrades
// (/readyz false), retries with backoff, does not crash, and in the end every
// raw record is in the outputs exactly once.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { datasetFile, isReady, metricValue, runService, stackComponentControl, stopService, uniqueTopics, waitForMetric, withCleanup } from '@stockstream/common/testing';
import { waitForOutputs } from './support/outputs.js';

const ENRICH = fileURLToPath(new URL('../../src/main.js', import.meta.url));
const INGEST = fileURLToPath(new URL('../../../../ingest/dist/src/main.js', import.meta.url));
const INDEX_DATA = datasetFile('indexData.csv');
const ROWS = 51_249;
const stack = stackComponentControl();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Total and distinct outputs (read_committed) once all are in or the time is up: both must equal ROWS. */
async function exactlyOnceCount(topics: { enriched: string; dlq: string }, timeoutMs: number) {
  const o = await waitForOutputs(topics, ROWS, timeoutMs);
  return { total: o.enriched + o.dead, distinct: o.distinct };
}

/** Waits until the service has committed some but not all records, so the outage lands mid-run. */
async function waitMidRun(port: number): Promise<void> {
  const n = await waitForMetric(port, 'stockstream_enrichment_records_in_total', 1, 60_000);
  assert.ok(n > 0 && n < ROWS, `outage must start mid-run; committed ${n} of ${ROWS}`);
}

describe('enrichment through outages', { skip: INDEX_DATA.skip || stack.skip }, () => {
  // Each test is bounded on its own: a hang fails that test with its reason, not the whole file at the runner's limit.
  /**
   * Stops the broker mid-run for `downMs` beyond the time it takes to notice,
   * then starts it again: /readyz goes false, the service stays up, and in the
   * end every raw record is in the outputs exactly once.
   */
  async function brokerOutage(t: TestContext, label: string, port: number, downMs: number, env: Record<string, string> = {}) {
    const topics = uniqueTopics(label);
    const ing = runService(INGEST, ['replay', INDEX_DATA.path], topics.env);
    assert.equal((await ing.exited).code, 0, ing.stderr());
    const svc = runService(ENRICH, [], {
      ...topics.env, ENRICHMENT_GROUP_ID: `g-${topics.raw}`, ENRICHMENT_INSTANCE_ID: label, ENRICHMENT_BATCH_MAX: '300', HTTP_PORT: String(port), ...env,
    });
    await withCleanup(
      async () => {
        await waitMidRun(port);
        stack.down('kafka');
        let sawNotReady = false;
        for (let i = 0; i < 20 && !sawNotReady; i++) {
          await sleep(500);
          sawNotReady = !(await isReady(port));
        }
        await sleep(downMs);
        stack.up('kafka');
        assert.ok(sawNotReady, '/readyz stayed ready while the broker was down');
        assert.equal(svc.child.exitCode, null, `service exited during the outage: ${svc.stderr()}`);
        const o = await exactlyOnceCount(topics, 180_000);
        assert.deepEqual(o, { total: ROWS, distinct: ROWS }, `the service's log ends: ${svc.stdout().slice(-3000)}${svc.stderr().slice(-2000)}`);
        let ready = false;
        for (let i = 0; i < 30 && !ready; i++) {
          ready = await isReady(port);
          if (!ready) await sleep(500);
        }
        assert.ok(ready, '/readyz did not recover');
        // Which recovery path the outage took (a lost reply of librdkafka ends in a replaced producer).
        t.diagnostic(`producer renewals: ${await metricValue(port, 'stockstream_enrichment_producer_renewals_total')}, aborted transactions: ${await metricValue(port, 'stockstream_enrichment_transactions_aborted_total')}`);
      },
      async () => {
        stack.up('kafka'); // idempotent: make sure later tests have a broker
        const stopped = await stopService(svc);
        // A producer replaced after a lost reply keeps its stuck call, which would block exit(): after its clean-up
        // the service then ends itself with SIGKILL (exitProcess), saying so. Anything else must be a clean exit.
        const selfKill = svc.stdout().split('\n').find((l) => l.includes('would block the exit: ending the process with SIGKILL'));
        if (stopped.signal === 'SIGKILL' && selfKill) t.diagnostic(`the service ended itself with SIGKILL after its clean-up: ${selfKill}`);
        else assert.equal(stopped.code, 0, svc.stderr());
      },
    );
  }

  it('broker stopped mid-run and restarted: /readyz goes false, then every record exactly once', { timeout: 360_000 }, (t) =>
    brokerOutage(t, 'enr-broker', 19_112, 0));

  // Messages time out and the coordinator expires the open transaction while the broker is away; librdkafka's
  // transactional calls fail retriably meanwhile and must be resumed, not aborted.
  it('broker away longer than the transaction timeout: every record exactly once', { timeout: 360_000 }, (t) =>
    brokerOutage(t, 'enr-broker-long', 19_115, 12_000, { ENRICHMENT_TRANSACTION_TIMEOUT_MS: '5000' }));

  it('registry restarted mid-run: no crash, every record exactly once', { timeout: 300_000 }, async () => {
    const topics = uniqueTopics('enr-registry');
    const ing = runService(INGEST, ['replay', INDEX_DATA.path], topics.env);
    assert.equal((await ing.exited).code, 0, ing.stderr());
    const port = 19_113;
    const svc = runService(ENRICH, [], { ...topics.env, ENRICHMENT_GROUP_ID: `g-${topics.raw}`, ENRICHMENT_INSTANCE_ID: 'r', ENRICHMENT_BATCH_MAX: '300', HTTP_PORT: String(port) });
    await withCleanup(
      async () => {
        await waitMidRun(port);
        stack.down('registry');
        await sleep(3000);
        stack.up('registry');
        assert.equal(svc.child.exitCode, null, `service exited during the outage: ${svc.stderr()}`);
        assert.deepEqual(await exactlyOnceCount(topics, 180_000), { total: ROWS, distinct: ROWS }, `the service's log ends: ${svc.stdout().slice(-2000)}${svc.stderr().slice(-2000)}`);
      },
      async () => {
        stack.up('registry');
        assert.equal((await stopService(svc)).code, 0, svc.stderr());
      },
    );
  });
});
