import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import avsc from 'avsc';
import { AvroDeserializer, DecodeError, UnknownSchemaIdError, frame, layoutMatches, loadSchema, type EnrichedTick, type SchemaRegistryClient } from '@stockstream/common';
import { EnrichedTickReader, FastEnrichedTickDecoder } from '../../src/decode/enriched-tick-reader.js';
import { edgeRows, manyRows, tick } from './support/ticks.js';

const schema = loadSchema('enrichedTick') as { fields: { name: string; type: unknown; default?: unknown }[] };
const type = avsc.Type.forSchema(schema as avsc.Schema);
/** The next version of the schema: one more field, with a default (a BACKWARD-compatible change). */
const evolvedType = avsc.Type.forSchema({ ...schema, fields: [...schema.fields, { name: 'note', type: 'string', default: '' }] } as avsc.Schema);

const body = (t: EnrichedTick) => type.toBuffer(t);
const plain = (t: EnrichedTick): EnrichedTick => ({ ...t, source: { ...t.source } });

/** A registry that knows schema 1 (the reader's own) and 2 (the evolved one). */
const registry = {
  writerType: async (id: number) => {
    if (id === 1) return type;
    if (id === 2) return evolvedType;
    throw new UnknownSchemaIdError(id, new Error('not registered'));
  },
} as unknown as SchemaRegistryClient;

/** A body that runs to the end of its buffer. */
const decodeAll = (d: FastEnrichedTickDecoder, buf: Buffer, from: number) => d.decode(buf, from, buf.length);

describe('FastEnrichedTickDecoder', () => {
  it('decodes what avsc encodes, field for field, edge values included', () => {
    const d = new FastEnrichedTickDecoder();
    // avsc encodes longs up to 2^52 only: the edge rows' larger ones are brought down to that.
    const cap = (v: number) => Math.min(v, 2 ** 52);
    const edges = edgeRows().map((t) => ({ ...t, volume: cap(t.volume), rawOffset: cap(t.rawOffset), source: { ...t.source, line: cap(t.source.line) } }));
    assert.ok(edges.every((t) => type.isValid(t)));
    for (const t of [...edges, ...manyRows(500), tick({ index: '', exchange: '', volume: -5, rawOffset: 2 ** 31, date: -25_000 })]) {
      const got = decodeAll(d, Buffer.concat([Buffer.from([9, 9, 9]), body(t)]), 3);
      assert.ok(got, `decoded ${t.index}`);
      assert.deepEqual(plain(got), plain(type.fromBuffer(body(t)) as EnrichedTick));
    }
  });

  it('gives up (undefined) on bodies that are not one tick of its layout', () => {
    const d = new FastEnrichedTickDecoder();
    const good = body(tick());
    assert.equal(decodeAll(d, good.subarray(0, good.length - 1), 0), undefined, 'truncated');
    assert.equal(decodeAll(d, Buffer.concat([good, Buffer.from([0])]), 0), undefined, 'trailing byte');
    assert.equal(decodeAll(d, Buffer.from([0x80, 0x80, 0x80]), 0), undefined, 'varint running off the end');
    assert.equal(decodeAll(d, Buffer.alloc(0), 0), undefined, 'empty');
    // A string whose length says more bytes than there are.
    assert.equal(decodeAll(d, Buffer.from([0x7e, 0x41]), 0), undefined);
    // Enum index 2 (zig-zag 4) does not exist.
    const t = tick();
    const patched = Buffer.from(body(t));
    patched[offsetOf('source', t)] = 4;
    assert.throws(() => type.fromBuffer(patched), 'avsc refuses it too');
    assert.equal(decodeAll(d, patched, 0), undefined);
    // An Avro long beyond 2^53 (here the volume, encoded as 0 = one byte) is not exact as a number: left to the generic path.
    const zero = tick({ volume: 0 });
    const at = offsetOf('volume', zero);
    const b0 = body(zero);
    const withVolume = (v: bigint) => decodeAll(d, Buffer.concat([b0.subarray(0, at), zigZag(v), b0.subarray(at + 1)]), 0)?.volume;
    assert.equal(withVolume(2n ** 60n), undefined);
    assert.equal(withVolume(2n ** 53n + 1n), undefined);
    assert.equal(withVolume(-(2n ** 53n)), undefined);
    assert.equal(withVolume(2n ** 53n - 1n), 2 ** 53 - 1, 'up to 2^53 - 1: exact');
    assert.equal(withVolume(-(2n ** 52n)), -(2 ** 52));
    assert.equal(withVolume(-(2n ** 31n) - 3n), -(2 ** 31) - 3);
  });

  it('reads a body where it lies among others (a batch buffer), and only that body', () => {
    const d = new FastEnrichedTickDecoder();
    const ticks = manyRows(50);
    const bodies = ticks.map(body);
    const data = Buffer.concat(bodies);
    let at = 0;
    for (const [i, b] of bodies.entries()) {
      const got = d.decode(data, at, at + b.length);
      assert.ok(got, `body ${i}`);
      assert.deepEqual(plain(got), plain(type.fromBuffer(b) as EnrichedTick));
      // One byte short or one byte long: the next body's bytes are not this one's.
      assert.equal(d.decode(data, at, at + b.length - 1), undefined, `body ${i} cut short`);
      if (i < bodies.length - 1) assert.equal(d.decode(data, at, at + b.length + 1), undefined, `body ${i} with a byte of the next`);
      at += b.length;
    }
  });

  it('hands out the same string instance for the same bytes (interned), and the object is reused', () => {
    const d = new FastEnrichedTickDecoder();
    const a = decodeAll(d, body(tick({ exchange: 'Börse Frankfurt' })), 0)!;
    const exchange = a.exchange;
    const b = decodeAll(d, body(tick({ exchange: 'Börse ' + 'Frankfurt' })), 0)!;
    assert.equal(b, a, 'one reused object');
    assert.equal(b.exchange, 'Börse Frankfurt');
    assert.ok(Object.is(b.exchange, exchange));
  });
});

/** Zig-zag varint of a bigint, for values past what a JavaScript number holds exactly. */
function zigZag(v: bigint): Buffer {
  let n = v >= 0n ? v * 2n : -v * 2n - 1n;
  const out: number[] = [];
  while (n >= 0x80n) {
    out.push(Number(n & 0x7fn) | 0x80);
    n >>= 7n;
  }
  out.push(Number(n));
  return Buffer.from(out);
}

/** Where field `name` starts in the body of `t`: the lengths of the fields before it. */
function offsetOf(name: string, t: EnrichedTick): number {
  let at = 0;
  for (const f of (type as avsc.types.RecordType).fields) {
    if (f.name === name) return at;
    at += f.type.toBuffer((t as unknown as Record<string, unknown>)[f.name]).length;
  }
  throw new Error(`no field ${name}`);
}

describe('layoutMatches', () => {
  it('accepts the repo schema (so the sink takes the fast path) and refuses an evolved one', () => {
    const { layout } = new FastEnrichedTickDecoder();
    assert.equal(layoutMatches(type, layout), true);
    assert.equal(layoutMatches(evolvedType, layout), false);
  });
});

describe('EnrichedTickReader', () => {
  it('reads records of its own schema fast (after the first), others the generic way, all equal to their source', async () => {
    const reader = new EnrichedTickReader(new AvroDeserializer<EnrichedTick>(registry, type));
    assert.equal(reader.fastPathEnabled, true);
    const rows = manyRows(5);
    const first = await reader.read(frame(1, body(rows[0]!)));
    assert.deepEqual(plain(first), rows[0]);
    const second = reader.read(frame(1, body(rows[1]!)));
    assert.ok(!(second instanceof Promise), 'synchronous once the schema id is known');
    assert.deepEqual(plain(second), rows[1]);
    assert.equal(reader.read(frame(1, body(rows[2]!))), second, 'the fast decoder reuses its object');
    // The evolved writer schema: resolved by the generic path, every time.
    const evolved = { ...rows[3]!, note: 'hello' };
    const e1 = await reader.read(frame(2, evolvedType.toBuffer(evolved)));
    const e2 = await reader.read(frame(2, evolvedType.toBuffer({ ...rows[4]!, note: '' })));
    assert.deepEqual(plain(e1), rows[3]);
    assert.deepEqual(plain(e2), rows[4]);
    assert.notEqual(e1, e2);
  });

  it('leaves bad values to the generic path, which names the reason', async () => {
    const reader = new EnrichedTickReader(new AvroDeserializer<EnrichedTick>(registry, type));
    await reader.read(frame(1, body(tick())));
    assert.throws(() => reader.read(frame(1, Buffer.from([1, 2, 3]))), (e: unknown) => e instanceof DecodeError && e.reason === 'avro_decode_error');
    assert.throws(() => reader.read(Buffer.from('{"json": true}')), (e: unknown) => e instanceof DecodeError && e.reason === 'not_framed');
    await assert.rejects(Promise.resolve().then(() => reader.read(frame(77, body(tick())))), (e: unknown) => e instanceof DecodeError && e.reason === 'unknown_schema_id');
  });

  it('reads values where they lie in a batch buffer (readAt): fast, generic and bad ones, and null', async () => {
    const reader = new EnrichedTickReader(new AvroDeserializer<EnrichedTick>(registry, type));
    const rows = manyRows(4);
    const values = [frame(1, body(rows[0]!)), frame(1, body(rows[1]!)), frame(2, evolvedType.toBuffer({ ...rows[2]!, note: 'x' })), frame(1, Buffer.from([1, 2, 3])), frame(1, body(rows[3]!))];
    const data = Buffer.concat(values);
    const spans: [number, number][] = [];
    for (let at = 0, i = 0; i < values.length; at += values[i]!.length, i++) spans.push([at, at + values[i]!.length]);
    assert.deepEqual(plain(await reader.readAt(data, ...spans[0]!)), rows[0], 'first of its schema id: generic');
    const fast = reader.readAt(data, ...spans[1]!);
    assert.ok(!(fast instanceof Promise));
    assert.deepEqual(plain(fast), rows[1]);
    assert.deepEqual(plain(await reader.readAt(data, ...spans[2]!)), rows[2], 'evolved: generic, from its own bytes only');
    assert.throws(() => reader.readAt(data, ...spans[3]!), (e: unknown) => e instanceof DecodeError && e.reason === 'avro_decode_error');
    assert.deepEqual(plain(reader.readAt(data, ...spans[4]!) as EnrichedTick), rows[3], 'the last one, to the end of the buffer');
    await assert.rejects(Promise.resolve().then(() => reader.readAt(data, -1, -1)), (e: unknown) => e instanceof DecodeError, 'a null value');
  });
});
