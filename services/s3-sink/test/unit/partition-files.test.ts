import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PartitionFiles } from '../../src/pipeline/partition-files.js';
import { RotationPolicy } from '../../src/rotation/rotation-policy.js';
import { tick as makeTick } from './support/ticks.js';

const tick = makeTick({ ingestedAt: 0 });
const policy = new RotationPolicy({ maxRecords: 2, maxBytes: 1e9, maxOpenMs: 1000, maxIdleMs: 1000 });

describe('PartitionFiles', () => {
  it('commits only up to the first record of the oldest file not yet uploaded', () => {
    const pf = new PartitionFiles('t', 0, new Map());
    assert.equal(pf.committable(), null);
    pf.append(10, tick, 'index=A/year=2000', 1, 0);
    pf.append(11, tick, 'index=B/year=2000', 1, 0);
    pf.append(12, tick, 'index=A/year=2000', 1, 0); // A is full (2 records)
    assert.equal(pf.committable(), 10);
    const closed = pf.closeDue(policy, 0);
    assert.deepEqual(closed.map((f) => [f.lakePath, f.firstOffset, f.lastOffset, f.records, f.closedBy]), [['index=A/year=2000', 10, 12, 2, 'records']]);
    assert.equal(pf.committable(), 10, 'a closed file holds the commit back until it is uploaded');
    pf.markUploaded(closed[0]!);
    assert.equal(closed[0]!.batch.length, 0, 'an uploaded file\'s records are released');
    assert.equal(pf.committable(), 11, 'B is still open from offset 11');
    assert.deepEqual(pf.closeDue(policy, 5000).map((f) => f.closedBy), ['time'], 'B by time');
    pf.markUploaded(pf.pendingUploads[0]!);
    assert.equal(pf.committable(), 13, 'nothing open: one past the last record seen');
  });

  it('refuses a record the lake cannot hold without changing anything, so the caller can dead-letter and skip it', () => {
    const pf = new PartitionFiles('t', 0, new Map());
    pf.append(1, tick, 'index=A/year=2000', 1, 0);
    assert.throws(() => pf.append(2, makeTick({ volume: 0.5 }), 'index=B/year=2000', 1, 0), /volume: 0.5/);
    assert.throws(() => pf.append(2, makeTick({ volume: 0.5 }), 'index=A/year=2000', 1, 0), /volume: 0.5/);
    assert.equal(pf.openFiles, 1, 'no file opened for the refused record');
    assert.equal(pf.bufferedRecords, 1);
    assert.equal(pf.closeDue(policy, 0, 'shutdown')[0]!.batch.length, 1);
    pf.skip(2);
    pf.markUploaded(pf.pendingUploads[0]!);
    assert.equal(pf.committable(), 3, 'past the skipped record');
  });

  it('closes a file its lake partition stopped feeding, and keeps the one still fed', () => {
    const idle = new RotationPolicy({ maxRecords: 1000, maxBytes: 1e9, maxOpenMs: 60_000, maxIdleMs: 1000 });
    const pf = new PartitionFiles('t', 0, new Map());
    pf.append(1, tick, 'index=A/year=1999', 1, 0);
    pf.append(2, tick, 'index=A/year=2000', 1, 500);
    pf.append(3, tick, 'index=A/year=2000', 1, 1200);
    assert.deepEqual(pf.closeDue(idle, 1200).map((f) => [f.lakePath, f.closedBy]), [['index=A/year=1999', 'idle']], '1999 got nothing for 1200 ms');
    assert.equal(pf.nextDueAtMs(idle), 2200, 'the 2000 file is due 1000 ms after its latest record');
    assert.deepEqual(pf.closeDue(idle, 2199), []);
    assert.deepEqual(pf.closeDue(idle, 2200).map((f) => [f.lakePath, f.firstOffset, f.lastOffset]), [['index=A/year=2000', 2, 3]]);
  });

  it('skips records a previous run already uploaded for that lake partition, and only those', () => {
    const pf = new PartitionFiles('t', 0, new Map([['index=A/year=2000', 11]]));
    assert.equal(pf.append(10, tick, 'index=A/year=2000', 1, 0), false);
    assert.equal(pf.append(11, tick, 'index=A/year=2000', 1, 0), false);
    assert.equal(pf.append(11, tick, 'index=B/year=2000', 1, 0), true, 'another lake partition is not skipped');
    assert.equal(pf.append(12, tick, 'index=A/year=2000', 1, 0), true);
    const files = pf.closeDue(policy, 0, 'shutdown');
    assert.deepEqual(files.map((f) => f.closedBy), ['shutdown', 'shutdown']);
    assert.deepEqual(files.map((f) => [f.lakePath, f.firstOffset]).sort(), [['index=A/year=2000', 12], ['index=B/year=2000', 11]]);
  });

  it('a dead-lettered record moves the commit position without opening a file', () => {
    const pf = new PartitionFiles('t', 3, new Map());
    pf.skip(7);
    assert.equal(pf.committable(), 8);
    assert.equal(pf.openFiles, 0);
  });

  it('reports when the next time-based rotation is due', () => {
    const pf = new PartitionFiles('t', 0, new Map());
    assert.equal(pf.nextDueAtMs(policy), null);
    pf.append(1, tick, 'index=A/year=2000', 1, 500);
    assert.equal(pf.nextDueAtMs(policy), 1500);
  });
});
