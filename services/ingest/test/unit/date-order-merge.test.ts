import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeSortedBatches, UnsortedInputError } from '../../src/replay/date-order-merge.js';
import { MinHeap } from '../../src/replay/min-heap.js';
import { mulberry32 } from '../../src/source/prng.js';

// A merge that waits forever fails its test instead of hanging the run.
const within = { timeout: 5_000 };

interface Item {
  date: number;
  label: string;
}

const byDate = (item: Item) => item.date;

/** An async input of batches that records how far it has been read and whether it was closed. */
function tracked(batches: Item[][]) {
  const state = { pulled: 0, closed: false };
  const iterable: AsyncIterable<Item[]> = {
    async *[Symbol.asyncIterator]() {
      try {
        for (const batch of batches) {
          await new Promise((resolve) => setImmediate(resolve));
          state.pulled += batch.length;
          yield batch;
        }
      } finally {
        state.closed = true;
      }
    },
  };
  return { iterable, state };
}

async function collect<T>(source: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const batch of source) out.push(...batch);
  return out;
}

const items = (input: string, dates: number[]): Item[] => dates.map((date, i) => ({ date, label: `${input}${i}` }));
/** The items in batches of `size`. */
const batched = (all: Item[], size: number): Item[][] => Array.from({ length: Math.ceil(all.length / size) }, (_, i) => all.slice(i * size, (i + 1) * size));
const labels = (all: Item[]) => all.map((x) => x.label);

test('merges by date; equal dates in input order; each input keeps its order', within, async () => {
  const inputs = [items('a', [1, 2, 2, 5]), items('b', [0, 2, 3]), items('c', [2, 2, 6])];
  const expected = ['b0', 'a0', 'a1', 'a2', 'b1', 'c0', 'c1', 'b2', 'a3', 'c2'];
  for (const size of [1, 2, 3, 10]) {
    const merged = await collect(mergeSortedBatches(inputs.map((x) => tracked(batched(x, size)).iterable), byDate));
    assert.deepEqual(labels(merged), expected, `input batches of ${size}`);
  }
});

test('no inputs, empty inputs, empty batches', within, async () => {
  assert.deepEqual(await collect(mergeSortedBatches<Item>([], byDate)), []);
  const merged = await collect(mergeSortedBatches([tracked([]).iterable, tracked([[], items('a', [1]), []]).iterable, tracked([[]]).iterable], byDate));
  assert.deepEqual(labels(merged), ['a0']);
});

test('output batches hold at most batchSize items', within, async () => {
  const sizes: number[] = [];
  for await (const batch of mergeSortedBatches([tracked([items('a', Array.from({ length: 10 }, (_, i) => i))]).iterable], byDate, 4)) sizes.push(batch.length);
  assert.deepEqual(sizes, [4, 4, 2]);
});

test('holds one batch per input', within, async () => {
  const inputs = [items('a', [1, 3, 5, 7, 9, 11]), items('b', [2, 4, 6, 8, 10, 12]), items('c', [0, 13])].map((x) => tracked(batched(x, 2)));
  let yielded = 0;
  for await (const batch of mergeSortedBatches(inputs.map((x) => x.iterable), byDate)) {
    yielded += batch.length;
    const pulled = inputs.reduce((sum, x) => sum + x.state.pulled, 0);
    assert.ok(pulled - yielded <= inputs.length * 2, `pulled ${pulled}, yielded ${yielded}`);
  }
  assert.equal(yielded, 14);
});

test('gives out what it merged before it waits on an input', within, async () => {
  // The second input has more only once the consumer has what came before: a merge that held its output
  // until a full batch (or the end) would wait for it forever.
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  const gated: AsyncIterable<Item[]> = {
    async *[Symbol.asyncIterator]() {
      yield items('b', [2]);
      await released;
      yield [{ date: 3, label: 'b1' }];
    },
  };
  const seen: string[][] = [];
  for await (const batch of mergeSortedBatches([tracked([items('a', [1, 5])]).iterable, gated], byDate)) {
    seen.push(labels(batch));
    if (labels(batch).includes('b0')) release();
  }
  assert.deepEqual(seen.flat(), ['a0', 'b0', 'b1', 'a1']);
});

test('an early stop closes every input', within, async () => {
  const inputs = [items('a', [1, 2, 3]), items('b', [1, 2, 3])].map((x) => tracked(batched(x, 1)));
  for await (const batch of mergeSortedBatches(inputs.map((x) => x.iterable), byDate)) if (labels(batch).includes('b0')) break;
  assert.ok(inputs.every((x) => x.state.closed));
});

test('an unsorted input is an error, and the others are closed', within, async () => {
  const good = tracked(batched(items('a', [1, 2, 3, 4]), 1));
  const bad = tracked([items('b', [1, 3]), items('b', [2])]);
  await assert.rejects(collect(mergeSortedBatches([good.iterable, bad.iterable], byDate)), UnsortedInputError);
  assert.equal(good.state.closed, true);
  // Within one batch too.
  await assert.rejects(collect(mergeSortedBatches([tracked([items('c', [2, 1])]).iterable], byDate)), /merge input 0 is not sorted: key 1 follows 2/);
});

test('a failing input rejects the merge', within, async () => {
  const failing: AsyncIterable<Item[]> = {
    async *[Symbol.asyncIterator]() {
      yield [{ date: 1, label: 'x' }];
      throw new Error('disk on fire');
    },
  };
  await assert.rejects(collect(mergeSortedBatches([failing, tracked([items('a', [1, 2])]).iterable], byDate)), /disk on fire/);
});

test('equals a stable sort on random inputs', within, async () => {
  const random = mulberry32(5);
  const inputs: Item[][] = [];
  for (let i = 0; i < 20; i++) {
    let date = Math.floor(random() * 5);
    inputs.push(Array.from({ length: Math.floor(random() * 300) }, (_, k) => ({ date: (date += Math.floor(random() * 3)), label: `${i}:${k}` })));
  }
  const expected = inputs.flat().sort((x, y) => x.date - y.date); // stable: input order, then position
  const merged = await collect(mergeSortedBatches(inputs.map((x) => tracked(batched(x, 1 + Math.floor(random() * 40))).iterable), byDate, 64));
  assert.deepEqual(merged, expected);
});

test('MinHeap pops in order', () => {
  const random = mulberry32(1);
  const heap = new MinHeap<number>((a, b) => a < b);
  const values = Array.from({ length: 1000 }, () => Math.floor(random() * 100));
  for (const v of values) heap.push(v);
  assert.equal(heap.size, 1000);
  assert.equal(heap.peek(), Math.min(...values));
  const out: number[] = [];
  for (let v = heap.pop(); v !== undefined; v = heap.pop()) out.push(v);
  assert.deepEqual(out, [...values].sort((a, b) => a - b));
  assert.equal(heap.size, 0);
  assert.equal(heap.pop(), undefined);
});
