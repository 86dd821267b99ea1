import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closeReason, commitPlan, memoryClose, committableOffsets, mayCommit, needsRecovery, nextPhase, pauseChange, pollTimeoutMs, type LoopFacts } from '../../src/pipeline/sink-decisions.js';
import {
  assignmentReleased, canTransition, commitFailed, commitSent, consumerPaused, consumerResumed, enterPhase, initialSinkState, InvalidSinkTransition, recovered, uploadRunEnded,
  type SinkPhase,
} from '../../src/pipeline/sink-state.js';
import { RotationPolicy } from '../../src/rotation/rotation-policy.js';

const facts = (f: Partial<LoopFacts> = {}): LoopFacts => ({
  stopRequested: false, rebalancePending: false, consumerGeneration: 1, uploadInFlight: false, bufferedRecords: 0, maxBufferedRecords: 100, ...f,
});
const settled = (s: Partial<ReturnType<typeof initialSinkState>> = {}) => ({ ...initialSinkState(), phase: 'consuming' as SinkPhase, generation: 1, ...s });

describe('nextPhase', () => {
  it('consumes when the files belong to the current assignment and nothing holds it back', () => {
    assert.equal(nextPhase(settled(), facts()), 'consuming');
  });

  it('recovers before the first assignment is known, after the generation moved, and after a refused commit', () => {
    assert.equal(nextPhase(initialSinkState(), facts({ consumerGeneration: 0 })), 'recovering', 'nothing recovered yet');
    assert.equal(nextPhase(settled(), facts({ consumerGeneration: 2 })), 'recovering');
    assert.equal(nextPhase(settled({ recoveryRequested: true }), facts()), 'recovering');
  });

  it('waits for the uploads once the buffer is full, but only while a run is in flight to free it', () => {
    assert.equal(nextPhase(settled(), facts({ uploadInFlight: true, bufferedRecords: 100 })), 'waiting-for-uploads');
    assert.equal(nextPhase(settled(), facts({ uploadInFlight: true, bufferedRecords: 99 })), 'consuming');
    assert.equal(nextPhase(settled(), facts({ uploadInFlight: false, bufferedRecords: 1000 })), 'consuming', 'no run: consuming starts one');
  });

  it('ranks stop over rebalance over recovery over storage down over back-pressure', () => {
    const all = facts({ stopRequested: true, rebalancePending: true, consumerGeneration: 2, uploadInFlight: true, bufferedRecords: 1000 });
    const down = settled({ storageDown: true });
    assert.equal(nextPhase(down, all), 'stopping');
    assert.equal(nextPhase(down, { ...all, stopRequested: false }), 'rebalancing');
    assert.equal(nextPhase(down, { ...all, stopRequested: false, rebalancePending: false }), 'recovering');
    assert.equal(nextPhase(down, { ...all, stopRequested: false, rebalancePending: false, consumerGeneration: 1 }), 'storage-down');
  });
});

describe('committableOffsets', () => {
  const positions = [
    { topic: 't', partition: 0, committable: 10 },
    { topic: 't', partition: 1, committable: null },
    { topic: 't', partition: 2, committable: 7 },
  ];

  it('async: only partitions whose committable offset moved past the one last sent', () => {
    assert.deepEqual(committableOffsets(positions, new Map([[0, 10], [2, 5]]), 'async'), [{ topic: 't', partition: 2, offset: 7 }]);
    assert.deepEqual(committableOffsets(positions, new Map(), 'async'), [{ topic: 't', partition: 0, offset: 10 }, { topic: 't', partition: 2, offset: 7 }]);
  });

  it('sync: everything committable, sent before or not; a partition with nothing seen is left out', () => {
    assert.deepEqual(committableOffsets(positions, new Map([[0, 10], [2, 7]]), 'sync'), [{ topic: 't', partition: 0, offset: 10 }, { topic: 't', partition: 2, offset: 7 }]);
  });
});

describe('commitPlan', () => {
  const letter = (partition: number, offset: number) => ({
    partition, offset, reason: 'not_framed', text: 'x', failedAt: 0, message: { topic: 't', partition, offset, value: null, size: 0, timestamp: 0 },
  });
  const positions = [
    { topic: 't', partition: 0, committable: 10 },
    { topic: 't', partition: 1, committable: 5 },
  ];

  it('no dead letter passed: a plain commit, no barrier', () => {
    assert.deepEqual(commitPlan(positions, new Map(), new Map(), 'async'), {
      offsets: [{ topic: 't', partition: 0, offset: 10 }, { topic: 't', partition: 1, offset: 5 }], deadLetters: [], barrier: [],
    });
    const held = new Map([[1, [letter(1, 5), letter(1, 7)]]]);
    assert.deepEqual(commitPlan(positions, new Map(), held, 'async').deadLetters, [], 'a letter at the committable offset is not passed yet');
  });

  it('the letters below the committed offset go with it; the barrier commits up to each first letter', () => {
    const l3 = letter(0, 3);
    const l8 = letter(0, 8);
    const plan = commitPlan(positions, new Map([[1, 5]]), new Map([[0, [l3, l8, letter(0, 12)]]]), 'async');
    assert.deepEqual(plan.offsets, [{ topic: 't', partition: 0, offset: 10 }]);
    assert.deepEqual(plan.deadLetters, [l3, l8]);
    assert.deepEqual(plan.barrier, [{ topic: 't', partition: 0, offset: 3 }]);
  });

  it('a partition past a held letter commits even when its offset did not move since the last one sent', () => {
    const l = letter(0, 4);
    const plan = commitPlan(positions, new Map([[0, 10], [1, 5]]), new Map([[0, [l]]]), 'async');
    assert.deepEqual(plan.offsets, [{ topic: 't', partition: 0, offset: 10 }]);
    assert.deepEqual(plan.deadLetters, [l]);
  });
});

describe('mayCommit', () => {
  it('never while storage is down, nor for files of another (or a doubted) assignment', () => {
    assert.equal(mayCommit(settled(), 1), true);
    assert.equal(mayCommit(settled({ storageDown: true }), 1), false);
    assert.equal(mayCommit(settled(), 2), false);
    assert.equal(mayCommit(settled({ recoveryRequested: true }), 1), false);
  });
});

describe('pauseChange', () => {
  it('pauses on storage down, resumes once consuming (or waiting for uploads) again, touches nothing otherwise', () => {
    assert.equal(pauseChange('storage-down', false), 'pause');
    assert.equal(pauseChange('storage-down', true), null);
    assert.equal(pauseChange('consuming', true), 'resume');
    assert.equal(pauseChange('waiting-for-uploads', true), 'resume');
    assert.equal(pauseChange('consuming', false), null);
    for (const p of ['recovering', 'rebalancing', 'stopping'] as const) assert.equal(pauseChange(p, true), null, p);
  });
});

describe('pollTimeoutMs and closeReason', () => {
  it('polls long only while consuming with nothing uploading', () => {
    assert.equal(pollTimeoutMs('consuming', false), 200);
    assert.equal(pollTimeoutMs('consuming', true), 10);
    assert.equal(pollTimeoutMs('storage-down', false), 10);
  });

  it('closes by the rotation policy, and every file when stopping', () => {
    const policy = new RotationPolicy({ maxRecords: 3, maxBytes: 1e9, maxOpenMs: 1000, maxIdleMs: 500 });
    const file = { records: 1, bytes: 10, openedAtMs: 0, lastAppendAtMs: 0, firstRecordTimeMs: 0, lastRecordTimeMs: 0 };
    assert.equal(closeReason(file, policy, 100, null), null);
    assert.equal(closeReason(file, policy, 600, null), 'idle');
    assert.equal(closeReason({ ...file, records: 3 }, policy, 0, null), 'records');
    assert.equal(closeReason(file, policy, 0, 'shutdown'), 'shutdown');
    assert.equal(closeReason({ ...file, records: 3 }, policy, 0, 'memory'), 'memory', 'a forced close names itself, not the rule also due');
  });
});

describe('memoryClose', () => {
  const facts = { uploadInFlight: false, bufferedRecords: 10, maxBufferedRecords: 10 };
  it('closes every file when the buffer bound is reached with no upload to wait for', () => {
    assert.equal(memoryClose(facts), 'memory');
    assert.equal(memoryClose({ ...facts, bufferedRecords: 9 }), null, 'below the bound');
    assert.equal(memoryClose({ ...facts, uploadInFlight: true, bufferedRecords: 50 }), null, 'an upload in flight: the loop waits for it instead');
  });
});

describe('sink state', () => {
  it('allows only the transitions of the table: stopping is final, storage comes back only to consuming', () => {
    assert.ok(canTransition('consuming', 'storage-down'));
    assert.ok(canTransition('storage-down', 'consuming'));
    assert.ok(canTransition('rebalancing', 'recovering'));
    assert.ok(!canTransition('rebalancing', 'consuming'), 'an applied rebalance left no files: recovery first');
    assert.ok(!canTransition('recovering', 'storage-down'), 'recovery starts with nothing pending');
    const s = initialSinkState();
    enterPhase(s, 'stopping');
    assert.throws(() => enterPhase(s, 'consuming'), (err: unknown) => err instanceof InvalidSinkTransition && /from stopping to consuming/.test(err.message));
    assert.equal(s.phase, 'stopping');
  });

  it('a recovery forgets what was sent and that storage was down; a new assignment starts unpaused, the same one stays paused', () => {
    const s = settled({ storageDown: true, backoffMs: 4000, recoveryRequested: true });
    commitSent(s, [{ partition: 0, offset: 5 }]);
    consumerPaused(s);
    recovered(s, 1);
    assert.deepEqual({ ...s, committed: [...s.committed] }, { ...settled(), consumerPaused: true, committed: [] });
    recovered(s, 2);
    assert.equal(s.consumerPaused, false);
    assert.equal(needsRecovery(s, 2), false);
  });

  it('a retriable commit failure resends everything next time; another one asks for recovery', () => {
    const s = settled();
    commitSent(s, [{ partition: 0, offset: 5 }]);
    commitFailed(s, true);
    assert.equal(s.committed.size, 0);
    assert.equal(needsRecovery(s, 1), false);
    commitFailed(s, false);
    assert.equal(needsRecovery(s, 1), true);
  });

  it('an applied rebalance needs a recovery even if the generation number were unchanged; resuming resets the backoff', () => {
    const s = settled({ backoffMs: 2000 });
    assignmentReleased(s);
    assert.equal(needsRecovery(s, 1), true);
    uploadRunEnded(s, false);
    assert.equal(s.storageDown, true);
    consumerPaused(s);
    consumerResumed(s);
    assert.deepEqual([s.consumerPaused, s.backoffMs], [false, 0]);
  });
});
