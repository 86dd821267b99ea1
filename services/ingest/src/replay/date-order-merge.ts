// K-way merge of inputs that are each already sorted, e.g. the date-sorted
// runs of one CSV file, into one stream sorted by key. Holds one pending item
// per input, so memory does not grow with the data.

import { MinHeap } from './min-heap.js';

interface Head<T> {
  readonly key: number;
  readonly input: number;
  readonly item: T;
}

/** Thrown when an input yields a key below its previous one. */
export class UnsortedInputError extends Error {
  constructor(input: number, previous: number, key: number) {
    super(`merge input ${input} is not sorted: key ${key} follows ${previous}`);
    this.name = 'UnsortedInputError';
  }
}

/**
 * Items of all inputs in ascending `key` order; equal keys come out in input
 * order (lower position first) and, within one input, in that input's order,
 * so the merge is stable. Inputs are read lazily, one item ahead each.
 */
export async function* mergeSorted<T>(
  inputs: readonly AsyncIterable<T>[],
  key: (item: T) => number,
): AsyncGenerator<T, void, undefined> {
  const iterators = inputs.map((input) => input[Symbol.asyncIterator]());
  const open = new Set<number>(iterators.keys());
  const lastKeys: number[] = iterators.map(() => -Infinity);
  const heap = new MinHeap<Head<T>>((a, b) => a.key < b.key || (a.key === b.key && a.input < b.input));

  const advance = async (input: number): Promise<void> => {
    const next = await (iterators[input] as AsyncIterator<T>).next();
    if (next.done === true) {
      open.delete(input);
      return;
    }
    const k = key(next.value);
    const previous = lastKeys[input] as number;
    if (k < previous) throw new UnsortedInputError(input, previous, k);
    lastKeys[input] = k;
    heap.push({ key: k, input, item: next.value });
  };

  try {
    await Promise.all(iterators.map((_, input) => advance(input)));
    for (let head = heap.pop(); head !== undefined; head = heap.pop()) {
      yield head.item;
      await advance(head.input);
    }
  } finally {
    // Early exit or error: release inputs still open (file handles).
    await Promise.allSettled([...open].map((input) => iterators[input]?.return?.()));
  }
}
