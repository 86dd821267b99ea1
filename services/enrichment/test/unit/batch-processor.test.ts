// The enrichment loop driven end to end over fakes (support/fake-kafka.ts):
// a consumer with committed offsets and assignment generations, transactional
// and plain producers, faults injected at chosen points. The real broker is
// in the integration tests; here every outcome is checked against what a
// read_committed reader would see and what the group has committed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import avsc from 'avsc';
import { AvroSerializer, createLogger, createMetricsRegistry, Health, loadSchema, type RawTick } from '@stockstream/common';
import { createEnrichmentMetrics } from '../../src/metrics.js';
import { FencedError, runProcessor, type ProcessorDeps } from '../../src/pipeline/batch-processor.js';
import { loadIndexReference } from '../../src/reference/index-reference.js';
import { fallbackOnly } from './support/fx.js';
import { abortable, fatal, FakeBroker, FakeConsumer, FakePlainProducer, FakeSession, type Output } from './support/fake-kafka.js';
import { rawTick } from './support/ticks.js';

const ENRICHED = 'ticks.enriched';
const enrichedType = avsc.Type.forSchema(loadSchema('enrichedTick') as avsc.Schema);
const reference = loadIndexReference();
const fx = fallbackOnly();

/** Raw partitions of JSON ticks (what the fake reader decodes), all valid. */
function rawPartitions(partitions: number, perPartition: number): Buffer[][] {
  return Array.from({ length: partitions }, (_, p) => Array.from({ length: perPartition }, (_, i) => Buffer.from(JSON.stringify(rawTick({ volume: p * 1000 + i })))));
}

function setup(opts: { partitions?: number; perPartition?: number; batchMax?: number; readAt?: (json: string) => RawTick } = {}) {
  const broker = new FakeBroker(rawPartitions(opts.partitions ?? 3, opts.perPartition ?? 10));
  const consumer = new FakeConsumer(broker);
  const registry = createMetricsRegistry('t');
  const health = new Health();
  const unhealthy: string[] = [];
  const set = health.set.bind(health);
  health.set = (name, ok, detail) => {
    if (!ok) unhealthy.push(detail ?? '');
    set(name, ok, detail);
  };
  const readAt = opts.readAt ?? ((json: string) => JSON.parse(json) as RawTick);
  const deps = (output: ProcessorDeps['output']): ProcessorDeps => ({
    consumer: consumer.asGroupConsumer, output, metrics: createEnrichmentMetrics(registry), health, logger: createLogger('t', 'silent'), batchMax: opts.batchMax ?? 7,
    rawReader: { readAt: (data, start, end) => readAt(data.toString('utf8', start, end)) },
    enriched: { topic: ENRICHED, serializer: new AvroSerializer(enrichedType, 1) },
    deadLetters: { topic: 'ticks.dlq', serializer: new AvroSerializer(avsc.Type.forSchema(loadSchema('deadLetter') as avsc.Schema), 2) },
    context: () => ({ reference, fx }),
  });
  const metric = async (name: string) => (await registry.getSingleMetric(`stockstream_enrichment_${name}`)!.get()).values[0]?.value ?? 0;
  return { broker, consumer, deps, health, unhealthy, metric };
}

/** Runs the loop until `done` (or it ends by itself), then stops it as SIGTERM does; what it threw, or null. */
async function run(deps: ProcessorDeps, done: () => boolean, stop = new AbortController()): Promise<unknown> {
  const loop = runProcessor(deps, stop.signal).then(() => null, (err: unknown) => err);
  const deadline = Date.now() + 10_000;
  let ended = false;
  void loop.then(() => (ended = true));
  while (!ended && !done() && Date.now() < deadline) await sleep(2);
  stop.abort();
  return loop;
}

/** partition/offset of the raw record behind each visible enriched record. */
function sources(outputs: Output[]): string[] {
  return outputs.filter((o) => o.topic === ENRICHED).map((o) => {
    const t = enrichedType.fromBuffer(o.value.subarray(5)) as { rawPartition: number; rawOffset: number };
    return `${t.rawPartition}/${t.rawOffset}`;
  });
}

function everyRecord(broker: FakeBroker): string[] {
  return broker.partitions.flatMap((values, p) => values.map((_, i) => `${p}/${i}`));
}

/** Every raw record is visible downstream exactly once and its offset committed. */
function assertExactlyOnce(broker: FakeBroker): void {
  assert.deepEqual(sources(broker.visible).sort(), everyRecord(broker).sort());
  assert.equal(broker.allCommitted(), true, 'every offset committed');
}

const committedSum = (broker: FakeBroker) => [...broker.committed.values()].reduce((a, b) => a + b, 0);

describe('runProcessor, exactly-once (fake consumer and transactional producer)', () => {
  it('each batch is one transaction holding its outputs and its offsets; offsets are committed nowhere else', async () => {
    const { broker, consumer, deps, metric } = setup();
    const session = new FakeSession(broker, 0);
    const err = await run(deps({ session }), () => broker.allCommitted());
    assert.equal(err, null);
    assertExactlyOnce(broker);
    const calls = session.producer.calls;
    assert.equal(calls.length % 3, 0);
    assert.deepEqual(calls, Array.from({ length: calls.length / 3 }, () => ['begin', 'sendOffsets', 'commit']).flat());
    assert.equal(calls.length / 3, Math.ceil(30 / 7), 'one transaction per batch of up to 7');
    assert.deepEqual(consumer.commitSyncs, [], 'no commit outside a transaction');
    assert.equal(await metric('records_in_total'), 30);
    assert.equal(await metric('records_out_total'), 30);
  });

  it('a failed delivery fails the commit: aborted, rewound to the committed offsets, nothing of the batch committed, then every record exactly once', async () => {
    const { broker, consumer, deps, metric, unhealthy } = setup();
    const session = new FakeSession(broker, 0);
    session.producer.onProduce = (n) => n === 10; // in the second batch
    let atAbort: { committed: number; visible: number } | null = null;
    session.producer.failCall = (call) => {
      if (call === 'abort') atAbort ??= { committed: committedSum(broker), visible: broker.visible.length };
      return undefined;
    };
    assert.equal(await run(deps({ session }), () => broker.allCommitted()), null);
    assert.deepEqual(atAbort, { committed: 7, visible: 7 }, 'only the first batch was committed when the second aborted');
    assert.equal(session.producer.calls.filter((c) => c === 'abort').length, 1);
    assert.ok(consumer.rewinds >= 1);
    assertExactlyOnce(broker);
    assert.equal(await metric('transactions_aborted_total'), 1);
    assert.deepEqual(unhealthy, ['a message of the transaction failed']);
  });

  it('a fenced producer is replaced: its open transaction is lost, the new one resumes from the committed offsets', async () => {
    const { broker, deps, metric } = setup();
    const session = new FakeSession(broker, 1);
    let commits = 0;
    session.producer.failCall = (call) => (call === 'commit' && ++commits === 2 ? fatal('fenced by a newer epoch') : undefined);
    assert.equal(await run(deps({ session }), () => broker.allCommitted()), null);
    assertExactlyOnce(broker);
    assert.equal(session.producers.length, 2);
    assert.equal(session.producers[0]!.state, 'fenced');
    assert.ok(!session.producers[0]!.calls.includes('abort'), 'a fenced producer is not asked to abort');
    assert.equal(await metric('producer_renewals_total'), 1);
  });

  it('a fenced producer with no renewal left ends the loop with FencedError; nothing of its batch is committed', async () => {
    const { broker, deps } = setup();
    const session = new FakeSession(broker, 0);
    let commits = 0;
    session.producer.failCall = (call) => (call === 'commit' && ++commits === 2 ? fatal('fenced by a newer epoch') : undefined);
    const err = await run(deps({ session }), () => false);
    assert.ok(err instanceof FencedError, String(err));
    assert.match(err.message, /fenced by a newer epoch/);
    assert.equal(committedSum(broker), 7);
    assert.equal(broker.visible.length, 7);
  });

  it('a rebalance while a batch is produced: its transaction is aborted and the batch read again under the new assignment, with no backoff or health alarm', async () => {
    const { broker, consumer, deps, metric, unhealthy } = setup();
    const session = new FakeSession(broker, 0);
    session.producer.onProduce = (n) => void (n === 10 && consumer.rebalance());
    assert.equal(await run(deps({ session }), () => broker.allCommitted()), null);
    assertExactlyOnce(broker);
    assert.equal(session.producer.calls.filter((c) => c === 'abort').length, 1);
    assert.equal(await metric('transactions_aborted_total'), 1);
    assert.deepEqual(unhealthy, []);
  });

  it('a rebalance while a batch commits: the stale commit fails, and that batch and the one read ahead are both read again', async () => {
    const { broker, consumer, deps } = setup();
    const session = new FakeSession(broker, 0);
    let commits = 0;
    session.producer.failCall = (call) => void (call === 'commit' && ++commits === 2 && consumer.rebalance());
    assert.equal(await run(deps({ session }), () => broker.allCommitted()), null);
    assertExactlyOnce(broker);
    assert.equal(session.producer.calls.filter((c) => c === 'abort').length, 1);
  });

  it('a rebalance while the next batch is read ahead: that batch is dropped and read again, no transaction aborted', async () => {
    const { broker, consumer, deps } = setup();
    const session = new FakeSession(broker, 0);
    // Fetch 2 starts as batch 1 commits; the rebalance comes once that commit is through, before the fetch returns.
    consumer.onFetch = () => void (consumer.fetches === 2 && setImmediate(() => consumer.rebalance()));
    assert.equal(await run(deps({ session }), () => broker.allCommitted()), null);
    assertExactlyOnce(broker);
    assert.ok(!session.producer.calls.includes('abort'));
    assert.equal(consumer.generation, 1);
    assert.ok(consumer.rewinds >= 1);
  });

  it('SIGTERM while a batch is produced: that transaction still commits, nothing more is fetched, the loop returns', async () => {
    const { broker, consumer, deps } = setup();
    const session = new FakeSession(broker, 0);
    const stop = new AbortController();
    session.producer.onProduce = (n) => void (n === 3 && stop.abort());
    assert.equal(await run(deps({ session }), () => false, stop), null);
    assert.deepEqual(session.producer.calls, ['begin', 'sendOffsets', 'commit']);
    assert.equal(session.producer.state, 'ready', 'no transaction left open');
    assert.equal(committedSum(broker), 7);
    assert.equal(broker.visible.length, 7);
    assert.equal(consumer.fetches, 1, 'no batch read ahead after the stop');
  });

  it('SIGTERM while a batch is produced and its commit fails: the transaction is aborted, nothing committed, the loop returns', async () => {
    const { broker, deps } = setup();
    const session = new FakeSession(broker, 0);
    const stop = new AbortController();
    session.producer.onProduce = (n) => {
      if (n === 3) stop.abort();
      return n === 3;
    };
    assert.equal(await run(deps({ session }), () => false, stop), null);
    assert.deepEqual(session.producer.calls, ['begin', 'sendOffsets', 'commit', 'abort']);
    assert.equal(session.producer.state, 'ready', 'no transaction left open');
    assert.equal(committedSum(broker), 0);
    assert.equal(broker.visible.length, 0);
  });

  it('a commit that times out is called again, not aborted (librdkafka resumes it)', async () => {
    const { broker, deps } = setup();
    const session = new FakeSession(broker, 0);
    let commits = 0;
    session.producer.failCall = (call) => (call === 'commit' && ++commits === 1 ? Object.assign(new Error('timed out'), { isRetriable: true }) : undefined);
    assert.equal(await run(deps({ session }), () => broker.allCommitted()), null);
    assertExactlyOnce(broker);
    assert.deepEqual(session.producer.calls.slice(0, 4), ['begin', 'sendOffsets', 'commit', 'commit']);
    assert.ok(!session.producer.calls.includes('abort'));
  });

  it('the registry away while a batch is transformed: nothing is produced, the consumer is rewound and the batch retried after a backoff', async () => {
    let failures = 2;
    const { broker, consumer, deps, unhealthy } = setup({
      readAt: (json) => {
        if (failures > 0 && failures--) throw new Error('schema registry unreachable');
        return JSON.parse(json) as RawTick;
      },
    });
    const session = new FakeSession(broker, 0);
    assert.equal(await run(deps({ session }), () => broker.allCommitted()), null);
    assertExactlyOnce(broker);
    assert.ok(consumer.rewinds >= 2);
    assert.deepEqual(unhealthy, ['schema registry unreachable', 'schema registry unreachable']);
    assert.ok(!session.producer.calls.includes('abort'), 'no transaction was begun for it');
  });

  it('an abortable error from begin (e.g. the coordinator lost the transaction) aborts and retries the batch', async () => {
    const { broker, deps } = setup();
    const session = new FakeSession(broker, 0);
    let begins = 0;
    session.producer.failCall = (call) => (call === 'begin' && ++begins === 2 ? abortable('transaction state lost') : undefined);
    assert.equal(await run(deps({ session }), () => broker.allCommitted()), null);
    assertExactlyOnce(broker);
  });
});

describe('runProcessor, at-least-once (fake consumer and plain producer)', () => {
  it('commits a batch\'s offsets only once every delivery of the batch was reported', async () => {
    const { broker, consumer, deps } = setup({ partitions: 1, perPartition: 5, batchMax: 5 });
    const producer = new FakePlainProducer(broker);
    producer.autoDeliver = false;
    const loop = run(deps({ producer }), () => broker.allCommitted());
    while (!producer.flushing) await sleep(1);
    await sleep(20);
    assert.deepEqual(consumer.commitSyncs, [], 'nothing committed while deliveries are outstanding');
    producer.deliver();
    assert.equal(await loop, null);
    assert.deepEqual(consumer.commitSyncs, [[{ topic: 'ticks.raw', partition: 0, offset: 5 }]]);
    assertExactlyOnce(broker);
  });

  it('a failed delivery: the batch\'s offsets are not committed; it is read again and every record lands at least once', async () => {
    const { broker, consumer, deps, metric } = setup();
    const producer = new FakePlainProducer(broker);
    producer.onProduce = (n) => n === 10;
    // Never an offset committed past a record that did not land (noted, not thrown: the loop would take a throw for a failed commit).
    const early: string[] = [];
    const commitSync = consumer.commitSync.bind(consumer);
    consumer.commitSync = (offsets) => {
      const landed = new Set(sources(broker.visible));
      for (const o of offsets) for (let i = 0; i < o.offset; i++) if (!landed.has(`${o.partition}/${i}`)) early.push(`${o.partition}@${o.offset} before ${o.partition}/${i} landed`);
      commitSync(offsets);
    };
    assert.equal(await run(deps({ producer }), () => broker.allCommitted()), null);
    assert.deepEqual(early, []);
    assert.deepEqual([...new Set(sources(broker.visible))].sort(), everyRecord(broker).sort());
    assert.ok(sources(broker.visible).length > 30, 'the failed batch was delivered again');
    assert.ok(consumer.rewinds >= 1);
    assert.equal(await metric('transactions_aborted_total'), 1);
  });
});
