import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import avsc from 'avsc';
import type { RawTick } from '@stockstream/common';
import { BatchEncoder, type EncodedBatch } from '../../src/source/encoded-batches.js';
import type { SourceItem } from '../../src/source/csv-file-source.js';
import { longBytes, restamp } from '../../src/source/ingested-at.js';

// Compiled to dist/test/unit/: the schemas stay at the repository's root.
const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../../../../../schemas/raw-tick.avsc', import.meta.url)), 'utf8')) as avsc.Schema;
const type = avsc.Type.forSchema(schema);
const ENCODED_AT = 1_700_000_000_000;

const tick = (index: string, line: number, extra: Partial<RawTick> = {}): SourceItem => ({
  kind: 'tick',
  tick: {
    index, date: -1462 + line, open: 528.69 + line, high: null, low: 1, close: 2, adjClose: 2, volume: line * 1000, sourceCloseUsd: null,
    source: { kind: 'FILE', name: 'indexData.csv', line }, ingestedAt: 0, ...extra,
  },
});
const rejected: SourceItem = { kind: 'rejected', line: 3, text: 'NYA,x', reason: 'column_count', message: 'expected 8 fields, got 2', file: 'indexData.csv' };
const items: SourceItem[] = [tick('NYA', 2), rejected, tick('000001.SS', 4, { index: 'IXIC', volume: null }), tick('HSI', 5)];

function encode(t: avsc.Type, all: SourceItem[] = items): EncodedBatch {
  const encoder = new BatchEncoder(t, 7, () => ENCODED_AT);
  assert.deepEqual(encoder.add(all), []);
  return encoder.finish()!;
}

/** The batch's values decoded with `t` (undefined for a rejected row's empty value). */
function decoded(batch: EncodedBatch, t: avsc.Type = type): (Record<string, unknown> | undefined)[] {
  const out: (Record<string, unknown> | undefined)[] = [];
  let start = 0;
  for (let i = 0; i < batch.count; i++) {
    const end = batch.ends[i]!;
    out.push(end === start ? undefined : (structuredClone(t.fromBuffer(Buffer.from(batch.bytes.subarray(start + 5, end)))) as Record<string, unknown>)); // plain objects
    start = end;
  }
  return out;
}

test('the ticks of a batch share one stamp, taken when its first tick is encoded', () => {
  const batch = encode(type);
  assert.equal(batch.stampedAt, ENCODED_AT);
  assert.equal(batch.restampable, true);
  assert.deepEqual(decoded(batch).map((t) => t?.['ingestedAt']), [ENCODED_AT, undefined, ENCODED_AT, ENCODED_AT]);
});

test('restamp rewrites every tick\'s ingestedAt in place, and nothing else', () => {
  const batch = encode(type);
  const before = decoded(batch);
  const later = ENCODED_AT + 987_654;
  assert.equal(restamp(batch, later), true);
  assert.equal(batch.stampedAt, later);
  const after = decoded(batch);
  assert.deepEqual(after, before.map((t) => (t === undefined ? undefined : { ...t, ingestedAt: later })));
  assert.equal(batch.ends[1], batch.ends[0], 'the rejected row still has no value');
  assert.equal(restamp(batch, later), true, 'the same stamp again: nothing to do');
  assert.deepEqual(decoded(batch), after);
});

test('a stamp of another size leaves the batch as it is', () => {
  const batch = encode(type);
  const bytes = Buffer.from(batch.bytes);
  assert.equal(restamp(batch, 5), false);
  assert.equal(batch.stampedAt, ENCODED_AT);
  assert.deepEqual(Buffer.from(batch.bytes), bytes);
});

test('values of a type that is not RawTick\'s (ingestedAt not last) keep their stamp', () => {
  const evolved = avsc.Type.forSchema({
    ...(schema as { fields: unknown[] }),
    fields: [...(schema as { fields: unknown[] }).fields, { name: 'note', type: ['null', 'string'], default: null }],
  } as avsc.Schema);
  const batch = encode(evolved);
  assert.equal(batch.restampable, false);
  const bytes = Buffer.from(batch.bytes);
  assert.equal(restamp(batch, ENCODED_AT + 1), false);
  assert.deepEqual(Buffer.from(batch.bytes), bytes);
  assert.deepEqual(decoded(batch, evolved).map((t) => t?.['ingestedAt']), [ENCODED_AT, undefined, ENCODED_AT, ENCODED_AT]);
});

test('a tick that does not fit its batch opens the next one with the stamp it was encoded with', () => {
  let clock = ENCODED_AT;
  const encoder = new BatchEncoder(type, 7, () => clock++);
  const big = (line: number) => tick('NYA', line, { source: { kind: 'FILE', name: 'n'.repeat(40_000), line } });
  const done = encoder.add([big(1), big(2)]);
  assert.equal(done.length, 1);
  const second = encoder.finish()!;
  assert.equal(done[0]!.stampedAt, ENCODED_AT);
  assert.equal(second.stampedAt, ENCODED_AT, 'the second tick was encoded (and stamped) before the first batch was full');
  assert.deepEqual(decoded(second).map((t) => t?.['ingestedAt']), [ENCODED_AT]);
  assert.equal(restamp(second, ENCODED_AT + 10), true);
  assert.deepEqual(decoded(second).map((t) => t?.['ingestedAt']), [ENCODED_AT + 10]);
});

test('longBytes is the Avro long avsc writes', () => {
  const long = avsc.Type.forSchema('long');
  for (const n of [0, 1, -1, 63, 64, -65, 1_700_000_000_000, 2 ** 41 - 1, 2 ** 41, -(2 ** 50), Number.MAX_SAFE_INTEGER - 1]) {
    assert.deepEqual(Buffer.from(longBytes(n)), long.toBuffer(n), String(n));
  }
});
