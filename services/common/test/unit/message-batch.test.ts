import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageBatch, type Message } from '@stockstream/common';

const msg = (topic: string, partition: number, offset: number, value: Buffer | null, key: Buffer | string | null | undefined, timestamp?: number): Message =>
  ({ topic, partition, offset, value, key, size: value?.length ?? 0, timestamp }) as Message;

describe('MessageBatch', () => {
  it('made from message objects, gives back every field, nulls and empty values included', () => {
    const messages = [
      msg('a', 0, 10, Buffer.from('one'), Buffer.from('k1'), 1000),
      msg('a', 3, 2 ** 40, null, null, 1001),
      msg('b', 1, 0, Buffer.alloc(0), 'string-key', 1002),
      msg('a', 0, 11, Buffer.from([0, 255, 7]), undefined),
    ];
    const b = MessageBatch.fromMessages(messages);
    assert.equal(b.length, 4);
    assert.deepEqual([0, 1, 2, 3].map((i) => b.topic(i)), ['a', 'a', 'b', 'a']);
    assert.deepEqual([0, 1, 2, 3].map((i) => b.partition(i)), [0, 3, 1, 0]);
    assert.deepEqual([0, 1, 2, 3].map((i) => b.offset(i)), [10, 2 ** 40, 0, 11]);
    assert.deepEqual([0, 1, 2, 3].map((i) => b.timestamp(i)), [1000, 1001, 1002, -1]);
    assert.deepEqual([0, 1, 2, 3].map((i) => b.value(i)), [Buffer.from('one'), null, Buffer.alloc(0), Buffer.from([0, 255, 7])]);
    assert.deepEqual([0, 1, 2, 3].map((i) => b.key(i)?.toString() ?? null), ['k1', null, 'string-key', null]);
    assert.deepEqual([b.valueStart(1), b.valueEnd(1)], [-1, -1], 'a null value has no span');
    assert.deepEqual(b.data.subarray(b.valueStart(3), b.valueEnd(3)), Buffer.from([0, 255, 7]));
    const m = b.message(0);
    assert.deepEqual({ ...m, value: m.value?.toString(), key: m.key?.toString() }, { topic: 'a', partition: 0, offset: 10, timestamp: 1000, value: 'one', key: 'k1', size: 3 });
    assert.equal(b.message(1).value, null);
  });

  it('is empty for no messages, and refuses columns shorter than its length', () => {
    assert.equal(MessageBatch.fromMessages([]).length, 0);
    assert.throws(() => new MessageBatch(2, Buffer.alloc(0), new Int32Array(6), new Float64Array(4), ['t']), /needs 12 ints/);
  });
});
