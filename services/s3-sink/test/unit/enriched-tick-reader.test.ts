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

describe('FastEnrichedTickDecoder', () => {
  it('decodes what avsc encodes, field for field, edge values included', () => {
    const d = new FastEnrichedTickDecoder();
    // avsc encodes longs up to 2^52 only: the edge rows' larger ones are brought down to that.
    const cap = (v: number) => Math.min(v, 2 ** 52);
    const edges = edgeRows().map((t) => ({ ...t, volume: cap(t.volume), rawOffset: cap(t.rawOffset), source: { ...t.source, line: cap(t.source.line) } }));
    assert.ok(edges.every((t) => type.isValid(t)));
    for (const t of [...edges, ...manyRows(500), tick({ index: '', exchange: '', volume: -5, rawOffset: 2 ** 31, date: -25_000 })]) {
      const got = d.decode(Buffer.concat([Buffer.from([9, 9, 9]), body(t)]), 3);
      assert.ok(got, `decoded ${t.index}`);
      assert.deepEqual(plain(got), plain(type.fromBuffer(body(t)) as EnrichedTick));
    }
  });

  it('gives up (undefined) on bodies that are not one tick of its layout', () => {
    const d = new FastEnrichedTickDecoder();
    const good = body(tick());
    assert.equal(d.decode(good.subarray(0, good.length - 1), 0), undefined, 'truncated');
    assert.equal(d.decode(Buffer.concat([good, Buffer.from([0])]), 0), undefined, 'trailing byte');
    assert.equal(d.decode(Buffer.from([0x80, 0x80, 0x80]), 0), undefined, 'varint running off the end');
    assert.equal(d.decode(Buffer.alloc(0), 0), undefined, 'empty');
    // A string whose length says more bytes than there are.
    assert.equal(d.decode(Buffer.from([0x7e, 0x41]), 0), undefined);
    // Enum index 2 (zig-zag 4) does not exist.
    const t = tick();
    const patched = Buffer.from(body(t));
    patched[offsetOf('source', t)] = 4;
    assert.throws(() => type.fromBuffer(patched), 'avsc refuses it too');
    assert.equal(d.decode(patched, 0), undefined);
    // An Avro long beyond 2^53 (here the volume, encoded as 0 = one byte) is not exact as a number: left to the generic path.
    const zero = tick({ volume: 0 });
    const at = offsetOf('volume', zero);
    const b0 = body(zero);
    const withVolume = (v: bigint) => d.decode(Buffer.concat([b0.subarray(0, at), zigZag(v), b0.subarray(at + 1)]), 0)?.volume;
    assert.equal(withVolume(2n ** 60n), undefined);
    assert.equal(withVolume(2n ** 53n + 1n), undefined);
    assert.equal(withVolume(-(2n ** 53n)), undefined);
    assert.equal(withVolume(2n ** 53n - 1n), 2 ** 53 - 1, 'up to 2^53 - 1: exact');
    assert.equal(withVolume(-(2n ** 52n)), -(2 ** 52));
    assert.equal(withVolume(-(2n ** 31n) - 3n), -(2 ** 31) - 3);
  });

  it('hands out the same string instance for the same bytes (interned), and the object is reused', () => {
    const d = new FastEnrichedTickDecoder();
    const a = d.decode(body(tick({ exchange: 'Börse Frankfurt' })), 0)!;
    const exchange = a.exchange;
    const b = d.decode(body(tick({ exchange: 'Börse ' + 'Frankfurt' })), 0)!;
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
});
