import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import avsc from 'avsc';
import type { RawTick } from '@stockstream/common';
import { BatchEncoder, type EncodedBatch } from '../../src/source/encoded-batches.js';
import type { SourceItem } from '../../src/source/csv-file-source.js';

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

test('the ticks of a batch share one stamp, taken when its first tick is encoded; a rejected row has no value', () => {
  const batch = encode(type);
  assert.deepEqual(decoded(batch).map((t) => t?.['ingestedAt']), [ENCODED_AT, undefined, ENCODED_AT, ENCODED_AT]);
  assert.equal(batch.ends[1], batch.ends[0]);
  assert.deepEqual(batch.rejected, [{ at: 1, item: rejected }]);
});

test('values of a type that is not RawTick\'s are encoded by that type', () => {
  const evolved = avsc.Type.forSchema({
    ...(schema as { fields: unknown[] }),
    fields: [...(schema as { fields: unknown[] }).fields, { name: 'note', type: ['null', 'string'], default: null }],
  } as avsc.Schema);
  assert.deepEqual(decoded(encode(evolved), evolved).map((t) => t?.['note']), [null, undefined, null, null]);
});

test('a tick that does not fit its batch opens the next one with the stamp it was encoded with', () => {
  let clock = ENCODED_AT;
  const encoder = new BatchEncoder(type, 7, () => clock++);
  const big = (line: number) => tick('NYA', line, { source: { kind: 'FILE', name: 'n'.repeat(40_000), line } });
  const done = encoder.add([big(1), big(2)]);
  assert.equal(done.length, 1);
  const second = encoder.finish()!;
  assert.deepEqual(decoded(done[0]!).map((t) => t?.['ingestedAt']), [ENCODED_AT]);
  assert.deepEqual(decoded(second).map((t) => t?.['ingestedAt']), [ENCODED_AT], 'the second tick was encoded (and stamped) before the first batch was full');
});
