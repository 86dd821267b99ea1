import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EnrichedTick, SourceKind } from '@stockstream/common';
import { JsonLinesRecordWriter, isoDate } from '../../src/format/json-lines-record-writer.js';
import { LAKE_COLUMNS } from '../../src/format/lake-columns.js';
import { edgeRows, manyRows, tick } from './support/ticks.js';
import { ColumnBatch } from '../../src/format/column-batch.js';

const MS_PER_DAY = 86_400_000;
const writer = new JsonLinesRecordWriter();

function lines(body: Buffer): Record<string, unknown>[] {
  const text = body.toString('utf8');
  assert.ok(text === '' || text.endsWith('\n'), 'every line ends with \\n');
  return text === '' ? [] : text.slice(0, -1).split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

function back(o: Record<string, unknown>): EnrichedTick {
  const day = (v: unknown) => Date.parse(`${v as string}T00:00:00Z`) / MS_PER_DAY;
  return {
    index: o.index as string, date: day(o.date), open: o.open as number, high: o.high as number, low: o.low as number, close: o.close as number,
    adjClose: o.adj_close as number, volume: o.volume as number, exchange: o.exchange as string, region: o.region as string, currency: o.currency as string,
    fxRate: o.fx_rate as number, fxEffectiveDate: day(o.fx_effective_date), closeUsd: o.close_usd as number,
    source: { kind: o.source_kind as SourceKind, name: o.source_name as string, line: o.source_line as number },
    rawTopic: o.raw_topic as string, rawPartition: o.raw_partition as number, rawOffset: o.raw_offset as number,
    ingestedAt: Date.parse(o.ingested_at as string), enrichedAt: Date.parse(o.enriched_at as string),
    fxSource: o.fx_source as string | null,
  };
}

describe('JsonLinesRecordWriter', () => {
  it('writes one object per line with the lake columns, in order', async () => {
    const [o] = lines(await writer.write(ColumnBatch.of([tick()])));
    assert.deepEqual(Object.keys(o!), LAKE_COLUMNS.map((c) => c.name));
    assert.equal(writer.extension, 'jsonl');
    assert.equal(writer.contentType, 'application/x-ndjson');
  });

  it('writes dates and timestamps as ISO strings (UTC)', async () => {
    const [o] = lines(await writer.write(ColumnBatch.of([edgeRows()[1]!])));
    assert.equal(o!.date, '1965-01-04');
    assert.equal(o!.fx_effective_date, '1900-01-01');
    assert.equal(o!.ingested_at, '1969-12-31T23:59:59.999Z');
    assert.equal(o!.enriched_at, '1970-01-01T00:00:00.000Z');
    assert.equal(o!.source_kind, 'GENERATOR');
  });

  it('parses back to exactly the rows written, newlines and quotes in strings included', async () => {
    const rows = edgeRows();
    assert.deepEqual(lines(await writer.write(ColumnBatch.of(rows))).map(back), rows);
  });

  it('writes nothing for zero rows', async () => {
    assert.equal((await writer.write(ColumnBatch.of([]))).length, 0);
  });

  it('isoDate formats epoch days before and after 1970', () => {
    assert.equal(isoDate(0), '1970-01-01');
    assert.equal(isoDate(-1), '1969-12-31');
    assert.equal(isoDate(10_957), '2000-01-01');
  });

  it('writeMany gives, per file and in order, the bytes write() gives', async () => {
    const files = [manyRows(50), [], edgeRows(), [tick()]];
    const bodies = await writer.writeMany((files).map(ColumnBatch.of));
    assert.equal(bodies.length, files.length);
    for (const [i, rows] of files.entries()) assert.deepEqual(bodies[i], await writer.write(ColumnBatch.of(rows)));
  });
});
