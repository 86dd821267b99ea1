// A tick's ingestedAt, rewritten in its encoded bytes. The worker encodes up
// to a window of batches ahead, and before publishing starts (while the
// producer connects) that can be long before their produce: each batch is
// stamped again with the time it is handed to the publishing thread.
// RawTick's layout makes this cheap: ingestedAt is its last field, so it is
// the last bytes of every value, as many as the stamp's Avro long takes.

import { writeLong } from './raw-tick-writer.js';

/** What restamp() needs of a batch: its values, and the stamp they all carry. */
export interface StampedValues {
  readonly count: number;
  /** Value i is bytes [ends[i - 1], ends[i]) (from 0 for i = 0); empty for a rejected row, which has no stamp. */
  readonly bytes: Uint8Array;
  readonly ends: Uint32Array;
  /** The ingestedAt every tick of the batch carries. */
  stampedAt: number;
  /** False when the values' type is not RawTick's (ingestedAt is not last): they keep their stamp. */
  readonly restampable: boolean;
}

const scratch = new Uint8Array(10);

/** Bytes of `n` as an Avro long. */
export function longBytes(n: number): Uint8Array {
  return scratch.slice(0, writeLong(scratch, 0, n));
}

/**
 * Rewrites the ingestedAt of every tick in `batch` to `at`, in place.
 * False, and the batch unchanged, when it cannot: its type is not RawTick's,
 * or `at` takes another number of bytes than the stamp it replaces (an Avro
 * long of today's time takes 6 bytes until 2039).
 */
export function restamp(batch: StampedValues, at: number): boolean {
  if (!batch.restampable) return false;
  if (at === batch.stampedAt) return true;
  const stamp = longBytes(at);
  const size = stamp.length;
  if (size !== longBytes(batch.stampedAt).length) return false;
  const { bytes, ends } = batch;
  let start = 0;
  for (let i = 0; i < batch.count; i++) {
    const end = ends[i] as number;
    if (end > start) bytes.set(stamp, end - size);
    start = end;
  }
  batch.stampedAt = at;
  return true;
}
