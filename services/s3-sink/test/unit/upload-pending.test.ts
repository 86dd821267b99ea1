import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Limiter, uploadPending, type UploadItem } from '../../src/pipeline/upload-pending.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface F { chain: string; seq: number }

/** n files spread over `chains` chains, in sequence order within each. */
function items(n: number, chains: number): UploadItem<F>[] {
  return Array.from({ length: n }, (_, i) => ({ chain: `c${i % chains}`, file: { chain: `c${i % chains}`, seq: i } }));
}

const encode = async (fs: F[]) => fs.map((f) => Buffer.from(String(f.seq)));

describe('uploadPending', () => {
  it('puts every file once, each with its own body, at most `concurrency` at a time, in order within a chain', async () => {
    const todo = items(200, 7);
    const put: F[] = [];
    let active = 0;
    let peak = 0;
    const batches: number[] = [];
    const failure = await uploadPending(todo, {
      encode: async (fs) => {
        batches.push(fs.length);
        return encode(fs);
      },
      put: async (f, body) => {
        assert.equal(body.toString(), String(f.seq));
        active++;
        peak = Math.max(peak, active);
        await sleep(Math.random() * 3);
        active--;
        put.push(f);
      },
      concurrency: 5,
      batchFiles: 30,
    });
    assert.equal(failure, null);
    assert.equal(put.length, 200);
    assert.deepEqual(new Set(put.map((f) => f.seq)).size, 200);
    assert.ok(peak <= 5, `peak ${peak}`);
    assert.ok(peak > 1, 'uploads overlap');
    assert.deepEqual(batches, [30, 30, 30, 30, 30, 30, 20]);
    for (const c of ['c0', 'c3', 'c6']) {
      const seqs = put.filter((f) => f.chain === c).map((f) => f.seq);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), `chain ${c} in order`);
    }
  });

  it('after a failure starts nothing new and never puts a later file of the failed chain', async () => {
    const todo = items(100, 4);
    const put: F[] = [];
    const failure = await uploadPending(todo, {
      encode,
      put: async (f) => {
        await sleep(1);
        if (f.seq === 21) throw new Error('S3 down');
        put.push(f);
      },
      concurrency: 3,
      batchFiles: 10,
    });
    assert.equal(failure?.err.message, 'S3 down');
    assert.equal(failure?.file.seq, 21);
    assert.ok(!put.some((f) => f.chain === 'c1' && f.seq > 21), 'no successor of the failed file');
    assert.ok(put.length < 100);
    // Whatever was put in a chain is a prefix of it: recovery's high-water mark stays valid.
    for (const c of ['c0', 'c1', 'c2', 'c3']) {
      const want = todo.filter((t) => t.chain === c).map((t) => t.file.seq);
      const got = put.filter((f) => f.chain === c).map((f) => f.seq);
      assert.deepEqual(got, want.slice(0, got.length), `chain ${c} uploaded a prefix`);
    }
  });

  it('reports an encoding failure without putting that batch', async () => {
    const put: F[] = [];
    const failure = await uploadPending(items(20, 2), {
      encode: async (fs) => {
        if (fs[0]!.seq >= 10) throw new RangeError('bad row');
        return encode(fs);
      },
      put: async (f) => void put.push(f),
      concurrency: 10,
      batchFiles: 10,
    });
    assert.ok(failure?.err instanceof RangeError);
    assert.equal(failure?.file.seq, 10);
    // Files of the first batch may have started (each chain a prefix); none of the failed batch did.
    assert.ok(put.every((f) => f.seq < 10));
    for (const c of ['c0', 'c1']) {
      const got = put.filter((f) => f.chain === c).map((f) => f.seq);
      assert.deepEqual(got, [0, 2, 4, 6, 8].map((s) => s + (c === 'c1' ? 1 : 0)).slice(0, got.length));
    }
  });

  it('encodes up to encodeConcurrency batches at once, yet keeps each chain in item order', async () => {
    const todo = items(120, 5);
    const put: F[] = [];
    let encoding = 0;
    let peak = 0;
    const failure = await uploadPending(todo, {
      // Later batches finish encoding first: order must come from the items, not from the encoder.
      encode: async (fs) => {
        encoding++;
        peak = Math.max(peak, encoding);
        await sleep(fs[0]!.seq % 20 === 0 ? 8 : 1);
        encoding--;
        return encode(fs);
      },
      put: async (f) => {
        await sleep(Math.random() * 2);
        put.push(f);
      },
      concurrency: 4,
      batchFiles: 10,
      encodeConcurrency: 3,
    });
    assert.equal(failure, null);
    assert.equal(put.length, 120);
    assert.ok(peak > 1 && peak <= 3, `peak ${peak}`);
    for (const c of ['c0', 'c1', 'c2', 'c3', 'c4']) {
      const seqs = put.filter((f) => f.chain === c).map((f) => f.seq);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), `chain ${c} in order`);
    }
  });

  it('does nothing for no files', async () => {
    assert.equal(await uploadPending([], { encode: () => assert.fail('no encode'), put: () => assert.fail('no put') }), null);
  });
});

describe('Limiter', () => {
  it('never runs more than max at once and starts tasks in call order', async () => {
    const l = new Limiter(2);
    const started: number[] = [];
    let active = 0;
    let peak = 0;
    await Promise.all(Array.from({ length: 10 }, (_, i) => l.run(async () => {
      started.push(i);
      active++;
      peak = Math.max(peak, active);
      await sleep(1);
      active--;
    })));
    assert.equal(peak, 2);
    assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(l.running, 0);
  });
});
