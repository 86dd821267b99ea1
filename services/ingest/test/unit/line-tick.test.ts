import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceRef } from '@stockstream/common';
import { parseDate } from '@stockstream/common/dates';
import { layoutFromHeader, PROCESSED_HEADER, RAW_HEADER, type CsvLayout } from '../../src/source/csv-layout.js';
import { dateOfBytes, isNullBytes, LineTicks } from '../../src/source/line-tick.js';
import { parseRow } from '../../src/source/row-parser.js';
import { parseStrictNumber, strictNumberOfBytes } from '../../src/source/strict-number.js';

const raw = layoutFromHeader([...RAW_HEADER]);
const processed = layoutFromHeader([...PROCESSED_HEADER]);
const AT = 1_700_000_000_000;

/** The line in a buffer with bytes around it, as in a read chunk. */
function inChunk(line: string): { data: Buffer; from: number; to: number } {
  const body = Buffer.from(line, 'utf8');
  return { data: Buffer.concat([Buffer.from('x,\n'), body, Buffer.from('\r\nNYA,')]), from: 3, to: 3 + body.length };
}

/** LineTicks' answer for `line`, checked against parseRow: the same tick, or undefined. */
function fastTick(ticks: LineTicks, layout: CsvLayout, line: string) {
  const { data, from, to } = inChunk(line);
  const tick = ticks.tick(data, from, to, 7, AT);
  const source: SourceRef = { kind: 'FILE', name: 'f.csv', line: 7 };
  const parsed = parseRow(line.split(','), layout, source, AT);
  if (tick !== undefined) {
    assert.ok(parsed.ok, `${JSON.stringify(line)}: a tick, but parseRow rejects it`);
    assert.deepEqual(tick, parsed.tick, JSON.stringify(line));
    for (const key of ['open', 'high', 'low', 'close', 'adjClose', 'volume', 'sourceCloseUsd'] as const) {
      assert.ok(Object.is(tick[key], parsed.tick[key]), `${line}: ${key}`); // -0 too
    }
  }
  return tick;
}

test('common rows are read from their bytes, as parseRow reads them', () => {
  const ticks = new LineTicks(raw, 'f.csv');
  for (const line of [
    'NYA,1965-12-31,528.690002,529.5,527.25,528.690002,528.690002,1200',
    'NYA,1967-02-23,null,null,null,null,null,null',
    'NYA,1967-02-23,,NULL,Null,1,,',
    'HSI,31/12/1986,1,2,0.5,1.5,1.5,0',
    'HSI,2/1/1987,-1,+2,-0,-0.0,1e3,123400.0',
    '000001.SS,2000-02-29,12345678901234567,0.1234567890123456,1.5E-3,00012,9007199254740991,-0',
  ]) {
    assert.notEqual(fastTick(ticks, raw, line), undefined, line);
  }
  const processedTicks = new LineTicks(processed, 'f.csv');
  const tick = fastTick(processedTicks, processed, 'HSI,1986-12-31,2568.300049,2568.300049,2568.300049,2568.300049,2568.300049,123400.0,333.87900637');
  assert.equal(tick?.sourceCloseUsd, 333.87900637);
  assert.equal(fastTick(processedTicks, processed, 'HSI,1986-12-31,1,1,1,1,1,0,')?.sourceCloseUsd, null);
});

test('every other row is left to the general path', () => {
  const ticks = new LineTicks(raw, 'f.csv');
  for (const line of [
    'NYA,1966-01-04,527.84,527.84,527.84', // too few fields
    'NYA,1966-01-04,1,1,1,1,1,0,x', // too many
    ',1966-01-04,1,1,1,1,1,0', // no index
    ' ,1966-01-04,1,1,1,1,1,0',
    ' NYA,1966-01-04,1,1,1,1,1,0', // kept as written by parseRow: not plain
    'NÉA,1966-01-04,1,1,1,1,1,0',
    'NYA,1966-02-30,1,1,1,1,1,0',
    'NYA,1966-1-04,1,1,1,1,1,0',
    'NYA, 1966-01-04,1,1,1,1,1,0',
    'NYA,,1,1,1,1,1,0',
    'NYA,1966-01-04,abc,1,1,1,1,0',
    'NYA,1966-01-04,1,1,1,1,5.,0',
    'NYA,1966-01-04,1,1,1,1,.5,0',
    'NYA,1966-01-04,1,1,1,1, 1,0',
    'NYA,1966-01-04,1,1,1,1,1e999,0',
    'NYA,1966-01-04,1,1,1,1,nul,0',
    'NYA,1966-01-04,1,1,1,1,１,0',
    'NYA,1966-01-04,1,1,1,1,1,1.5',
    'NYA,1966-01-04,1,1,1,1,1,9007199254740993',
    ',,,,,,,',
  ]) {
    assert.equal(fastTick(ticks, raw, line), undefined, line);
  }
});

test('columns in any order, extra columns of any text', () => {
  const layout = layoutFromHeader(['Volume', 'Close', 'Note', 'Date', 'Index', 'Low', 'High', 'Open', 'Adj Close']);
  const tick = fastTick(new LineTicks(layout, 'f.csv'), layout, '100,2.5,é x,1990-01-02,IXIC,1,3,2,2.5');
  assert.deepEqual([tick?.index, tick?.volume, tick?.open, tick?.high, tick?.low, tick?.close], ['IXIC', 100, 2, 3, 1, 2.5]);
});

test('the index string is reused while it stays the same, and changes with it', () => {
  const ticks = new LineTicks(raw, 'f.csv');
  const names = ['NYA', 'NYA', 'NY', 'NYAA', 'HSI', 'NYA'].map((index) => fastTick(ticks, raw, `${index},1966-01-04,1,1,1,1,1,0`)?.index);
  assert.deepEqual(names, ['NYA', 'NYA', 'NY', 'NYAA', 'HSI', 'NYA']);
});

test('numbers, dates and nulls from bytes: as parseStrictNumber, parseDate and isNullText of the text', () => {
  const texts = ['0', '-0', '12', '+12', '528.690002', '-0.25', '1e3', '1.5E-3', '00012', '123456789012345', '1234567890123456', '0.1234567890123456',
    '9007199254740993', '1e999', '', ' ', ' 12', '12 ', '0x1F', 'Infinity', 'NaN', '1e', '.5', '5.', '-', '+', '1.2.3', 'null', 'NULL', 'nuLl', 'nul', 'nulll',
    '١٢', '１', 'é1', '2001-01-02', '02/01/2001', '2/1/2001', '2001-02-29', '2000-02-29', '2001-13-01', '0000-01-01', '2001-1-02', '31/02/2001', '2001-01-02 ', '１９９９-01-01'];
  for (const text of texts) {
    const { data, from, to } = inChunk(text);
    assert.ok(Object.is(strictNumberOfBytes(data, from, to), parseStrictNumber(text)), `number ${JSON.stringify(text)}`);
    assert.equal(dateOfBytes(data, from, to), parseDate(text), `date ${JSON.stringify(text)}`);
    assert.equal(isNullBytes(data, from, to), text === '' || text.toLowerCase() === 'null', `null ${JSON.stringify(text)}`);
  }
});
