import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RotationPolicy, rotationDueAtMs, shouldRotate, type OpenFileState, type RotationConfig } from '../../src/rotation/rotation-policy.js';

const config: RotationConfig = { maxRecords: 100, maxBytes: 1_000, maxOpenMs: 60_000, maxIdleMs: 10_000 };
const T0 = 1_700_000_000_000;
const state = (s: Partial<OpenFileState> = {}): OpenFileState => ({
  records: 1, bytes: 10, openedAtMs: T0, lastAppendAtMs: T0 + 55_000, firstRecordTimeMs: T0 - 5_000, lastRecordTimeMs: T0 - 1_000, ...s,
});

describe('rotation policy', () => {
  it('keeps a file open while no rule fires', () => {
    assert.equal(shouldRotate(state({ records: 99, bytes: 999 }), T0 + 59_999, config), null);
  });

  it('rotates on the record count, at exactly maxRecords', () => {
    assert.equal(shouldRotate(state({ records: 100 }), T0, config), 'records');
    assert.equal(shouldRotate(state({ records: 101 }), T0, config), 'records');
  });

  it('rotates on the byte size, at exactly maxBytes', () => {
    assert.equal(shouldRotate(state({ bytes: 1_000 }), T0, config), 'bytes');
  });

  it('rotates on wall-clock time since the file was opened', () => {
    assert.equal(shouldRotate(state(), T0 + 60_000, config), 'time');
    assert.equal(shouldRotate(state(), T0 + 59_999, config), null);
  });

  it('ignores record time: old records do not close a fresh file', () => {
    assert.equal(shouldRotate(state({ firstRecordTimeMs: 0, lastRecordTimeMs: T0 }), T0 + 1, config), null);
  });

  it('rotates a file that received no record for maxIdleMs, long before maxOpenMs', () => {
    const fed = state({ lastAppendAtMs: T0 + 2_000 });
    assert.equal(shouldRotate(fed, T0 + 11_999, config), null);
    assert.equal(shouldRotate(fed, T0 + 12_000, config), 'idle');
    assert.equal(rotationDueAtMs(fed, config), T0 + 12_000, 'due at the earlier of the two time rules');
  });

  it('reports the time rule before the idle rule when both fire', () => {
    assert.equal(shouldRotate(state({ lastAppendAtMs: T0 }), T0 + 60_000, config), 'time');
  });

  it('reports a deterministic rule before the time rule when several fire', () => {
    assert.equal(shouldRotate(state({ records: 100, bytes: 1_000 }), T0 + 120_000, config), 'records');
    assert.equal(shouldRotate(state({ bytes: 1_000 }), T0 + 120_000, config), 'bytes');
  });

  it('never rotates an empty file, however old or idle', () => {
    assert.equal(shouldRotate(state({ records: 0, bytes: 0 }), T0 + 10 * 60_000, config), null);
    assert.equal(rotationDueAtMs(state({ records: 0 }), config), null);
  });

  it('says when the time rule will fire, so the pipeline can wake up then', () => {
    assert.equal(rotationDueAtMs(state(), config), T0 + 60_000);
  });

  it('cuts the same input at the same records on every run (count and bytes only)', () => {
    const sizes = [300, 200, 500, 100, 100, 900, 50, 50];
    const cuts = () => {
      const out: number[] = [];
      let s = state({ records: 0, bytes: 0 });
      sizes.forEach((b, i) => {
        s = { ...s, records: s.records + 1, bytes: s.bytes + b };
        if (shouldRotate(s, T0, config)) {
          out.push(i);
          s = state({ records: 0, bytes: 0 });
        }
      });
      return out;
    };
    assert.deepEqual(cuts(), [2, 5]);
    assert.deepEqual(cuts(), cuts());
  });

  it('RotationPolicy binds the config and refuses non-positive limits', () => {
    const policy = new RotationPolicy(config);
    assert.equal(policy.shouldRotate(state({ records: 100 }), T0), 'records');
    assert.equal(policy.dueAtMs(state()), T0 + 60_000);
    assert.throws(() => new RotationPolicy({ ...config, maxRecords: 0 }), RangeError);
    assert.throws(() => new RotationPolicy({ ...config, maxOpenMs: Number.NaN }), RangeError);
    assert.throws(() => new RotationPolicy({ ...config, maxIdleMs: -1 }), RangeError);
  });
});
