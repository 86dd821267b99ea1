// publish() driven end to end against a fake client and broker: transactions
// that commit on time at the pauses, back-pressure, failed deliveries, refused
// produces and commits, a stop by signal, a failing source; the generator's
// items and a replay's batches encoded as the worker encodes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import avsc from 'avsc';
import { AvroSerializer, Registry, createLogger, loadSchema, type DeadLetter, type RawTick } from '@stockstream/common';
import { createIngestMetrics } from '../../src/metrics.js';
import { YIELD_EVERY, type PublishState } from '../../src/publish/publish-machine.js';
import { publish, type PublishProducer, type PublishSource, type PublishSummary } from '../../src/publish/publisher.js';
import { TransactionAbortedError } from '../../src/publish/transaction-window.js';
import { itemBatches } from '../../src/sources.js';
import type { SourceItem } from '../../src/source/csv-file-source.js';
import { BatchEncoder, type EncodedBatch } from '../../src/source/encoded-batches.js';
import { generateTicks } from '../../src/source/generator.js';

const rawType = avsc.Type.forSchema(loadSchema('rawTick') as avsc.Schema);
const raw = new AvroSerializer<RawTick>(rawType, 1);
const deadLetter = new AvroSerializer<DeadLetter>(avsc.Type.forSchema(loadSchema('deadLetter') as avsc.Schema), 2);
const targets = { rawTopic: 'raw', dlqTopic: 'dlq', raw, deadLetter };
// Compiled to dist/test/unit/: fixtures stay in the sources.
const malformed = fileURLToPath(new URL('../../../test/fixtures/malformed.csv', import.meta.url));

interface Message {
  topic: string;
  key: string;
  value: Buffer;
}

/** What the n-th produce (1-based) meets: room, a full queue (room 1 ms later), a refusal, or a delivery that fails later. */
type ProduceOutcome = 'ok' | 'queueFull' | 'refused' | 'deliveryFails';

/**
 * A transactional client and its broker in one: produced messages join the
 * open transaction, a commit makes them visible (and fails, as Kafka's does,
 * when one of them failed), an abort drops them.
 */
class FakeKafka {
  readonly visible: Message[] = [];
  /** Messages of each committed transaction. */
  readonly commitSizes: number[] = [];
  readonly calls: string[] = [];
  produced = 0;
  /** Produces while an earlier one still waited for room: out of order. */
  overtakes = 0;
  private open: Message[] | null = null;
  private failedInOpen = false;
  private waitingForRoom = false;
  private handler: ((err: Error | null, report: unknown) => void) | undefined;

  constructor(
    private readonly outcome: (n: number) => ProduceOutcome = () => 'ok',
    private readonly commitError: (n: number) => unknown = () => undefined,
  ) {}

  readonly producer = {
    setDeliveryHandler: (h: ((err: Error | null, report: unknown) => void) | undefined) => void (this.handler = h),
    produce: (topic: string, key: Buffer | string | null, value: Uint8Array | null): void | Promise<void> => {
      if (this.waitingForRoom) this.overtakes++;
      const txn = this.open;
      if (txn === null) throw new Error('produce outside a transaction');
      const n = ++this.produced;
      const message = { topic, key: String(key), value: Buffer.from(value!) }; // copied, as the client copies
      switch (this.outcome(n)) {
        case 'ok':
          txn.push(message);
          return;
        case 'refused':
          throw Object.assign(new Error('Broker: Message size too large'), { code: 10 });
        case 'queueFull':
          this.waitingForRoom = true;
          return new Promise<void>((resolve) =>
            setTimeout(() => {
              this.waitingForRoom = false;
              txn.push(message);
              resolve();
            }, 1),
          );
        case 'deliveryFails':
          this.failedInOpen = true;
          setImmediate(() => this.handler?.(Object.assign(new Error('Broker: Message timed out'), { code: -192 }), {}));
          return;
      }
    },
  };

  readonly transactions = {
    begin: async () => {
      this.calls.push('begin');
      if (this.open !== null) throw new Error('begin with a transaction open');
      this.open = [];
    },
    commit: async () => {
      this.calls.push('commit');
      const err = this.commitError(this.calls.filter((c) => c === 'commit').length);
      if (err !== undefined) throw err;
      if (this.failedInOpen) throw Object.assign(new Error('Broker: a message of the transaction failed'), { isTxnRequiresAbort: true });
      this.visible.push(...this.open!);
      this.commitSizes.push(this.open!.length);
      this.open = null;
    },
    abort: async () => {
      this.calls.push('abort');
      this.open = null;
      this.failedInOpen = false;
    },
  };

  /** Visible values of a topic, decoded. */
  decoded(topic: 'raw'): RawTick[];
  decoded(topic: 'dlq'): DeadLetter[];
  decoded(topic: string): unknown[] {
    const type = topic === 'raw' ? rawType : deadLetter.type;
    return this.visible.filter((m) => m.topic === topic).map((m) => type.fromBuffer(m.value.subarray(5)));
  }
}

/** A clock the tests move: the source advances it between batches. */
class FakeClock {
  t = 0;
  readonly now = () => this.t;
}

interface Run {
  summary: PublishSummary | undefined;
  error: (Error & { summary?: PublishSummary }) | undefined;
  states: PublishState[];
}

async function run(kafka: FakeKafka, source: PublishSource, opts: { clock?: FakeClock; signal?: AbortSignal; commitIntervalMs?: number } = {}): Promise<Run> {
  const states: PublishState[] = ['reading'];
  let summary: PublishSummary | undefined;
  let error: Run['error'];
  try {
    summary = await publish(source, {
      producer: kafka.producer as unknown as PublishProducer,
      transactions: kafka.transactions,
      commitIntervalMs: opts.commitIntervalMs ?? 100,
      targets,
      metrics: createIngestMetrics(new Registry()),
      logger: createLogger('publisher-test', 'silent'),
      signal: opts.signal ?? new AbortController().signal,
      clock: opts.clock?.now,
      onTransition: (from, to) => {
        assert.equal(from, states.at(-1));
        states.push(to);
      },
    });
  } catch (err) {
    error = err as Run['error'];
  }
  return { summary, error, states };
}

/** The summary a failed run's error carries. */
const summaryOf = (r: Run): PublishSummary => r.error!.summary!;
const ticks = (count: number, seed = 7): RawTick[] => [...generateTicks({ seed, count })];
const chunks = <T>(xs: T[], size: number): T[][] => Array.from({ length: Math.ceil(xs.length / size) }, (_, i) => xs.slice(i * size, (i + 1) * size));
const tickItems = (ts: RawTick[]): SourceItem[] => ts.map((tick) => ({ kind: 'tick', tick }));

/** Yields `batches`, moving the clock `msPerBatch` each time the consumer comes back for the next; `closed` tells it was closed. */
function timed<T>(batches: T[], clock: FakeClock | undefined, msPerBatch: number, closed = { value: false }): AsyncIterable<T> {
  return (async function* () {
    try {
      for (const b of batches) {
        yield b;
        if (clock) clock.t += msPerBatch;
      }
    } finally {
      closed.value = true;
    }
  })();
}

/** Items as the encode worker sends them. */
function encoded(batches: SourceItem[][]): EncodedBatch[] {
  const encoder = new BatchEncoder(rawType, 1, () => 1_700_000_000_000);
  const out = batches.flatMap((b) => encoder.add(b));
  const last = encoder.finish();
  return last === undefined ? out : [...out, last];
}

const itemsSource = (batches: AsyncIterable<SourceItem[]> | Iterable<SourceItem[]>): PublishSource => ({ kind: 'items', items: batches, pacing: { kind: 'max' } });
const encodedSource = (batches: AsyncIterable<EncodedBatch>): PublishSource => ({ kind: 'encoded', batches });
const withoutStamp = (t: RawTick) => ({ ...t, source: { ...t.source }, ingestedAt: 0 });
const visited = (states: PublishState[], s: PublishState) => states.includes(s);

for (const kind of ['items', 'encoded'] as const) {
  /** 1,000 generated ticks in batches of 250 (items) or as the worker batches them, the clock moving 60 ms a batch of 250. */
  const generated = (clock: FakeClock | undefined, ts = ticks(1000), closed?: { value: boolean }): PublishSource =>
    kind === 'items' ? itemsSource(timed(chunks(tickItems(ts), 250), clock, 60, closed)) : encodedSource(timed(encoded(chunks(tickItems(ts), 250)), clock, 60 * (512 / 250), closed));

  test(`${kind}: a transaction closes at the first pause once its interval passed, and commits; what committed is what is counted`, async () => {
    const clock = new FakeClock();
    const kafka = new FakeKafka();
    const ts = ticks(1000);
    const r = await run(kafka, generated(clock, ts), { clock });
    assert.equal(r.error, undefined);
    // Items: batches at t = 0, 60, 120, 180; pauses every 100 items; due at 100 ms. Encoded: batches of 512 and 488 at t = 0 and 123.
    assert.deepEqual(kafka.commitSizes, [600, 400]);
    for (const size of kafka.commitSizes.slice(0, -1)) assert.equal(size % YIELD_EVERY, 0, 'closed at a pause');
    assert.deepEqual(kafka.calls, ['begin', 'commit', 'begin', 'commit']);
    assert.deepEqual({ ...r.summary!, seconds: 0, recordsPerSecond: 0 }, {
      read: 1000, published: 1000, deadLettered: 0, deadLetteredByReason: {}, failed: 0, bytes: kafka.visible.reduce((n, m) => n + m.value.length, 0), seconds: 0, recordsPerSecond: 0, stoppedEarly: false,
    });
    assert.deepEqual(kafka.decoded('raw').map(withoutStamp), ts.map(withoutStamp), 'every tick once, in order');
    assert.deepEqual(kafka.visible.map((m) => m.key), ts.map((t) => t.index), 'keyed by index');
    assert.equal(r.states.at(-1), 'closed');
    assert.ok(!visited(r.states, 'failed') && !visited(r.states, 'aborting'));
  });

  test(`${kind}: a full queue makes the loop wait for room before its next item; nothing overtakes, nothing is lost`, async () => {
    const kafka = new FakeKafka((n) => (n % 7 === 0 || n === 100 ? 'queueFull' : 'ok'));
    const ts = ticks(1000);
    const r = await run(kafka, generated(undefined, ts));
    assert.equal(r.error, undefined);
    assert.equal(kafka.overtakes, 0);
    assert.equal(r.states.filter((s) => s === 'backPressured').length, 143);
    assert.deepEqual(kafka.decoded('raw').map(withoutStamp), ts.map(withoutStamp));
    assert.equal(r.summary!.published, 1000);
  });

  test(`${kind}: a failed delivery stops the taking and aborts the open transaction; the run fails counting only what committed before`, async () => {
    const clock = new FakeClock();
    const kafka = new FakeKafka((n) => (n === 650 ? 'deliveryFails' : 'ok'));
    const r = await run(kafka, generated(clock), { clock });
    assert.match(r.error?.message ?? '', /1 messages were not acknowledged: Broker: Message timed out/);
    const s = summaryOf(r);
    assert.deepEqual(kafka.commitSizes, [600]);
    assert.equal(s.published, kafka.visible.length);
    assert.equal(s.published, 600);
    assert.equal(s.failed, 1);
    assert.equal(s.stoppedEarly, true);
    assert.ok(s.read < 1000, `stopped taking: read ${s.read}`);
    assert.deepEqual(kafka.calls, ['begin', 'commit', 'begin', 'abort']);
    assert.deepEqual(r.states.slice(-2), ['aborting', 'failed']);
  });

  test(`${kind}: a commit refused by the broker aborts its transaction; the run fails with nothing more begun or counted`, async () => {
    const clock = new FakeClock();
    const closed = { value: false };
    const refused = Object.assign(new Error('Broker: invalid producer epoch'), { isTxnRequiresAbort: true });
    const kafka = new FakeKafka(undefined, (n) => (n === 1 ? refused : undefined));
    const r = await run(kafka, generated(clock, ticks(1000), closed), { clock });
    assert.ok(r.error instanceof TransactionAbortedError, String(r.error));
    assert.equal(r.error.lost.published, 600);
    assert.deepEqual(kafka.calls, ['begin', 'commit', 'abort']);
    assert.deepEqual(kafka.visible, []);
    assert.equal(summaryOf(r).published, 0);
    assert.ok(closed.value, 'the source was closed');
    assert.deepEqual(r.states.slice(-2), ['committing', 'failed']);
  });

  test(`${kind}: a fatal commit error (fenced) goes up as it is: no abort, no second commit`, async () => {
    const clock = new FakeClock();
    const fenced = Object.assign(new Error('Broker: producer fenced'), { isFatal: true });
    const kafka = new FakeKafka(undefined, () => fenced);
    const r = await run(kafka, generated(clock), { clock });
    assert.equal(r.error, fenced);
    assert.deepEqual(kafka.calls, ['begin', 'commit']);
    assert.equal(summaryOf(r).published, 0);
  });

  test(`${kind}: a produce the client refuses aborts the open transaction and its error goes up`, async () => {
    const clock = new FakeClock();
    const kafka = new FakeKafka((n) => (n === 720 ? 'refused' : 'ok'));
    const r = await run(kafka, generated(clock), { clock });
    assert.match(r.error?.message ?? '', /Message size too large/);
    assert.deepEqual(kafka.calls, ['begin', 'commit', 'begin', 'abort']);
    assert.equal(summaryOf(r).published, 600);
    assert.equal(kafka.visible.length, 600);
    assert.deepEqual(r.states.slice(-3), ['producing', 'aborting', 'failed']);
  });

  // Bounded: the source is endless, a loop deaf to the signal would never end.
  test(`${kind}: the signal (shutdown) stops the taking; the open transaction commits and the run closes`, { timeout: 10_000 }, async () => {
    const stop = new AbortController();
    const kafka = new FakeKafka((n) => {
      if (n === 250) stop.abort();
      return 'ok';
    });
    const closed = { value: false };
    // Endless: only the signal ends it.
    const endless = async function* <T>(batch: () => T) {
      try {
        for (;;) yield batch();
      } finally {
        closed.value = true;
      }
    };
    let seed = 0;
    const encoder = new BatchEncoder(rawType, 1); // one for the whole run: it holds the key table
    const source: PublishSource =
      kind === 'items'
        ? itemsSource(endless(() => tickItems(ticks(100, seed++))))
        : encodedSource(endless(() => (encoder.add(tickItems(ticks(100, seed++))), encoder.finish()!)));
    const r = await run(kafka, source, { signal: stop.signal, commitIntervalMs: 60_000 });
    assert.equal(r.error, undefined);
    assert.equal(r.summary!.stoppedEarly, true);
    assert.equal(r.summary!.read, 250);
    assert.equal(r.summary!.published, 250);
    assert.equal(kafka.visible.length, 250);
    assert.deepEqual(kafka.calls, ['begin', 'commit']);
    assert.ok(closed.value, 'the source was closed');
    assert.deepEqual(r.states.slice(-3), ['producing', 'committing', 'closed']);
  });

  test(`${kind}: a failing source: what was handed over commits, then its error goes up`, async () => {
    const kafka = new FakeKafka();
    const broken = new Error('EIO: the disk is gone');
    const batches = kind === 'items' ? chunks(tickItems(ticks(500)), 250) : encoded(chunks(tickItems(ticks(500)), 250));
    const failing = async function* <T>(xs: T[]) {
      yield* xs;
      throw broken;
    };
    const source: PublishSource = kind === 'items' ? itemsSource(failing(batches as SourceItem[][])) : encodedSource(failing(batches as EncodedBatch[]));
    const r = await run(kafka, source, { commitIntervalMs: 60_000 });
    assert.equal(r.error, broken);
    assert.equal(summaryOf(r).published, 500);
    assert.equal(kafka.visible.length, 500);
    assert.deepEqual(kafka.calls, ['begin', 'commit']);
    assert.deepEqual(r.states.slice(-3), ['reading', 'committing', 'failed']);
  });
}

test('replay: a file with unreadable rows, as items and as encoded batches: ticks to the raw topic, rows to the DLQ keyed file:line, counted by reason', async () => {
  const command = { mode: 'replay', file: malformed, order: 'file', pace: { kind: 'max' }, loop: false, resume: false } as const;
  const read = async () => {
    const batches: SourceItem[][] = [];
    for await (const b of itemBatches(command)) batches.push(b);
    return batches;
  };
  const source = await read();
  const items = source.flat();
  const rejected = items.filter((i) => i.kind === 'rejected');
  assert.ok(rejected.length >= 5 && rejected.length < items.length, 'the fixture has both');
  const byReason: Record<string, number> = {};
  for (const r of rejected) byReason[r.reason] = (byReason[r.reason] ?? 0) + 1;

  const results = [];
  for (const s of [itemsSource(await read()), encodedSource(timed(encoded(await read()), undefined, 0))]) {
    const kafka = new FakeKafka();
    const r = await run(kafka, s);
    assert.equal(r.error, undefined);
    assert.deepEqual({ ...r.summary!, seconds: 0, recordsPerSecond: 0, bytes: 0 }, {
      read: items.length, published: items.length - rejected.length, deadLettered: rejected.length, deadLetteredByReason: byReason,
      failed: 0, bytes: 0, seconds: 0, recordsPerSecond: 0, stoppedEarly: false,
    });
    const letters = kafka.decoded('dlq');
    assert.deepEqual(kafka.visible.filter((m) => m.topic === 'dlq').map((m) => m.key), rejected.map((i) => `malformed.csv:${i.line}`));
    assert.deepEqual(letters.map((d) => [d.stage, d.reason, d.sourceLine, d.originalText]), rejected.map((i) => ['INGEST', i.reason, i.line, i.text]));
    assert.deepEqual(kafka.decoded('raw').map((t) => t.source.line), items.flatMap((i) => (i.kind === 'tick' ? [i.tick.source.line] : [])));
    results.push(kafka.visible.map((m) => (m.topic === 'raw' ? { ...m, value: withoutStamp(rawType.fromBuffer(m.value.subarray(5)) as RawTick) } : { ...m, value: null })));
  }
  assert.deepEqual(results[0], results[1], 'both paths publish the same messages');
});

test('paced items: each tick waits for its time; a wait that would pass the commit\'s due time commits first', async () => {
  const kafka = new FakeKafka();
  const ts = ticks(12);
  const started = performance.now();
  const r = await run(kafka, { kind: 'items', items: [tickItems(ts)], pacing: { kind: 'rate', perSecond: 100 } }, { commitIntervalMs: 25 });
  const tookMs = performance.now() - started;
  assert.equal(r.error, undefined);
  assert.ok(tookMs >= 11 * 10 - 1, `the 12th tick is due at 110 ms: ${tookMs.toFixed(1)} ms`);
  assert.equal(kafka.visible.length, 12);
  assert.equal(r.summary!.published, 12);
  assert.ok(kafka.commitSizes.length >= 3, `committed before waits: ${kafka.commitSizes.join(', ')}`);
  assert.ok(visited(r.states, 'pacing'));
  assert.equal(r.states.at(-1), 'closed');
});

test('a transaction that cannot begin fails the run with nothing produced', async () => {
  const kafka = new FakeKafka();
  const down = new Error('Local: Broker transport failure');
  kafka.transactions.begin = async () => {
    kafka.calls.push('begin');
    throw down;
  };
  const r = await run(kafka, itemsSource([tickItems(ticks(10))]));
  assert.equal(r.error, down);
  assert.equal(kafka.produced, 0);
  assert.equal(summaryOf(r).published, 0);
  assert.deepEqual(r.states.slice(-2), ['beginning', 'failed']);
});
