import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import avsc from 'avsc';
import { AvroSerializer, KeyBuffers, NO_ROOM, SlabEncoder, framedAvroWriter, unframe } from '@stockstream/common';

const type = avsc.Type.forSchema({ type: 'record', name: 'T', fields: [{ name: 's', type: 'string' }, { name: 'n', type: ['null', 'long'] }] });
const serializer = new AvroSerializer<{ s: string; n: number | null }>(type, 42);

describe('SlabEncoder and framedAvroWriter', () => {
  it('write byte for byte what the serializer gives, across slab boundaries, and earlier values stay intact', () => {
    const enc = new SlabEncoder(serializer);
    const values = Array.from({ length: 5000 }, (_, i) => ({ s: `value-${i}-${'x'.repeat(i % 50)}`, n: i % 3 ? i * 1000 : null }));
    const out = values.map((v) => enc.encode(v));
    values.forEach((v, i) => assert.deepEqual(out[i], serializer.encode(v), `value ${i}`));
    assert.equal(unframe(out[4999]).ok, true);
  });

  it('write the same slabs again after recycle(), and only then', () => {
    const enc = new SlabEncoder(serializer);
    const values = Array.from({ length: 3000 }, (_, i) => ({ s: `value-${i}-${'x'.repeat(i % 50)}`, n: i }));
    const first = values.map((v) => enc.encode(v));
    const slabs = new Set(first.map((b) => b.buffer));
    assert.ok(slabs.size > 1, 'the values span several slabs');
    const more = values.map((v) => enc.encode(v));
    assert.ok(more.every((b) => !slabs.has(b.buffer) || b.byteOffset >= first[first.length - 1]!.byteOffset + first[first.length - 1]!.length), 'before recycle(), nothing already written is written again');
    values.forEach((v, i) => assert.deepEqual(first[i], serializer.encode(v), `value ${i} intact`));
    enc.recycle();
    const again = values.map((v) => enc.encode(v));
    values.forEach((v, i) => assert.deepEqual(again[i], serializer.encode(v), `value ${i} after recycle`));
    assert.ok(again.filter((b) => slabs.has(b.buffer) || more.some((m) => m.buffer === b.buffer)).length === again.length, 'after recycle(), no new slab is needed for as much output as before');
  });

  it('fall back to the serializer for a value larger than a slab', () => {
    const big = { s: 'y'.repeat(200_000), n: 1 };
    assert.deepEqual(new SlabEncoder(serializer).encode(big), serializer.encode(big));
  });

  it('say NO_ROOM instead of writing past the buffer, and leave invalid values to avsc to reject', () => {
    const write = framedAvroWriter(type, 42);
    assert.equal(write(Buffer.alloc(8), 0, { s: 'longer than three bytes', n: null }), NO_ROOM);
    assert.equal(write(Buffer.alloc(5), 0, { s: '', n: null }), NO_ROOM);
    assert.throws(() => write(Buffer.alloc(100), 0, { s: 7, n: null }));
  });

  it('KeyBuffers gives the same Buffer for the same key', () => {
    const keys = new KeyBuffers();
    assert.equal(keys.get('HSI'), keys.get('HSI'));
    assert.deepEqual(keys.get('N225'), Buffer.from('N225'));
  });
});
