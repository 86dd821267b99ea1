// K-way merge of inputs that are each already sorted, e.g. the date-sorted
// runs of one CSV file, into one stream sorted by key. Inputs deliver their
// items in batches: items are compared and moved synchronously, and the merge
// awaits only when an input's batch runs out. Holds one batch per input, so
// memory does not grow with the data.

import { MinHeap } from './min-heap.js';

/** Thrown when an input yields a key below its previous one. */
export class UnsortedInputError extends Error {
  constructor(input: number, previous: number, key: number) {
    super(`merge input ${input} is not sorted: key ${key} follows ${previous}`);
    this.name = 'UnsortedInputError';
  }
}

interface Cursor<T> {
  readonly input: number;
  batch: readonly T[];
  /** Position of the head item in batch. */
  at: number;
  /** Key of the head item. */
  key: number;
}

/** `a` must come out before `b`: lower key, or the same key from a lower input (the merge is stable). */
function before<T>(a: Cursor<T>, b: Cursor<T>): boolean {
  return a.key < b.key || (a.key === b.key && a.input < b.input);
}

/**
 * Items of all inputs in ascending `key` order, in batches of at most
 * `batchSize`; equal keys come out in input order (lower position first) and,
 * within one input, in that input's order, so the merge is stable. Throws
 * UnsortedInputError when an input's keys go down. Holds one batch per input,
 * and nothing merged while it awaits an input.
 */
export async function* mergeSortedBatches<T>(
  inputs: readonly AsyncIterable<readonly T[]>[],
  key: (item: T) => number,
  batchSize = 1024,
): AsyncGenerator<T[], void, undefined> {
  const iterators = inputs.map((input) => input[Symbol.asyncIterator]());
  const open = new Set<number>(iterators.keys());
  const lastKeys: number[] = iterators.map(() => -Infinity);
  const heap = new MinHeap<Cursor<T>>(before);

  /** The head item's key, checked against the input's previous one. */
  const headKey = (c: Cursor<T>): number => {
    const k = key(c.batch[c.at] as T);
    const previous = lastKeys[c.input] as number;
    if (k < previous) throw new UnsortedInputError(c.input, previous, k);
    lastKeys[c.input] = k;
    return k;
  };
  /** Loads the input's next non-empty batch; false when the input is done. */
  const refill = async (c: Cursor<T>): Promise<boolean> => {
    for (;;) {
      const next = await (iterators[c.input] as AsyncIterator<readonly T[]>).next();
      if (next.done === true) {
        open.delete(c.input);
        return false;
      }
      if (next.value.length > 0) {
        c.batch = next.value;
        c.at = 0;
        return true;
      }
    }
  };

  try {
    const cursors = await Promise.all(
      iterators.map(async (_, input) => {
        const c: Cursor<T> = { input, batch: [], at: 0, key: 0 };
        return (await refill(c)) ? c : undefined;
      }),
    );
    for (const c of cursors) {
      if (c === undefined) continue;
      c.key = headKey(c);
      heap.push(c);
    }
    let out: T[] = [];
    for (let c = heap.pop(); c !== undefined; c = heap.pop()) {
      // Take items from c as long as it stays first.
      const rival = heap.peek();
      for (;;) {
        out.push(c.batch[c.at] as T);
        c.at++;
        if (out.length >= batchSize) {
          yield out;
          out = [];
        }
        if (c.at === c.batch.length) {
          // What is merged goes out before the merge waits on an input: an input may wait on the consumer.
          if (out.length > 0) {
            yield out;
            out = [];
          }
          if (!(await refill(c))) break;
        }
        c.key = headKey(c);
        if (rival !== undefined && !before(c, rival)) {
          heap.push(c);
          break;
        }
      }
    }
    if (out.length > 0) yield out;
  } finally {
    // Early exit or error: release inputs still open (file handles).
    await Promise.allSettled([...open].map((input) => iterators[input]?.return?.()));
  }
}
