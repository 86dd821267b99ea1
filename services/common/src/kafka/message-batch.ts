// A batch of consumed messages held as columns: one buffer with every value
// and key, and typed arrays of partitions, offsets and positions. A hot loop
// reads a value where it lies (data, valueStart(i), valueEnd(i)) instead of
// through one object and one Buffer per message, which is what made consuming
// cost more than the work done with the messages (see
// scripts/kafka-binding/patches/2-consume-columns.diff, which fills these
// columns on the client's worker thread).
import type { Message } from './rdkafka.js';

/** Columns per message in `ints`: partition, value start/end, key start/end, topic index. */
const INTS = 6;
/** Columns per message in `doubles`: offset, timestamp. */
const DOUBLES = 2;

export class MessageBatch {
  static readonly EMPTY = new MessageBatch(0, Buffer.alloc(0), new Int32Array(0), new Float64Array(0), []);

  constructor(
    readonly length: number,
    /** Every value and key of the batch, back to back. */
    readonly data: Buffer,
    private readonly ints: Int32Array,
    private readonly doubles: Float64Array,
    private readonly topics: readonly string[],
  ) {
    if (ints.length < length * INTS || doubles.length < length * DOUBLES) throw new Error(`a batch of ${length} messages needs ${length * INTS} ints and ${length * DOUBLES} doubles`);
  }

  /** The same columns made from message objects (what a client without consumeColumns gives). */
  static fromMessages(messages: readonly Message[]): MessageBatch {
    const n = messages.length;
    if (n === 0) return MessageBatch.EMPTY;
    const ints = new Int32Array(n * INTS);
    const doubles = new Float64Array(n * DOUBLES);
    const topics: string[] = [];
    let bytes = 0;
    for (const m of messages) bytes += (m.value?.length ?? 0) + (m.key ? Buffer.byteLength(m.key) : 0);
    const data = Buffer.allocUnsafe(bytes);
    let at = 0;
    const put = (b: Buffer | string | null | undefined, col: number, i: number): void => {
      if (b === null || b === undefined) {
        ints[i * INTS + col] = -1;
        ints[i * INTS + col + 1] = -1;
        return;
      }
      ints[i * INTS + col] = at;
      at += typeof b === 'string' ? data.write(b, at) : b.copy(data, at);
      ints[i * INTS + col + 1] = at;
    };
    for (let i = 0; i < n; i++) {
      const m = messages[i]!;
      let t = topics.indexOf(m.topic);
      if (t < 0) t = topics.push(m.topic) - 1;
      ints[i * INTS] = m.partition;
      put(m.value, 1, i);
      put(m.key as Buffer | string | null | undefined, 3, i);
      ints[i * INTS + 5] = t;
      doubles[i * DOUBLES] = m.offset;
      doubles[i * DOUBLES + 1] = m.timestamp ?? -1;
    }
    return new MessageBatch(n, data, ints, doubles, topics);
  }

  topic(i: number): string {
    return this.topics[this.ints[i * INTS + 5]!]!;
  }

  partition(i: number): number {
    return this.ints[i * INTS]!;
  }

  offset(i: number): number {
    return this.doubles[i * DOUBLES]!;
  }

  timestamp(i: number): number {
    return this.doubles[i * DOUBLES + 1]!;
  }

  /** Where message i's value starts in `data`; -1 when the value is null. */
  valueStart(i: number): number {
    return this.ints[i * INTS + 1]!;
  }

  /** Where message i's value ends (exclusive) in `data`; -1 when the value is null. */
  valueEnd(i: number): number {
    return this.ints[i * INTS + 2]!;
  }

  /** Message i's value, a view of `data` (not a copy); null when the value is null. */
  value(i: number): Buffer | null {
    return this.span(i, 1);
  }

  /** Message i's key, a view of `data`; null when it has none. */
  key(i: number): Buffer | null {
    return this.span(i, 3);
  }

  /** The bytes whose start and end are message i's ints at `col` and `col + 1`; null for -1. */
  private span(i: number, col: number): Buffer | null {
    const start = this.ints[i * INTS + col]!;
    return start < 0 ? null : this.data.subarray(start, this.ints[i * INTS + col + 1]!);
  }

  /** Message i as a message object of its own (copies of value and key), e.g. to dead-letter it. */
  message(i: number): Message {
    const value = this.value(i);
    const key = this.key(i);
    return {
      topic: this.topic(i), partition: this.partition(i), offset: this.offset(i), timestamp: this.timestamp(i),
      value: value && Buffer.from(value), key: key && Buffer.from(key), size: value?.length ?? 0,
    };
  }
}
