import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeSorted, UnsortedInputError } from '../../src/replay/date-order-merge.js';
import { MinHeap } from '../../src/replay/min-heap.js';
import { mulberry32 } from '../../src/source/prng.js';

interface Item {
  date: number;
  label: string;
}

const byDate = (item: Item) => item.date;

/** An async input that records how far it has been read and whether it was closed. */
function tracked(items: Item[]) {
  const state = { pulled: 0, closed: false };
  const iterable: AsyncIterable<Item> = {
    async *[Symbol.asyncIterator]() {
      try {
        for (const item of items) {
          await new Promise((resolve) => setImmediate(resolve));
          state.pulled++;
          yield item;
        }
      } finally {
        state.closed = true;
      }
    },
  };
  return { iterable, state };
}

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

const items = (input: string, dates: number[]): Item[] => dates.map((date, i) => ({ date, label: `${input}${i}` }));

test('merges by date; equal dates in input order; each input keeps its order', async () => {
  const a = items('a', [1, 2, 2, 5]);
  const b = items('b', [0, 2, 3]);
  const c = items('c', [2, 2, 6]);
  const merged = await collect(mergeSorted([a, b, c].map((x) => tracked(x).iterable), byDate));
  assert.deepEqual(merged.map((x) => x.label), ['b0', 'a0', 'a1', 'a2', 'b1', 'c0', 'c1', 'b2', 'a3', 'c2']);
});

test('no inputs, empty inputs', async () => {
  assert.deepEqual(await collect(mergeSorted<Item>([], byDate)), []);
  const merged = await collect(mergeSorted([tracked([]).iterable, tracked(items('a', [1])).iterable, tracked([]).iterable], byDate));
  assert.deepEqual(merged.map((x) => x.label), ['a0']);
});

test('holds one item per input', async () => {
  const inputs = [items('a', [1, 3, 5, 7]), items('b', [2, 4, 6, 8]), items('c', [0, 9])].map(tracked);
  let yielded = 0;
  for await (const _ of mergeSorted(inputs.map((x) => x.iterable), byDate)) {
    yielded++;
    const pulled = inputs.reduce((sum, x) => sum + x.state.pulled, 0);
    assert.ok(pulled - yielded <= inputs.length - 1, `pulled ${pulled}, yielded ${yielded}`);
  }
  assert.equal(yielded, 10);
});

test('an early stop closes every input', async () => {
  const inputs = [items('a', [1, 2, 3]), items('b', [1, 2, 3])].map(tracked);
  for await (const item of mergeSorted(inputs.map((x) => x.iterable), byDate)) if (item.label === 'b0') break;
  assert.ok(inputs.every((x) => x.state.closed));
});

test('an unsorted input is an error, and the others are closed', async () => {
  const good = tracked(items('a', [1, 2, 3, 4]));
  const bad = tracked(items('b', [1, 3, 2]));
  await assert.rejects(collect(mergeSorted([good.iterable, bad.iterable], byDate)), UnsortedInputError);
  assert.equal(good.state.closed, true);
});

test('a failing input rejects the merge', async () => {
  const failing: AsyncIterable<Item> = {
    async *[Symbol.asyncIterator]() {
      yield { date: 1, label: 'x' };
      throw new Error('disk on fire');
    },
  };
  await assert.rejects(collect(mergeSorted([failing, tracked(items('a', [1, 2])).iterable], byDate)), /disk on fire/);
});

test('equals a stable sort on random inputs', async () => {
  const random = mulberry32(5);
  const inputs: Item[][] = [];
  for (let i = 0; i < 20; i++) {
    let date = Math.floor(random() * 5);
    inputs.push(Array.from({ length: Math.floor(random() * 30) }, (_, k) => ({ date: (date += Math.floor(random() * 3)), label: `${i}:${k}` })));
  }
  const expected = inputs.flat().sort((x, y) => x.date - y.date); // stable: input order, then position
  const merged = await collect(mergeSorted(inputs.map((x) => tracked(x).iterable), byDate));
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
