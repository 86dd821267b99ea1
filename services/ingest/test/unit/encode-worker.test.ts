import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import avsc from 'avsc';
import type { RawTick } from '@stockstream/common';
import { formatDate } from '@stockstream/common/dates';
import type { IngestCommand } from '../../src/cli/args.js';
import { itemBatches } from '../../src/sources.js';
import { EncodeWorker, WINDOW, type EncodedBatch } from '../../src/source/encoded-batches.js';

// Compiled to dist/test/unit/: fixtures and schemas stay in the sources.
const fixture = fileURLToPath(new URL('../../../test/fixtures/grouped-by-index.csv', import.meta.url));
const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../../../../../schemas/raw-tick.avsc', import.meta.url)), 'utf8')) as avsc.Schema;
const type = avsc.Type.forSchema(schema);
const workerUrl = new URL('../../src/source/encode-worker.js', import.meta.url);
const command: IngestCommand = { mode: 'replay', file: fixture, order: 'date', pace: { kind: 'max' }, loop: false, resume: false };

/** What the batches say, item by item: a tick's fields but ingestedAt, or a rejection. */
function outline(batches: EncodedBatch[]): unknown[] {
  const keys: string[] = [];
  const out: unknown[] = [];
  for (const b of batches) {
    keys.push(...b.newKeys);
    let r = 0;
    for (let i = 0; i < b.count; i++) {
      if (b.rejected[r]?.at === i) {
        const { line, reason } = b.rejected[r++]!.item;
        out.push({ line, reason });
        continue;
      }
      const start = i === 0 ? 0 : b.ends[i - 1]!;
      const tick = type.fromBuffer(Buffer.from(b.bytes.subarray(start + 5, b.ends[i]))) as RawTick;
      assert.equal(keys[b.keys[i]!], tick.index);
      out.push({ ...tick, source: { ...tick.source }, ingestedAt: 0 }); // plain objects, as the source makes them
    }
  }
  return out;
}

async function collect(batches: AsyncIterable<EncodedBatch>): Promise<EncodedBatch[]> {
  const all: EncodedBatch[] = [];
  for await (const b of batches) all.push(b);
  return all;
}

test('a worker started ahead reads, in date order, what the source gives', async () => {
  const worker = new EncodeWorker(workerUrl, command);
  await new Promise((resolve) => setTimeout(resolve, 50)); // started well before its use
  const got = outline(await collect(worker.batches({ schema, schemaId: 3 })));
  const expected: unknown[] = [];
  for await (const items of itemBatches(command)) {
    for (const item of items) expected.push(item.kind === 'tick' ? { ...item.tick, ingestedAt: 0 } : { line: item.line, reason: item.reason });
  }
  assert.equal(got.length, 12);
  assert.deepEqual(got, expected);
  await worker.close(); // used: nothing to do
});

test('a worker begun before its batches are asked for fills its window, no more, then gives everything in order, stamped when handed over', async () => {
  const count = (WINDOW + 20) * 512; // more than the window holds
  const simulate: IngestCommand = { mode: 'simulate', seed: 5, count, startDate: undefined, pace: { kind: 'max' }, resume: false };
  const worker = new EncodeWorker(workerUrl, simulate);
  const begun = Date.now();
  worker.begin({ schema, schemaId: 3 });
  const deadline = Date.now() + 20_000;
  while (worker.readyBatches < WINDOW && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(worker.readyBatches, WINDOW, 'the window filled while nobody read');
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(worker.readyBatches, WINDOW, 'and stayed bounded');
  const handedOver = Date.now();
  assert.ok(handedOver - begun >= 200);
  const batches = await collect(worker.batches({ schema, schemaId: 3 }));
  const got = outline(batches);
  const expected: unknown[] = [];
  for await (const items of itemBatches(simulate)) for (const item of items) if (item.kind === 'tick') expected.push({ ...item.tick, ingestedAt: 0 });
  assert.equal(got.length, count);
  assert.deepEqual(got, expected);
  // Encoded at least 200 ms before publishing, yet stamped when handed over.
  const first = type.fromBuffer(Buffer.from(batches[0]!.bytes.subarray(5, batches[0]!.ends[0]))) as RawTick;
  assert.ok(first.ingestedAt >= handedOver, `ingestedAt ${first.ingestedAt} is the hand-over time (>= ${handedOver}), not the encoding's`);
  assert.equal(first.ingestedAt, batches[0]!.stampedAt);
});

test('a worker begun and never read ends on close()', async () => {
  const worker = new EncodeWorker(workerUrl, command);
  worker.begin({ schema, schemaId: 3 });
  await worker.close();
  await worker.close();
});

test('a worker never used ends on close()', async () => {
  const worker = new EncodeWorker(workerUrl, command);
  await worker.close();
  await worker.close();
});

test('a file the worker cannot plan fails the stream with the planning error, once read', async () => {
  const worker = new EncodeWorker(workerUrl, { ...command, file: fixture + '.missing' });
  await new Promise((resolve) => setTimeout(resolve, 50)); // pass 1 fails before the reading starts
  await assert.rejects(collect(worker.batches({ schema, schemaId: 3 })), { message: /ENOENT: no such file.*grouped-by-index.csv.missing/ });
});

test('a source failing mid-way, before publishing started: what it read before the failure comes first, then its error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'encode-worker-'));
  const file = join(dir, 'cut.csv');
  const rows = 3_000; // 5 batches of 512 and a partial one, all held until publishing starts
  const lines = ['Index,Date,Open,High,Low,Close,Adj Close,Volume'];
  for (let i = 0; i < rows; i++) lines.push(`NYA,${formatDate(10_000 + i)},1.5,2.5,1.25,2,2,${i}`);
  // A quote left open for more than a megabyte: the reader gives up there (csv-reader.ts, MAX_RECORD_BYTES).
  writeFileSync(file, lines.join('\n') + '\nNYA,"' + 'x'.repeat(1_100_000) + '\n');
  try {
    const worker = new EncodeWorker(workerUrl, { ...command, file, order: 'file' });
    worker.begin({ schema, schemaId: 3 });
    const deadline = Date.now() + 20_000;
    while (worker.readyBatches < 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    const got: EncodedBatch[] = [];
    await assert.rejects(
      (async () => {
        for await (const b of worker.batches({ schema, schemaId: 3 })) got.push(b);
      })(),
      { message: /^line 3002: a record longer than 1048576 bytes; the file is corrupt \(unbalanced quote\?\)$/ },
    );
    const ticks = outline(got) as RawTick[];
    assert.equal(ticks.length, rows, 'every row before the failure was handed over, before the error');
    assert.deepEqual(ticks.map((t) => t.volume), Array.from({ length: rows }, (_, i) => i));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
