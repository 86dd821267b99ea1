import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawTick, SourceRef } from '@stockstream/common';
import { layoutFromHeader, PROCESSED_HEADER, RAW_HEADER } from '../../src/source/csv-layout.js';
import { parseDate } from '@stockstream/common/dates';
import { CsvFields } from '../../src/source/csv-reader.js';
import { dateOfBytes, isNullBytes, parseRow, rowDate, type ParsedRow } from '../../src/source/row-parser.js';
import { parseStrictNumber, strictNumberOfBytes } from '../../src/source/strict-number.js';

const raw = layoutFromHeader([...RAW_HEADER]);
const processed = layoutFromHeader([...PROCESSED_HEADER]);
const source: SourceRef = { kind: 'FILE', name: 'indexData.csv', line: 7 };
const AT = 1_700_000_000_000;

function tickOf(parsed: ParsedRow): RawTick {
  assert.ok(parsed.ok, parsed.ok ? '' : `${parsed.reason}: ${parsed.message}`);
  return parsed.tick;
}

function rejectionOf(parsed: ParsedRow): { reason: string; message: string } {
  assert.ok(!parsed.ok, 'expected a rejection');
  return { reason: parsed.reason, message: parsed.message };
}

test('raw row', () => {
  const fields = 'NYA,1965-12-31,528.690002,529.5,527.25,528.690002,528.690002,1200'.split(',');
  assert.deepEqual(tickOf(parseRow(CsvFields.of(fields), raw, source, AT)), {
    index: 'NYA',
    date: -1462,
    open: 528.690002,
    high: 529.5,
    low: 527.25,
    close: 528.690002,
    adjClose: 528.690002,
    volume: 1200,
    sourceCloseUsd: null,
    source,
    ingestedAt: AT,
  });
});

test('processed row: float volume and CloseUSD', () => {
  const fields = 'HSI,1986-12-31,2568.300049,2568.300049,2568.300049,2568.300049,2568.300049,123400.0,333.87900637'.split(',');
  const tick = tickOf(parseRow(CsvFields.of(fields), processed, source, AT));
  assert.equal(tick.volume, 123400);
  assert.equal(tick.sourceCloseUsd, 333.87900637);
  assert.equal(tick.close, 2568.300049);
});

test('null row: every value null, faithfully', () => {
  const fields = 'NYA,1967-02-23,null,null,null,null,null,null'.split(',');
  const tick = tickOf(parseRow(CsvFields.of(fields), raw, source, AT));
  assert.equal(tick.date, parseDate('1967-02-23'));
  for (const key of ['open', 'high', 'low', 'close', 'adjClose', 'volume', 'sourceCloseUsd'] as const) assert.equal(tick[key], null, key);
});

test('empty fields are null too, and NULL in any case', () => {
  const tick = tickOf(parseRow(CsvFields.of(['NYA', '1967-02-23', '', 'NULL', 'Null', '1', '', '']), raw, source, AT));
  assert.deepEqual([tick.open, tick.high, tick.low, tick.close, tick.adjClose, tick.volume], [null, null, null, 1, null, null]);
  assert.equal(tickOf(parseRow(CsvFields.of([...'HSI,1987-01-02,1,1,1,1,1,0'.split(','), '']), processed, source, AT)).sourceCloseUsd, null);
});

test('DD/MM/YYYY date', () => {
  const tick = tickOf(parseRow(CsvFields.of('HSI,31/12/1986,1,2,0.5,1.5,1.5,0'.split(',')), raw, source, AT));
  assert.equal(tick.date, parseDate('1986-12-31'));
});

test('wrong column count', () => {
  assert.deepEqual(rejectionOf(parseRow(CsvFields.of('NYA,1966-01-04,527.84,527.84,527.84'.split(',')), raw, source, AT)), {
    reason: 'column_count',
    message: 'expected 8 fields, got 5',
  });
  assert.equal(rejectionOf(parseRow(CsvFields.of('NYA,1966-01-04,1,1,1,1,1,0,x'.split(',')), raw, source, AT)).reason, 'column_count');
  // A raw row in a processed file lacks CloseUSD.
  assert.equal(rejectionOf(parseRow(CsvFields.of('NYA,1966-01-04,1,1,1,1,1,0'.split(',')), processed, source, AT)).reason, 'column_count');
});

test('text in a number names the column and the value', () => {
  assert.deepEqual(rejectionOf(parseRow(CsvFields.of('NYA,1966-01-05,531.12,abc,531.12,531.12,531.12,0'.split(',')), raw, source, AT)), {
    reason: 'invalid_number',
    message: 'column High: "abc" is not a number',
  });
  for (const bad of ['1e', ' 12', '0x1F', 'Infinity', 'NaN', '1,5']) {
    const fields = ['NYA', '1966-01-05', '1', '1', '1', bad, '1', '0'];
    const rejection = rejectionOf(parseRow(CsvFields.of(fields), raw, source, AT));
    assert.equal(rejection.reason, 'invalid_number', bad);
    assert.match(rejection.message, /^column Close: /);
  }
  assert.match(rejectionOf(parseRow(CsvFields.of('HSI,1987-01-02,1,1,1,1,1,0,x'.split(',')), processed, source, AT)).message, /column CloseUSD: "x"/);
  assert.match(rejectionOf(parseRow(CsvFields.of('HSI,1987-01-02,1,1,1,1,1,lots'.split(',')), raw, source, AT)).message, /column Volume: "lots"/);
});

test('invalid dates', () => {
  for (const date of ['1966-02-30', '31/02/2001', '2001-13-01', 'yesterday', '', 'null']) {
    const rejection = rejectionOf(parseRow(CsvFields.of(['NYA', date, '1', '1', '1', '1', '1', '0']), raw, source, AT));
    assert.equal(rejection.reason, 'invalid_date', date);
    assert.match(rejection.message, /^column Date: /);
  }
});

test('missing index', () => {
  assert.equal(rejectionOf(parseRow(CsvFields.of(',1966-01-06,532,532,532,532,532,0'.split(',')), raw, source, AT)).reason, 'missing_index');
  assert.equal(rejectionOf(parseRow(CsvFields.of('  ,1966-01-06,532,532,532,532,532,0'.split(',')), raw, source, AT)).reason, 'missing_index');
});

test('volume must be a whole number; integral floats and negatives pass', () => {
  assert.deepEqual(rejectionOf(parseRow(CsvFields.of('NYA,1966-01-07,532,532,532,532,532,12.5'.split(',')), raw, source, AT)), {
    reason: 'invalid_volume',
    message: 'column Volume: "12.5" is not a whole number',
  });
  assert.equal(rejectionOf(parseRow(CsvFields.of('NYA,1966-01-07,1,1,1,1,1,1e300'.split(',')), raw, source, AT)).reason, 'invalid_volume');
  assert.equal(tickOf(parseRow(CsvFields.of('NYA,1966-01-07,1,1,1,1,1,1.5e3'.split(',')), raw, source, AT)).volume, 1500);
  assert.equal(tickOf(parseRow(CsvFields.of('NYA,1966-01-07,1,1,1,1,1,-5'.split(',')), raw, source, AT)).volume, -5);
  assert.ok(Object.is(tickOf(parseRow(CsvFields.of('NYA,1966-01-07,1,1,1,1,1,-0.0'.split(',')), raw, source, AT)).volume, 0));
});

test('business rules are not checked here', () => {
  // Low above High, negative prices: faithful source values for the enrichment to judge.
  const tick = tickOf(parseRow(CsvFields.of('NYA,1966-01-07,5,1,9,-3,-3,0'.split(',')), raw, source, AT));
  assert.deepEqual([tick.open, tick.high, tick.low, tick.close], [5, 1, 9, -3]);
});

test('rowDate: the date a row can be placed at', () => {
  assert.equal(rowDate(CsvFields.of('NYA,1966-01-07,x,x,x,x,x,x'.split(',')), raw), parseDate('1966-01-07'));
  assert.equal(rowDate(CsvFields.of('NYA,1966-13-07,1,1,1,1,1,1'.split(',')), raw), null);
  assert.equal(rowDate(CsvFields.of('NYA,1966-01-07,1'.split(',')), raw), null);
});

test('edge values: long mantissas, signs, leading zeros; the largest exact volume', () => {
  const tick = tickOf(parseRow(CsvFields.of('000001.SS,2000-02-29,12345678901234567,0.1234567890123456,1.5E-3,00012,-0,9007199254740991'.split(',')), raw, source, AT));
  assert.deepEqual([tick.index, tick.open, tick.high, tick.low, tick.close, tick.volume], ['000001.SS', 12345678901234567, 0.1234567890123456, 0.0015, 12, 9007199254740991]);
  assert.ok(Object.is(tick.adjClose, -0), 'a price keeps its sign as written');
  assert.match(rejectionOf(parseRow(CsvFields.of('NYA,1966-01-04,1,1,1,1,1,9007199254740993'.split(',')), raw, source, AT)).message, /too large to hold exactly/);
});

test('fields are taken as written: no trimming, no lookalike digits', () => {
  assert.equal(tickOf(parseRow(CsvFields.of(' NYA,1966-01-04,1,1,1,1,1,0'.split(',')), raw, source, AT)).index, ' NYA');
  assert.equal(rejectionOf(parseRow(CsvFields.of('NYA, 1966-01-04,1,1,1,1,1,0'.split(',')), raw, source, AT)).reason, 'invalid_date');
  for (const bad of ['１', 'nul', '1e999', '5.', '.5']) {
    assert.equal(rejectionOf(parseRow(CsvFields.of(['NYA', '1966-01-04', '1', '1', '1', '1', bad, '0']), raw, source, AT)).message, `column Adj Close: ${JSON.stringify(bad)} is not a number`);
  }
});

test('columns in any order, extra columns of any text', () => {
  const layout = layoutFromHeader(['Volume', 'Close', 'Note', 'Date', 'Index', 'Low', 'High', 'Open', 'Adj Close']);
  const tick = tickOf(parseRow(CsvFields.of('100,2.5,é x,1990-01-02,IXIC,1,3,2,2.5'.split(',')), layout, source, AT));
  assert.deepEqual([tick.index, tick.volume, tick.open, tick.high, tick.low, tick.close], ['IXIC', 100, 2, 3, 1, 2.5]);
});

test('numbers, dates and nulls are read from bytes as parseStrictNumber, parseDate and the null text rule read the text', () => {
  const texts = ['0', '-0', '12', '+12', '528.690002', '-0.25', '1e3', '1.5E-3', '00012', '123456789012345', '1234567890123456', '0.1234567890123456',
    '9007199254740993', '1e999', '', ' ', ' 12', '12 ', '0x1F', 'Infinity', 'NaN', '1e', '.5', '5.', '-', '+', '1.2.3', 'null', 'NULL', 'nuLl', 'nul', 'nulll',
    '١٢', '１', 'é1', '2001-01-02', '02/01/2001', '2/1/2001', '2001-02-29', '2000-02-29', '2001-13-01', '0000-01-01', '2001-1-02', '31/02/2001', '2001-01-02 ', '１９９９-01-01'];
  for (const text of texts) {
    // The field in the middle of other bytes, as in a read chunk.
    const body = Buffer.from(text);
    const data = Buffer.concat([Buffer.from('x,\n'), body, Buffer.from('\r\nNYA,')]);
    const [from, to] = [3, 3 + body.length];
    assert.ok(Object.is(strictNumberOfBytes(data, from, to), parseStrictNumber(text)), `number ${JSON.stringify(text)}`);
    assert.equal(dateOfBytes(data, from, to), parseDate(text), `date ${JSON.stringify(text)}`);
    assert.equal(isNullBytes(data, from, to), text === '' || text.toLowerCase() === 'null', `null ${JSON.stringify(text)}`);
  }
});
