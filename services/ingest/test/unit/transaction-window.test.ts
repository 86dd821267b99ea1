import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Transactions } from '@stockstream/common';
import { TransactionAbortedError, TransactionWindow, type TransactionTally } from '../../src/publish/transaction-window.js';
import { defaultTransactionalId } from '../../src/publish/transactional-id.js';

/** Transactions that record their calls; commit fails with the queued errors first. */
function fakeTransactions(commitErrors: unknown[] = []) {
  const calls: string[] = [];
  const txn = {
    begin: async () => void calls.push('begin'),
    commit: async () => {
      calls.push('commit');
      const err = commitErrors.shift();
      if (err !== undefined) throw err;
    },
    abort: async () => void calls.push('abort'),
  };
  return { calls, txn: txn as unknown as Transactions };
}

const txnError = (flags: Record<string, boolean>) => Object.assign(new Error('broker says no'), flags);

test('begins lazily, once; commits hand the tally over and start afresh', async () => {
  const { calls, txn } = fakeTransactions();
  const committed: TransactionTally[] = [];
  const w = new TransactionWindow(txn, 100, (t) => committed.push(t));
  await w.commit(); // nothing open: nothing to do
  assert.deepEqual(calls, []);
  await w.open();
  await w.open();
  w.current.published += 3;
  w.current.deadLettered++;
  w.current.deadLetteredByReason.bad_number = 1;
  await w.commit();
  assert.deepEqual(calls, ['begin', 'commit']);
  assert.equal(committed.length, 1);
  assert.deepEqual({ ...committed[0], producedAt: [] }, { published: 3, deadLettered: 1, deadLetteredByReason: { bad_number: 1 }, bytes: 0, producedAt: [] });
  assert.equal(w.isOpen, false);
  assert.equal(w.current.published, 0);
});

test('is due intervalMs after it began, never while closed', async () => {
  const { txn } = fakeTransactions();
  const w = new TransactionWindow(txn, 100, () => undefined);
  assert.equal(w.dueAt(performance.now() + 1e6), false);
  const before = performance.now();
  await w.open();
  const after = performance.now();
  assert.equal(w.dueAt(before + 99), false);
  assert.equal(w.dueAt(after + 100), true);
});

test('a retriable commit failure is retried; an abortable one aborts and throws with what was lost', async () => {
  const retried = fakeTransactions([txnError({ isRetriable: true })]);
  const ok: TransactionTally[] = [];
  const commitSeconds: number[] = [];
  const w1 = new TransactionWindow(retried.txn, 100, (t, _at, seconds) => {
    ok.push(t);
    commitSeconds.push(seconds);
  });
  await w1.open();
  await w1.commit();
  assert.deepEqual(retried.calls, ['begin', 'commit', 'commit']);
  assert.equal(ok.length, 1);
  assert.ok(commitSeconds[0]! >= 0 && commitSeconds[0]! < 30, 'the commit call\'s duration, retries included, in seconds');

  const aborted = fakeTransactions([txnError({ isTxnRequiresAbort: true })]);
  const w2 = new TransactionWindow(aborted.txn, 100, () => assert.fail('nothing committed'));
  const lost: number[] = [];
  w2.onAborted = (t) => lost.push(t.published);
  await w2.open();
  w2.current.published = 7;
  await assert.rejects(w2.commit(), (err: unknown) => err instanceof TransactionAbortedError && err.lost.published === 7 && /7 records/.test(err.message));
  assert.deepEqual(aborted.calls, ['begin', 'commit', 'abort']);
  assert.deepEqual(lost, [7], 'onAborted hears of the aborted transaction');
  assert.equal(w2.isOpen, false);
});

test('a fatal commit failure (fenced) is thrown as is, nothing aborted', async () => {
  const { calls, txn } = fakeTransactions([txnError({ isFatal: true })]);
  const w = new TransactionWindow(txn, 100, () => assert.fail('nothing committed'));
  await w.open();
  await assert.rejects(w.commit(), { message: 'broker says no', isFatal: true });
  assert.deepEqual(calls, ['begin', 'commit']);
});

test('a commit still failing retriably when its retries run out is thrown as is: an abort would conflict with it', async () => {
  const timedOut = () => txnError({ isRetriable: true });
  const { calls, txn } = fakeTransactions(Array.from({ length: 50 }, timedOut));
  const w = new TransactionWindow(txn, 100, () => assert.fail('nothing committed'), 300);
  await w.open();
  await assert.rejects(w.commit(), { message: 'broker says no', isRetriable: true });
  assert.ok(calls.filter((c) => c === 'commit').length >= 2, `retried: ${calls.join(',')}`);
  assert.ok(!calls.includes('abort'), `no abort: ${calls.join(',')}`);
});

test('refuses a commit interval that is not a positive integer', () => {
  const { txn } = fakeTransactions();
  for (const bad of [0, -5, 1.5, Number.NaN]) assert.throws(() => new TransactionWindow(txn, bad, () => undefined), RangeError);
});

test('the default transactional id is one per raw topic and source', () => {
  const replay = (file: string) => ({ mode: 'replay', file, order: 'date', pace: { kind: 'max' }, loop: false, resume: false }) as const;
  const simulate = (seed: number, count?: number) => ({ mode: 'simulate', seed, count, startDate: undefined, pace: { kind: 'max' }, resume: false }) as const;
  assert.equal(defaultTransactionalId('ticks.raw', replay('/data/a.csv')), defaultTransactionalId('ticks.raw', replay('/data/../data/a.csv')));
  assert.notEqual(defaultTransactionalId('ticks.raw', replay('/data/a.csv')), defaultTransactionalId('ticks.raw', replay('/data/b.csv')));
  assert.notEqual(defaultTransactionalId('ticks.raw', replay('/data/a.csv')), defaultTransactionalId('other.raw', replay('/data/a.csv')));
  assert.equal(defaultTransactionalId('ticks.raw', simulate(7, 10)), defaultTransactionalId('ticks.raw', simulate(7)));
  assert.notEqual(defaultTransactionalId('ticks.raw', simulate(7)), defaultTransactionalId('ticks.raw', simulate(8)));
  assert.match(defaultTransactionalId('ticks.raw', simulate(7)), /^stockstream-ingest-ticks\.raw-[0-9a-f]{12}$/);
});
