import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadIndexReference } from '@stockstream/enrichment/dist/src/reference/index-reference.js';
import { VALIDATION_REASONS } from '@stockstream/enrichment/dist/src/validation/rejection.js';
import { readCsvFileBatches } from '@stockstream/ingest/dist/src/source/csv-file-source.js';
import { enrichmentContext, itemOutcome, recordOfLine } from '../../src/expected-outcome.js';
import { BAD_ROWS, NO_FX_INDEX, chaosInput } from '../../src/input-file.js';

describe('chaos input', () => {
  it('is a function of the seed', () => {
    assert.deepEqual(chaosInput(5, 2000, 2), chaosInput(5, 2000, 2));
    assert.notDeepEqual(chaosInput(5, 2000, 2).lines, chaosInput(6, 2000, 2).lines);
  });

  it('covers every CSV-reachable reason: all of ingest, every validation rule but the two Avro cannot carry, no_fx_rate', () => {
    const reasons = new Set(BAD_ROWS.map((r) => r.reason));
    for (const r of ['column_count', 'invalid_number', 'invalid_date', 'missing_index', 'invalid_volume', 'csv_syntax', 'no_fx_rate']) assert.ok(reasons.has(r), r);
    // invalid_date/invalid_volume of the enrichment: an Avro int date is whole and an Avro long volume is whole (ingest rejects both first);
    // non_finite_price: a CSV number is finite (ingest says invalid_number), so the chaos run sends it as an Avro poison message.
    const viaCsv = VALIDATION_REASONS.filter((r) => !['invalid_date', 'invalid_volume', 'non_finite_price'].includes(r));
    for (const r of viaCsv) assert.ok(BAD_ROWS.some((b) => b.stage === 'ENRICHMENT' && b.reason === r), r);
  });

  it('a fault-free reading gives every injected row its own reason and enriches every generated row', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chaos-input-'));
    try {
      const input = chaosInput(11, 3000, 2);
      const file = join(dir, 'in.csv');
      await writeFile(file, input.lines.join('\n') + '\n');
      const ctx = enrichmentContext(new Map([...loadIndexReference(), [NO_FX_INDEX.index, NO_FX_INDEX]]), Date.parse('2026-12-01'));
      let enriched = 0;
      const dead: string[] = [];
      for await (const batch of readCsvFileBatches(file, { order: 'file' })) {
        for (const item of batch) {
          const r = itemOutcome(item, ctx);
          if (r.enriched) enriched++;
          else dead.push(`${r.deadLetter!.stage}|${r.deadLetter!.reason}|${r.deadLetter!.record}`);
        }
      }
      assert.equal(enriched, 3000);
      assert.equal(input.injected.length, BAD_ROWS.length * 2);
      assert.deepEqual(dead.sort(), input.injected.map((i) => `${i.stage}|${i.reason}|${recordOfLine('in.csv', i.line)}`).sort());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
