import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeProgress, encodeProgress, progressTopicFor, resumePoint } from '../../src/publish/progress.js';
import { itemBatches } from '../../src/sources.js';

describe('source progress (--resume)', () => {
  it('round-trips a position and refuses values that are not one', () => {
    assert.deepEqual(decodeProgress(encodeProgress({ items: 1234 }, 0)), { items: 1234 });
    for (const v of [null, Buffer.from('nope'), Buffer.from('{"items":-1}'), Buffer.from('{"items":1.5}'), Buffer.from('{}')]) assert.equal(decodeProgress(v), undefined);
  });

  it('takes the last position of its own key, 0 when none', () => {
    const m = (key: string, items: number) => ({ key: Buffer.from(key), value: encodeProgress({ items }, 0) });
    assert.deepEqual(resumePoint([m('a', 10), m('b', 99), m('a', 20), { key: Buffer.from('a'), value: Buffer.from('junk') }], 'a'), { items: 20 });
    assert.deepEqual(resumePoint([m('b', 99)], 'a'), { items: 0 });
    assert.equal(progressTopicFor('ticks.raw'), 'ticks.raw.ingest-progress');
  });

  it('a resumed source yields exactly the items after the skipped ones, across batch boundaries', async () => {
    const lines = async (skip: number) => {
      const out: number[] = [];
      for await (const batch of itemBatches({ mode: 'simulate', seed: 3, count: 1500, startDate: undefined, pace: { kind: 'max' }, resume: true, skip })) {
        for (const item of batch) if (item.kind === 'tick') out.push(item.tick.source.line);
      }
      return out;
    };
    const all = await lines(0);
    assert.equal(all.length, 1500);
    for (const skip of [1, 511, 512, 513, 1499, 1500, 2000]) assert.deepEqual(await lines(skip), all.slice(skip), `skip ${skip}`);
  });
});
