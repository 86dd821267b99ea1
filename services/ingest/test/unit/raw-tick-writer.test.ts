import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import avsc from 'avsc';
import type { RawTick } from '@stockstream/common';
import { isRawTickType, rawTickBodyWriter } from '../../src/source/raw-tick-writer.js';

// Compiled to dist/test/unit/: the schemas stay at the repository's root.
const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../../../../../schemas/raw-tick.avsc', import.meta.url)), 'utf8')) as avsc.Schema;
const type = avsc.Type.forSchema(schema);

const base: RawTick = {
  index: 'NYA',
  date: -1462,
  open: 528.690002,
  high: null,
  low: -0,
  close: 1e300,
  adjClose: -5e-324,
  volume: 15398500000,
  sourceCloseUsd: null,
  source: { kind: 'FILE', name: 'indexData.csv', line: 7 },
  ingestedAt: 1_700_000_000_123,
};

const variants: RawTick[] = [
  base,
  { ...base, open: null, close: null, adjClose: null, volume: null, sourceCloseUsd: 333.879 },
  { ...base, volume: 0, date: 0 },
  { ...base, volume: -9007199254740990, date: 2_147_483_647 },
  { ...base, volume: 9007199254740990, date: -2_147_483_648 },
  { ...base, volume: 1073741823 },
  { ...base, volume: 1073741824 },
  { ...base, volume: -1073741824 },
  { ...base, volume: -1073741825 },
  { ...base, index: '', source: { kind: 'GENERATOR', name: 'seed-1', line: 0 } },
  { ...base, index: 'X'.repeat(200), source: { kind: 'FILE', name: 'n'.repeat(9000), line: 2 ** 40 } },
  { ...base, index: 'NÉA', source: { kind: 'FILE', name: 'données.csv', line: 1 } }, // not ASCII: avsc writes it
  { ...base, ingestedAt: -1 },
];

test('the type of schemas/raw-tick.avsc is RawTick; other types are not', () => {
  assert.equal(isRawTickType(type), true);
  const fields = (schema as { fields: unknown[] }).fields;
  assert.equal(isRawTickType(avsc.Type.forSchema({ ...(schema as object), fields: [...fields, { name: 'x', type: 'int', default: 0 }] } as avsc.Schema)), false);
  assert.equal(isRawTickType(avsc.Type.forSchema(schema, { wrapUnions: true })), false);
  assert.equal(rawTickBodyWriter(avsc.Type.forSchema({ type: 'record', name: 'X', fields: [{ name: 'a', type: 'int' }] })), undefined);
});

test('bodies byte for byte as avsc writes them', () => {
  const write = rawTickBodyWriter(type);
  assert.ok(write);
  for (const tick of variants) {
    const expected = type.toBuffer(tick);
    const buf = Buffer.alloc(expected.length + 40, 0xee);
    const end = write(buf, 3, tick);
    assert.equal(end, 3 + expected.length, JSON.stringify(tick).slice(0, 80));
    assert.deepEqual(buf.subarray(3, end), expected, JSON.stringify(tick).slice(0, 80));
  }
});

test('without room, minus what is missing, as avsc says', () => {
  const write = rawTickBodyWriter(type)!;
  for (const size of [0, 10, 60, type.toBuffer(base).length - 1]) {
    assert.equal(write(Buffer.alloc(size), 0, base), type.encode(base, Buffer.alloc(size), 0), `size ${size}`);
  }
});

test('invalid values throw as avsc throws them', () => {
  const write = rawTickBodyWriter(type)!;
  for (const bad of [
    { ...base, open: '1' },
    { ...base, date: 1.5 },
    { ...base, volume: 1.5 },
    { ...base, volume: 2 ** 60 },
    { ...base, index: 5 },
    { ...base, source: { ...base.source, kind: 'OTHER' } },
    { ...base, source: null },
    { ...base, ingestedAt: undefined },
  ]) {
    let expected: unknown;
    assert.throws(() => type.encode(bad, Buffer.alloc(500), 0), (e) => ((expected = e), true));
    assert.throws(() => write(Buffer.alloc(500), 0, bad), (e) => (assert.deepEqual(e, expected), true), JSON.stringify(bad).slice(0, 80));
  }
});
