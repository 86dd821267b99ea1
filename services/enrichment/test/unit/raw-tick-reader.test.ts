import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import avsc from 'avsc';
import { AvroDeserializer, DecodeError, frame, layoutMatches, loadSchema, type RawTick, type SchemaRegistryClient } from '@stockstream/common';
import { FastRawTickDecoder, RawTickReader } from '../../src/decode/raw-tick-reader.js';

const schema = loadSchema('rawTick') as { fields: unknown[] };
const type = avsc.Type.forSchema(schema as avsc.Schema);
const evolvedType = avsc.Type.forSchema({ ...schema, fields: [...schema.fields, { name: 'note', type: 'string', default: '' }] } as avsc.Schema);
const registry = { writerType: async (id: number) => (id === 1 ? type : evolvedType) } as unknown as SchemaRegistryClient;

const base: RawTick = {
  index: 'NYA', date: -1462, open: 528.690002, high: 530.5, low: -0, close: 1e300, adjClose: -5e-324, volume: 15398500000, sourceCloseUsd: null,
  source: { kind: 'FILE', name: 'indexData.csv', line: 7 }, ingestedAt: 1_700_000_000_123,
};
const variants: RawTick[] = [
  base,
  { ...base, open: null, high: null, low: null, close: null, adjClose: null, volume: null, sourceCloseUsd: 333.879 },
  { ...base, open: Number.NaN, high: Number.POSITIVE_INFINITY, volume: -4503599627370496, date: 2_147_483_647 },
  { ...base, volume: 4503599627370496, date: -2_147_483_648, ingestedAt: -1 },
  { ...base, index: '', source: { kind: 'GENERATOR', name: '', line: 0 } },
  { ...base, index: 'NÉA', source: { kind: 'FILE', name: 'données-上海.csv', line: 2 ** 40 } },
];
const plain = (t: RawTick): RawTick => ({ ...t, source: { ...t.source } });

/** A body that runs to the end of its buffer. */
const decodeAll = (d: FastRawTickDecoder, buf: Buffer, from: number) => d.decode(buf, from, buf.length);

describe('FastRawTickDecoder', () => {
  it('has the layout of schemas/raw-tick.avsc, not of an evolved one', () => {
    const { layout } = new FastRawTickDecoder();
    assert.equal(layoutMatches(type, layout), true);
    assert.equal(layoutMatches(evolvedType, layout), false);
  });

  it('decodes what avsc encodes, nulls and edge values included, into a new object each time', () => {
    const d = new FastRawTickDecoder();
    let previous: RawTick | undefined;
    for (const t of variants) {
      const got = decodeAll(d, Buffer.concat([Buffer.from([7, 7]), type.toBuffer(t)]), 2);
      assert.ok(got);
      assert.deepEqual(got, plain(type.fromBuffer(type.toBuffer(t)) as RawTick));
      assert.notEqual(got, previous);
      previous = got;
    }
  });

  it('gives up (undefined) on bodies that are not one tick of its layout', () => {
    const d = new FastRawTickDecoder();
    const good = type.toBuffer(base);
    assert.equal(decodeAll(d, good.subarray(0, good.length - 3), 0), undefined, 'truncated');
    assert.equal(decodeAll(d, Buffer.concat([good, Buffer.from([1])]), 0), undefined, 'trailing byte');
    const badBranch = Buffer.from(good);
    const openAt = 1 + 3 + good.subarray(4).indexOf(2); // after "NYA" and the date: the open's union branch (zig-zag 1 = 2)
    badBranch[openAt] = 4; // branch 2 does not exist
    assert.throws(() => type.fromBuffer(badBranch));
    assert.equal(decodeAll(d, badBranch, 0), undefined);
  });
});

describe('RawTickReader', () => {
  it('reads the raw schema fast after its first record, an evolved one the generic way, and names bad values', async () => {
    const reader = new RawTickReader(new AvroDeserializer<RawTick>(registry, type));
    assert.equal(reader.fastPathEnabled, true);
    assert.deepEqual(plain(await reader.read(frame(1, type.toBuffer(base)))), base);
    const second = reader.read(frame(1, type.toBuffer(variants[1]!)));
    assert.ok(!(second instanceof Promise));
    assert.deepEqual(second, variants[1]);
    assert.deepEqual(plain(await reader.read(frame(2, evolvedType.toBuffer({ ...base, note: 'x' })))), base);
    assert.throws(() => reader.read(frame(1, Buffer.from([1, 2]))), (e: unknown) => e instanceof DecodeError && e.reason === 'avro_decode_error');
    assert.throws(() => reader.read(Buffer.from('plain text')), (e: unknown) => e instanceof DecodeError && e.reason === 'not_framed');
  });
});
