import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KafkaProducer } from '../../src/kafka/producer.js';
import { classifyTxnError, renewalAllowed, TransactionalCallStuckError, Transactions } from '../../src/kafka/transactions.js';

describe('classifyTxnError', () => {
  it('reads the flags of a librdkafka error, fatal first; anything unknown is abortable', () => {
    assert.equal(classifyTxnError({ isFatal: true, isTxnRequiresAbort: true }), 'fatal');
    assert.equal(classifyTxnError({ isTxnRequiresAbort: true, isRetriable: true }), 'abortable');
    assert.equal(classifyTxnError({ isRetriable: true }), 'retriable');
    assert.equal(classifyTxnError(new Error('something else')), 'abortable');
    assert.equal(classifyTxnError(undefined), 'abortable');
  });
});

describe('renewalAllowed', () => {
  const budget = { max: 2, withinMs: 1000 };

  it('allows up to max renewals within the window', () => {
    assert.equal(renewalAllowed([], budget, 0), true);
    assert.equal(renewalAllowed([0], budget, 10), true);
    assert.equal(renewalAllowed([0, 10], budget, 20), false);
  });

  it('forgets renewals older than the window (and prunes them)', () => {
    const earlier = [0, 500];
    assert.equal(renewalAllowed(earlier, budget, 999), false);
    assert.equal(renewalAllowed(earlier, budget, 1000), true);
    assert.deepEqual(earlier, [500]);
    assert.equal(renewalAllowed(earlier, budget, 1500), true);
    assert.deepEqual(earlier, []);
  });

  it('a budget of zero never allows one', () => {
    assert.equal(renewalAllowed([], { max: 0, withinMs: 1000 }, 0), false);
  });
});

describe('Transactions', () => {
  /** A producer whose native calls answer as told: `answers` per call name, undefined = never. */
  function fakeProducer(answers: Record<string, Error | null | undefined>) {
    const calls: string[] = [];
    const reply = (name: string, cb: (err: Error | null) => void) => {
      calls.push(name);
      const a = answers[name];
      if (a !== undefined) setImmediate(() => cb(a));
    };
    const native = {
      initTransactions: (_t: number, cb: (e: Error | null) => void) => reply('init', cb),
      beginTransaction: (cb: (e: Error | null) => void) => reply('begin', cb),
      sendOffsetsToTransaction: (_o: unknown, _c: unknown, _t: number, cb: (e: Error | null) => void) => reply('sendOffsets', cb),
      commitTransaction: (_t: number, cb: (e: Error | null) => void) => reply('commit', cb),
      abortTransaction: (_t: number, cb: (e: Error | null) => void) => reply('abort', cb),
    };
    return { calls, producer: {
        native, transactionTimeoutMs: 60_000, wedged: false,
        markWedged(this: { wedged: boolean }) {
          this.wedged = true;
        },
      } as unknown as KafkaProducer };
  }
  const consumer = { native: {} } as never;

  it('passes answers and errors of the client through', async () => {
    const { producer } = fakeProducer({ begin: null, commit: Object.assign(new Error('nope'), { isTxnRequiresAbort: true }) });
    const t = new Transactions(producer, 1000, 500);
    await t.begin();
    await assert.rejects(t.commit(), { message: 'nope' });
    assert.equal(t.wedged, false);
  });

  it('a call the client never answers fails as fatal once its bound passes, and the producer is not used again', async () => {
    const { calls, producer } = fakeProducer({ begin: null, abort: null });
    const t = new Transactions(producer, 1000, 50);
    const started = Date.now();
    await assert.rejects(t.sendOffsets([], consumer), (err: unknown) => err instanceof TransactionalCallStuckError && classifyTxnError(err) === 'fatal');
    assert.ok(Date.now() - started >= 45, 'waited for the bound');
    assert.equal(t.wedged, true);
    await assert.rejects(t.abort(), TransactionalCallStuckError);
    assert.deepEqual(calls, ['sendOffsets'], 'nothing reaches the wedged producer');
  });

  it('by default allows librdkafka its own bound (up to the transaction timeout) and a margin', async () => {
    const { producer } = fakeProducer({});
    const t = new Transactions(producer, 30_000);
    assert.equal((t as unknown as { stuckAfterMs: number }).stuckAfterMs, 90_000);
  });
});
