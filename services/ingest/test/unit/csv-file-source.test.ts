import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { datasetFile } from '@stockstream/common/testing';
import { fileURLToPath } from 'node:url';
import type { RawTick } from '@stockstream/common';
import { readCsvFile, type ReadOrder, type SourceItem } from '../../src/source/csv-file-source.js';
import { CsvLayoutError } from '../../src/source/csv-layout.js';
import { TooManyRunsError } from '../../src/source/date-runs.js';
import { formatDate, parseDate } from '@stockstream/common/dates';

// Compiled to dist/test/unit/: the fixtures stay in test/fixtures/.
const fixture = (name: string) => fileURLToPath(new URL(`../../../test/fixtures/${name}`, import.meta.url));
// The public data set (STOCKSTREAM_DATASETS; outside the repository, absent on a user's machine).
const dataset = (name: string) => datasetFile(name).path;

const now = () => 5;
const orders: ReadOrder[] = ['file', 'date'];

async function read(path: string, order: ReadOrder, maxRuns?: number): Promise<SourceItem[]> {
  const items: SourceItem[] = [];
  for await (const item of readCsvFile(path, { order, now, ...(maxRuns === undefined ? {} : { maxRuns }) })) items.push(item);
  return items;
}

const ticks = (items: SourceItem[]): RawTick[] => items.flatMap((i) => (i.kind === 'tick' ? [i.tick] : []));
const rejections = (items: SourceItem[]) => items.flatMap((i) => (i.kind === 'rejected' ? [i] : []));
/** "line reason" per item, `tick` for ticks: a compact picture of a whole read. */
const outline = (items: SourceItem[]) => items.map((i) => (i.kind === 'tick' ? `${i.tick.source.line} tick` : `${i.line} ${i.reason}`));

for (const order of orders) {
  test(`${order} order: BOM, CRLF, DD/MM/YYYY dates, blank and empty trailing rows`, async () => {
    const items = await read(fixture('bom-crlf-ddmmyyyy.csv'), order);
    assert.deepEqual(outline(items), ['2 tick', '3 tick', '4 tick', '6 tick', '7 tick']);
    const all = ticks(items);
    assert.deepEqual(all.map((t) => formatDate(t.date)), ['1986-12-31', '1987-01-01', '1987-01-02', '1987-01-05', '1987-01-06']);
    assert.deepEqual(all[0], {
      index: 'HSI',
      date: parseDate('1986-12-31'),
      open: 2568.300049,
      high: 2568.300049,
      low: 2568.300049,
      close: 2568.300049,
      adjClose: 2568.300049,
      volume: 0,
      sourceCloseUsd: null,
      source: { kind: 'FILE', name: 'bom-crlf-ddmmyyyy.csv', line: 2 },
      ingestedAt: 5,
    });
    assert.deepEqual([all[1]!.open, all[1]!.volume], [null, null]);
    assert.equal(all[4]!.volume, 1250000);
  });

  test(`${order} order: processed file with float volumes and CloseUSD`, async () => {
    const all = ticks(await read(fixture('processed-hsi.csv'), order));
    assert.deepEqual(
      all.map((t) => [t.source.line, formatDate(t.date), t.volume, t.sourceCloseUsd]),
      [
        [2, '1986-12-31', 0, 333.87900637],
        [3, '1987-01-02', 0, 330.21301274],
        [4, '2009-12-31', 1183246400, 2843.425],
      ],
    );
  });

  test(`${order} order: malformed lines become rejections with their line and text`, async () => {
    const items = await read(fixture('malformed.csv'), order);
    assert.deepEqual(outline(items), [
      '2 tick',
      '3 column_count',
      '4 invalid_number',
      '5 invalid_date',
      '6 missing_index',
      '7 invalid_volume',
      '9 invalid_number',
      '10 column_count',
      '11 tick',
      '12 invalid_number',
      '13 tick',
      '14 invalid_number',
      '15 tick',
    ]);
    const byLine = new Map(rejections(items).map((r) => [r.line, r]));
    assert.deepEqual(byLine.get(3), {
      kind: 'rejected',
      line: 3,
      text: 'NYA,1966-01-04,527.84,527.84,527.84',
      reason: 'column_count',
      message: 'expected 8 fields, got 5',
      file: 'malformed.csv',
    });
    assert.equal(byLine.get(4)?.message, 'column High: "abc" is not a number');
    assert.equal(byLine.get(7)?.text, 'NYA,1966-01-07,532,532,532,532,532,12.5');
    assert.equal(byLine.get(9)?.message, 'column Open: "1e" is not a number');
    assert.equal(byLine.get(12)?.message, 'column Open: "0x1F" is not a number');
    assert.equal(byLine.get(14)?.message, 'column Open: "5\\"33" is not a number');
    assert.equal(byLine.get(14)?.text, 'NYA,1966-01-17,5"33,533,533,533,533,0');
    const good = ticks(items);
    assert.deepEqual(good[1]!.close, null);
    assert.deepEqual([formatDate(good[2]!.date), good[2]!.volume], ['1966-01-14', 100]); // quoted date
  });

  test(`${order} order: unbalanced quotes are rejected whole, nothing after them is lost`, async () => {
    const items = await read(fixture('unbalanced-quotes.csv'), order);
    assert.deepEqual(outline(items), ['2 tick', '3 csv_syntax', '7 tick', '8 csv_syntax']);
    const [spanning, unclosed] = rejections(items);
    assert.equal(
      spanning?.text,
      'NYA,"1966-01-04,527,527,527,527,527,0\r\nNYA,1966-01-05,528,528,528,528,528,0\r\n\nNYA,1966-01-06",529,529,529,529,529,0',
    );
    assert.match(spanning?.message ?? '', /lines 3-6 were read as one record/);
    assert.equal(unclosed?.text, 'NYA,"1966-01-10,531,531,531,531,531,0\nNYA,1966-01-11,532,532,532,532,532,0');
    assert.equal(unclosed?.message, 'a quote opened here is never closed');
  });

  test(`${order} order: a file without header, with missing columns, or empty`, async () => {
    await assert.rejects(read(fixture('no-header.csv'), order), (error: unknown) => {
      assert.ok(error instanceof CsvLayoutError);
      assert.equal(error.code, 'missing_header');
      assert.match(error.message, /^no-header\.csv: the file has no header row/);
      return true;
    });
    await assert.rejects(read(fixture('missing-columns.csv'), order), /missing-columns\.csv: header is missing column\(s\) Adj Close, Volume/);
    await assert.rejects(read(fixture('empty.csv'), order), /empty\.csv: no header row/);
    await assert.rejects(read(fixture('does-not-exist.csv'), order), /ENOENT/);
  });
}

test('file order keeps the file order of an index-grouped file', async () => {
  const items = await read(fixture('grouped-by-index.csv'), 'file');
  assert.deepEqual(
    items.map((i) => (i.kind === 'tick' ? i.tick.source.line : i.line)),
    [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
  );
});

test('date order merges the index groups: by date, then group; rejections stay in place', async () => {
  const items = await read(fixture('grouped-by-index.csv'), 'date');
  assert.deepEqual(outline(items), [
    '6 tick', // BBB 2019-12-31
    '2 tick', // AAA 2020-01-01
    '10 tick', // CCC 2020-01-01 (null prices)
    '3 tick', // AAA 2020-01-02
    '7 tick', // BBB 2020-01-02
    '8 invalid_date', // BBB, no date: right after the row before it in its group
    '11 tick', // CCC 2020-01-02
    '4 tick', // AAA 2020-01-03
    '9 tick', // BBB 2020-01-03
    '5 tick', // AAA 2020-01-06
    '12 invalid_number', // CCC 2020-01-06
    '13 tick', // CCC 2020-01-07 (last line, no line end)
  ]);
  assert.equal(rejections(items)[0]?.text, 'BBB,2020-13-01,20.8,21,20,20.9,20.9,220');
  assert.deepEqual(
    ticks(items).filter((t) => t.index === 'CCC').map((t) => [t.source.line, t.close]),
    [[10, null], [11, 30.5], [13, 30.9]],
  );
});

test('date order refuses a file with more runs than allowed, before emitting anything', async () => {
  let emitted = 0;
  await assert.rejects(async () => {
    for await (const _ of readCsvFile(fixture('grouped-by-index.csv'), { order: 'date', maxRuns: 2 })) emitted++;
  }, TooManyRunsError);
  assert.equal(emitted, 0);
  assert.equal((await read(fixture('grouped-by-index.csv'), 'date', 3)).length, 12);
  assert.throws(() => readCsvFile(fixture('grouped-by-index.csv'), { order: 'date', maxRuns: 0 }), RangeError);
});

test('stopping early is fine in both orders', async () => {
  for (const order of orders) {
    let n = 0;
    for await (const _ of readCsvFile(fixture('grouped-by-index.csv'), { order })) if (++n === 3) break;
    assert.equal(n, 3);
  }
});

const indexData = dataset('indexData.csv');
const hasDataset = existsSync(indexData);

test('indexData.csv: every row in both orders; date order across indices, file order per index', { skip: !hasDataset && 'shared data set absent' }, async () => {
  const byOrder = new Map<ReadOrder, RawTick[]>();
  for (const order of orders) {
    const items = await read(indexData, order);
    assert.equal(rejections(items).length, 0);
    const all = ticks(items);
    assert.equal(all.length, 51_249);
    assert.equal(all.filter((t) => t.close === null).length, 681);
    assert.equal(all.filter((t) => t.volume === 0).length, 18_593);
    byOrder.set(order, all);
  }
  const fileOrder = byOrder.get('file')!;
  const dateOrder = byOrder.get('date')!;
  assert.deepEqual(fileOrder.map((t) => t.source.line), Array.from({ length: 51_249 }, (_, i) => i + 2));
  for (let i = 1; i < dateOrder.length; i++) assert.ok(dateOrder[i - 1]!.date <= dateOrder[i]!.date, `date goes down at ${i}`);
  const perIndex = (all: RawTick[]) => {
    const lines = new Map<string, number[]>();
    for (const t of all) (lines.get(t.index) ?? lines.set(t.index, []).get(t.index)!).push(t.source.line);
    return lines;
  };
  assert.deepEqual(perIndex(dateOrder), perIndex(fileOrder));
  assert.equal(formatDate(dateOrder[0]!.date), '1965-12-31');
  assert.equal(formatDate(dateOrder[dateOrder.length - 1]!.date), '2021-05-31');
});

const processedHsi = dataset('indexProcessed-HSI.csv');

test('indexProcessed-HSI.csv: CloseUSD is Close x 0.13; the truncated last row is rejected', { skip: !existsSync(processedHsi) && 'shared data set absent' }, async () => {
  const items = await read(processedHsi, 'date');
  // The file ends mid-value: "...,1744637600.0,2913." without a line end.
  assert.deepEqual(
    rejections(items).map((r) => [r.line, r.reason, r.message]),
    [[5694, 'invalid_number', 'column CloseUSD: "2913." is not a number']],
  );
  const all = ticks(items);
  assert.equal(all.length, 5_692);
  for (const t of all) assert.ok(Math.abs((t.sourceCloseUsd as number) - (t.close as number) * 0.13) < 1e-6, `line ${t.source.line}`);
});
