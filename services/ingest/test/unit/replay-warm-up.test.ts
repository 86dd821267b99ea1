import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsvFileBatches } from '../../src/source/csv-file-source.js';
import { tmpdir } from 'node:os';
import { warmUpCsv, warmUpReplay } from '../../src/source/replay-warm-up.js';

test('the warm-up file is of the public format: every row reads as a tick, one in 97 all null', async () => {
  const text = warmUpCsv(1000);
  const lines = text.trimEnd().split('\n');
  assert.equal(lines[0], 'Index,Date,Open,High,Low,Close,Adj Close,Volume');
  assert.equal(lines.length, 1001);
  for (const line of lines.slice(1)) assert.match(line, /^[^,]+,\d{4}-\d{2}-\d{2}(,(null|\d+\.\d{6})){5},(null|\d+)$/);
  assert.equal(lines.filter((l) => l.endsWith(',null,null,null,null,null,null')).length, Math.ceil(1000 / 97));
  const path = join(mkdtempSync(join(tmpdir(), 'warm-up-test-')), 'w.csv');
  writeFileSync(path, text);
  const kinds = new Map<string, number>();
  for await (const batch of readCsvFileBatches(path, { order: 'date' })) for (const item of batch) kinds.set(item.kind, (kinds.get(item.kind) ?? 0) + 1);
  assert.deepEqual([...kinds], [['tick', 1000]]);
});

const leftovers = () => readdirSync(tmpdir()).filter((f) => f.startsWith('stockstream-warm-up-'));

test('warmUpReplay reads every synthetic row in date order and removes its file', async () => {
  const before = leftovers().length;
  assert.equal(await warmUpReplay(() => false, 3000), 3000);
  assert.equal(leftovers().length, before);
});

test('warmUpReplay stops at the next batch once told to, and does nothing when told before it starts', async () => {
  let calls = 0;
  const seen = await warmUpReplay(() => ++calls > 2, 12_000);
  assert.ok(seen > 0 && seen < 12_000, `stopped early: ${seen}`);
  assert.equal(await warmUpReplay(() => true, 12_000), 0);
});
