import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide, initialState, type Outcome } from '../../src/pipeline/processor-decisions.js';
import { isAllowedTransition, TRANSITIONS, type BatchStamp, type Phase, type ProcessorState } from '../../src/pipeline/processor-state.js';

const batch: BatchStamp = { generation: 3 };
const carried = { backoffMs: 0, renewalDue: false };
const fetching: ProcessorState = { ...carried, phase: 'fetching' };
const inTransaction: ProcessorState = { ...carried, phase: 'in-transaction', batch };
const committing: ProcessorState = { ...carried, phase: 'committing', batch };
const failed = (kind: 'fatal' | 'abortable' | 'retriable', renewable = false): Outcome => ({ type: 'batch-failed', kind, renewable, message: 'boom' });

/** Runs outcomes through decide from `state`; the phases passed through. */
function walk(state: ProcessorState, ...outcomes: Outcome[]): { phases: Phase[]; state: ProcessorState } {
  const phases: Phase[] = [state.phase];
  for (const o of outcomes) {
    state = decide(state, o, false);
    phases.push(state.phase);
  }
  return { phases, state };
}

describe('decide: the enrichment loop', () => {
  it('a batch goes fetching -> in-transaction -> committing -> fetching, and a commit clears the backoff', () => {
    const { phases, state } = walk(
      { ...fetching, backoffMs: 500 },
      { type: 'fetched', batch, empty: false, generation: 3 },
      { type: 'produced', generation: 3 },
      { type: 'committed' },
    );
    assert.deepEqual(phases, ['fetching', 'in-transaction', 'committing', 'fetching']);
    assert.equal(state.backoffMs, 0);
  });

  it('a stop request ends the loop only between batches: an open transaction still commits', () => {
    let s = decide(inTransaction, { type: 'produced', generation: 3 }, true);
    assert.equal(s.phase, 'committing');
    s = decide(s, { type: 'committed' }, true);
    assert.deepEqual(s, { ...carried, phase: 'stopped', fatal: null });
    assert.equal(initialState(true).phase, 'stopped');
    assert.equal(initialState(false).phase, 'fetching');
  });

  it('a stop request during a failed batch: the transaction is aborted and rewound first, then the loop stops', () => {
    let s = decide(committing, failed('abortable'), true);
    assert.equal(s.phase, 'aborting');
    s = decide(s, { type: 'aborted' }, true);
    assert.equal(s.phase, 'rewinding');
    assert.equal(decide(s, { type: 'rewound' }, true).phase, 'stopped');
  });

  it('an abortable failure aborts, rewinds and backs off, longer each time until a batch commits', () => {
    const first = walk(committing, failed('abortable'), { type: 'aborted' }, { type: 'rewound' });
    assert.deepEqual(first.phases, ['committing', 'aborting', 'rewinding', 'backing-off']);
    assert.equal(first.state.backoffMs, 250);
    const second = walk({ ...inTransaction, backoffMs: 250 }, failed('retriable'), { type: 'aborted' }, { type: 'rewound' }, { type: 'waited' });
    assert.deepEqual(second.phases, ['in-transaction', 'aborting', 'rewinding', 'backing-off', 'fetching']);
    assert.equal(second.state.backoffMs, 500);
  });

  it('outputs produced under an older assignment are aborted and the batch read again, without backoff (a rebalance is no fault)', () => {
    const { phases, state } = walk(inTransaction, { type: 'produced', generation: 4 }, { type: 'aborted' }, { type: 'rewound' });
    assert.deepEqual(phases, ['in-transaction', 'aborting', 'rewinding', 'fetching']);
    assert.equal(state.backoffMs, 0);
  });

  it('a batch fetched across a rebalance is never produced: rewind and fetch again', () => {
    const { phases } = walk(fetching, { type: 'fetched', batch, empty: false, generation: 4 }, { type: 'rewound' });
    assert.deepEqual(phases, ['fetching', 'rewinding', 'fetching']);
  });

  it('an empty fetch fetches again; while backing off, after the wait', () => {
    assert.equal(decide(fetching, { type: 'fetched', batch, empty: true, generation: 3 }, false).phase, 'fetching');
    assert.equal(decide({ ...fetching, backoffMs: 250 }, { type: 'fetched', batch, empty: true, generation: 3 }, false).phase, 'backing-off');
  });

  it('a failed transform (registry down) rewinds and backs off', () => {
    const { phases, state } = walk(fetching, { type: 'transform-failed' }, { type: 'rewound' });
    assert.deepEqual(phases, ['fetching', 'rewinding', 'backing-off']);
    assert.equal(state.backoffMs, 250);
  });

  it('a fatal error with renewals left: back off, renew the producer, rewind, fetch (no abort: the transaction died with the producer)', () => {
    const { phases, state } = walk(committing, failed('fatal', true), { type: 'waited' }, { type: 'renewed' }, { type: 'rewound' });
    assert.deepEqual(phases, ['committing', 'backing-off', 'renewing-producer', 'rewinding', 'fetching']);
    assert.equal(state.renewalDue, false);
    assert.equal(state.backoffMs, 250, 'the backoff stays until a batch commits');
  });

  it('a renewal that fails is tried again after a longer backoff', () => {
    const { phases, state } = walk({ ...carried, phase: 'renewing-producer', renewalDue: true, backoffMs: 250 }, { type: 'renewal-failed' }, { type: 'waited' });
    assert.deepEqual(phases, ['renewing-producer', 'backing-off', 'renewing-producer']);
    assert.equal(state.backoffMs, 500);
  });

  it('a fatal error with no renewal left stops the loop, saying what failed', () => {
    assert.deepEqual(decide(inTransaction, failed('fatal', false), false), { ...carried, phase: 'stopped', fatal: 'producer fenced or fatal error: boom' });
  });

  it('an abort that fails fatally: rewind, then renew (or stop when no renewal is left); one that fails otherwise: rewind and retry', () => {
    const aborting: ProcessorState = { ...carried, phase: 'aborting', failure: { kind: 'abortable', message: 'm' } };
    const fatalAbort = (renewable: boolean): Outcome => ({ type: 'abort-failed', kind: 'fatal', renewable, message: 'fenced' });
    const renew = walk(aborting, fatalAbort(true), { type: 'rewound' }, { type: 'waited' });
    assert.deepEqual(renew.phases, ['aborting', 'rewinding', 'backing-off', 'renewing-producer']);
    assert.deepEqual(decide(aborting, fatalAbort(false), false), { ...carried, phase: 'stopped', fatal: 'abort failed fatally: fenced' });
    const retry = walk(aborting, { type: 'abort-failed', kind: 'retriable', renewable: false, message: 'timed out' }, { type: 'rewound' });
    assert.deepEqual(retry.phases, ['aborting', 'rewinding', 'backing-off']);
    assert.equal(retry.state.renewalDue, false);
  });

  it('an outcome a phase cannot have is a bug, not a transition', () => {
    assert.throws(() => decide(fetching, { type: 'committed' }, false), /cannot handle 'committed' while fetching/);
    assert.throws(() => decide({ ...carried, phase: 'stopped', fatal: null }, { type: 'waited' }, false), /while stopped/);
  });

  it('every decision is one of the listed transitions', () => {
    const outcomes: Outcome[] = [
      { type: 'waited' }, { type: 'renewed' }, { type: 'renewal-failed' }, { type: 'transform-failed' }, { type: 'committed' }, { type: 'aborted' }, { type: 'rewound' },
      { type: 'fetched', batch, empty: false, generation: 3 }, { type: 'fetched', batch, empty: false, generation: 4 }, { type: 'fetched', batch, empty: true, generation: 3 },
      { type: 'produced', generation: 3 }, { type: 'produced', generation: 4 },
      ...(['fatal', 'abortable', 'retriable'] as const).flatMap((kind) => [true, false].flatMap((renewable) => [
        { type: 'batch-failed' as const, kind, renewable, message: 'm' }, { type: 'abort-failed' as const, kind, renewable, message: 'm' },
      ])),
    ];
    const states: ProcessorState[] = (Object.keys(TRANSITIONS) as Phase[]).flatMap((phase) =>
      [0, 250].flatMap((backoffMs): ProcessorState[] => {
        const c = { backoffMs, renewalDue: phase === 'renewing-producer' || (phase === 'backing-off' && backoffMs > 0) };
        switch (phase) {
          case 'in-transaction': case 'committing': return [{ ...c, phase, batch }];
          case 'aborting': return [{ ...c, phase, failure: { kind: 'rebalanced' as const, message: 'm' } }, { ...c, phase, failure: { kind: 'abortable' as const, message: 'm' } }];
          case 'rewinding': return [{ ...c, phase, then: 'fetch' as const }, { ...c, phase, then: 'resume' as const }];
          case 'stopped': return [{ ...c, phase, fatal: null }];
          default: return [{ ...c, phase }];
        }
      }),
    );
    let decided = 0;
    for (const state of states) {
      for (const outcome of outcomes) {
        for (const stop of [false, true]) {
          let next: ProcessorState;
          try {
            next = decide(state, outcome, stop);
          } catch {
            continue; // not an outcome of this phase
          }
          decided++;
          assert.ok(isAllowedTransition(state.phase, next.phase), `${state.phase} -(${outcome.type})-> ${next.phase}`);
        }
      }
    }
    assert.ok(decided > 50, `only ${decided} decisions were made`);
  });
});
