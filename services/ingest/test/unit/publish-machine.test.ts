import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  IllegalTransitionError, TRANSITIONS, commitAtPause, commitBeforeWait, commitDue, failureIn, mustWaitForRoom, settlement, stopCause, transition,
  type Ending, type PublishState,
} from '../../src/publish/publish-machine.js';

const STATES = Object.keys(TRANSITIONS) as PublishState[];
const FINAL: PublishState[] = ['closed', 'failed'];

test('a transaction is due for its commit intervalMs after it began, never while none is open', () => {
  const open = { openedAt: 1000, intervalMs: 100 };
  assert.equal(commitDue(open, 1099), false);
  assert.equal(commitDue(open, 1100), true);
  assert.equal(commitDue({ openedAt: -1, intervalMs: 100 }, 1e9), false);
  assert.equal(commitAtPause(open, 1100, false), true);
  assert.equal(commitAtPause(open, 1100, true), false, 'a transaction with a failed delivery cannot commit');
  assert.equal(commitAtPause(open, 1050, false), false);
});

test('a paced wait commits first when the transaction comes due during it', () => {
  const open = { openedAt: 0, intervalMs: 100 };
  assert.equal(commitBeforeWait(open, 60, 30), false);
  assert.equal(commitBeforeWait(open, 60, 40), true);
  assert.equal(commitBeforeWait({ openedAt: -1, intervalMs: 100 }, 60, 1e6), false);
});

test('the loop waits only for a produce that found the queue full', () => {
  assert.equal(mustWaitForRoom(undefined), false);
  assert.equal(mustWaitForRoom(Promise.resolve()), true);
});

test('a failed delivery outranks the signal as the reason to stop', () => {
  assert.equal(stopCause(true), 'deliveryFailed');
  assert.equal(stopCause(false), 'stopped');
});

test('what failed is told by the state the loop was in', () => {
  assert.equal(failureIn('reading'), 'sourceFailed');
  assert.equal(failureIn('beginning'), 'beginFailed');
  assert.equal(failureIn('committing'), 'commitFailed');
  for (const s of ['producing', 'backPressured', 'pacing'] as const) assert.equal(failureIn(s), 'produceFailed', s);
});

test('settlement: what the end does with the open transaction, and how the run ends', () => {
  const kinds: Ending['kind'][] = ['exhausted', 'stopped', 'deliveryFailed', 'sourceFailed', 'produceFailed', 'beginFailed', 'commitFailed'];
  const table = Object.fromEntries(kinds.flatMap((k) => [false, true].map((d) => [`${k}${d ? '+delivery failed' : ''}`, settlement(k, d)])));
  assert.deepEqual(table, {
    exhausted: { finish: 'commit', outcome: 'closed' },
    'exhausted+delivery failed': { finish: 'abort', outcome: 'failed' },
    stopped: { finish: 'commit', outcome: 'closed' },
    'stopped+delivery failed': { finish: 'abort', outcome: 'failed' },
    deliveryFailed: { finish: 'abort', outcome: 'failed' },
    'deliveryFailed+delivery failed': { finish: 'abort', outcome: 'failed' },
    sourceFailed: { finish: 'commit', outcome: 'failed' },
    'sourceFailed+delivery failed': { finish: 'abort', outcome: 'failed' },
    produceFailed: { finish: 'abort', outcome: 'failed' },
    'produceFailed+delivery failed': { finish: 'abort', outcome: 'failed' },
    beginFailed: { finish: 'nothing', outcome: 'failed' },
    'beginFailed+delivery failed': { finish: 'nothing', outcome: 'failed' },
    commitFailed: { finish: 'nothing', outcome: 'failed' },
    'commitFailed+delivery failed': { finish: 'nothing', outcome: 'failed' },
  });
});

test('transitions: only the listed ones; closed only through a commit; every state can reach an end; the ends are final', () => {
  assert.equal(transition('reading', 'producing'), 'producing');
  assert.throws(() => transition('reading', 'closed'), IllegalTransitionError);
  assert.throws(() => transition('closed', 'producing'), /no transition from closed to producing/);
  assert.throws(() => transition('aborting', 'closed'), IllegalTransitionError, 'an abort never ends a run as closed');
  for (const from of STATES) {
    for (const to of STATES) {
      if (TRANSITIONS[from].includes(to)) assert.equal(transition(from, to), to);
      else assert.throws(() => transition(from, to), IllegalTransitionError, `${from} -> ${to}`);
    }
  }
  assert.deepEqual(STATES.filter((s) => TRANSITIONS[s].includes('closed')), ['committing']);
  for (const end of FINAL) assert.deepEqual(TRANSITIONS[end], []);
  for (const start of STATES) {
    const seen = new Set<PublishState>([start]);
    for (const s of seen) for (const next of TRANSITIONS[s]) seen.add(next);
    assert.ok(FINAL.some((end) => seen.has(end)), `${start} can reach an end`);
  }
  // Each failure ending can be carried out from the state it is told by.
  for (const s of STATES.filter((x) => !FINAL.includes(x) && x !== 'aborting')) {
    const plan = settlement(failureIn(s), false);
    const next: PublishState = plan.finish === 'commit' ? 'committing' : plan.finish === 'abort' ? 'aborting' : 'failed';
    assert.ok(TRANSITIONS[s].includes(next), `${s}: ${failureIn(s)} goes on to ${next}`);
  }
});
