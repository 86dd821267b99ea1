import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CsvLayoutError,
  layoutFromHeader,
  looksLikeDataRow,
  normalizeColumnName,
  PROCESSED_HEADER,
  RAW_HEADER,
} from '../../src/source/csv-layout.js';

test('raw header', () => {
  assert.deepEqual(layoutFromHeader([...RAW_HEADER]), {
    kind: 'raw',
    columnCount: 8,
    index: 0,
    date: 1,
    open: 2,
    high: 3,
    low: 4,
    close: 5,
    adjClose: 6,
    volume: 7,
    closeUsd: null,
  });
});

test('processed header has CloseUSD', () => {
  const layout = layoutFromHeader([...PROCESSED_HEADER]);
  assert.equal(layout.kind, 'processed');
  assert.equal(layout.columnCount, 9);
  assert.equal(layout.closeUsd, 8);
  assert.equal(layout.close, 5);
});

test('BOM on the first cell, spaces and case are tolerated', () => {
  const layout = layoutFromHeader(['\uFEFFIndex', ' date ', 'OPEN', 'high', 'Low', 'close', 'adj close', 'VOLUME', 'closeusd']);
  assert.equal(layout.index, 0);
  assert.equal(layout.date, 1);
  assert.equal(layout.adjClose, 6);
  assert.equal(layout.kind, 'processed');
});

test('columns in another order, extra columns counted', () => {
  const layout = layoutFromHeader(['Date', 'Index', 'Volume', 'Close', 'Adj_Close', 'Low', 'High', 'Open', 'Note']);
  assert.equal(layout.date, 0);
  assert.equal(layout.index, 1);
  assert.equal(layout.volume, 2);
  assert.equal(layout.adjClose, 4);
  assert.equal(layout.open, 7);
  assert.equal(layout.columnCount, 9);
  assert.equal(layout.kind, 'raw');
});

test('missing columns are named, with the expected header', () => {
  assert.throws(
    () => layoutFromHeader(['Index', 'Date', 'Open', 'High', 'Low', 'Close']),
    (error: unknown) => {
      assert.ok(error instanceof CsvLayoutError);
      assert.equal(error.code, 'missing_columns');
      assert.match(error.message, /missing column\(s\) Adj Close, Volume/);
      assert.match(error.message, /expected header: Index,Date,Open,High,Low,Close,Adj Close,Volume/);
      return true;
    },
  );
});

test('a first row of data means the file has no header', () => {
  const row = ['NYA', '1965-12-31', '528.690002', '528.690002', '528.690002', '528.690002', '528.690002', '0'];
  assert.equal(looksLikeDataRow(row), true);
  assert.throws(() => layoutFromHeader(row), (error: unknown) => {
    assert.ok(error instanceof CsvLayoutError);
    assert.equal(error.code, 'missing_header');
    assert.match(error.message, /no header row/);
    assert.match(error.message, /expected header: Index,Date/);
    return true;
  });
  assert.throws(() => layoutFromHeader(['HSI', '31/12/1986', '1', '1', '1', '1', '1', '0']), /no header row/);
});

test('a header of unknown names is reported as missing columns, not as data', () => {
  assert.throws(() => layoutFromHeader(['a', 'b', 'c']), /missing column\(s\) Index, Date, Open, High, Low, Close, Adj Close, Volume/);
});

test('normalizeColumnName', () => {
  assert.equal(normalizeColumnName('\uFEFF Adj Close '), 'adjclose');
  assert.equal(normalizeColumnName('CloseUSD'), 'closeusd');
});
