import { test } from 'node:test';
import assert from 'node:assert/strict';
import { daysFromCivil, daysInMonth, formatDate, parseDate } from '@stockstream/common';

test('ISO dates give epoch days', () => {
  assert.equal(parseDate('1970-01-01'), 0);
  assert.equal(parseDate('1970-01-02'), 1);
  assert.equal(parseDate('1969-12-31'), -1);
  assert.equal(parseDate('1965-12-31'), -1462);
  assert.equal(parseDate('2000-01-03'), 10959);
  assert.equal(parseDate('2021-05-31'), 18778);
});

test('DD/MM/YYYY dates, also with one-digit day and month', () => {
  assert.equal(parseDate('31/12/1965'), parseDate('1965-12-31'));
  assert.equal(parseDate('03/01/2000'), 10959);
  assert.equal(parseDate('3/1/2000'), 10959);
  assert.equal(parseDate('3/01/2000'), 10959);
  assert.equal(parseDate('03/1/2000'), 10959);
  assert.equal(parseDate('29/02/2000'), parseDate('2000-02-29'));
});

test('agrees with Date.UTC over every day of 1900..2100', () => {
  const first = Date.UTC(1900, 0, 1) / 86_400_000;
  const last = Date.UTC(2100, 11, 31) / 86_400_000;
  for (let days = first; days <= last; days++) {
    const iso = new Date(days * 86_400_000).toISOString().slice(0, 10);
    assert.equal(parseDate(iso), days);
    assert.equal(formatDate(days), iso);
    const [y, m, d] = iso.split('-');
    assert.equal(parseDate(`${d}/${m}/${y}`), days);
  }
});

test('impossible dates are rejected, not rolled over', () => {
  for (const text of ['31/02/2001', '29/02/2001', '2001-02-29', '1900-02-29', '2001-13-01', '13/13/2001', '2001-00-10',
    '00/01/2001', '2001-01-00', '32/01/2001', '2001-04-31', '0000-01-01', '01/01/0000']) {
    assert.equal(parseDate(text), null, text);
  }
  assert.notEqual(parseDate('29/02/2000'), null); // 2000 is a leap year (divisible by 400)
});

test('junk is rejected', () => {
  for (const text of ['', 'null', '2001-1-01', '2001-01-1', '01-01-2001', '2001/01/01', ' 2001-01-01', '2001-01-01 ',
    '2001-01-01T00:00', '20010101', '1/1/01', '001/01/2001', '01/001/2001', '1//2001', '/1/12001', 'ab/cd/efgh',
    '2001-0a-01', '+201-01-01', '-2001-01-01', '01/01/20O1', '01.01.2001']) {
    assert.equal(parseDate(text), null, JSON.stringify(text));
  }
});

test('formatDate pads years before 1000 and handles negative days', () => {
  assert.equal(formatDate(0), '1970-01-01');
  assert.equal(formatDate(-1462), '1965-12-31');
  assert.equal(formatDate(daysFromCivil(999, 3, 1)), '0999-03-01');
  assert.equal(parseDate(formatDate(daysFromCivil(1, 1, 1))), daysFromCivil(1, 1, 1));
});

test('daysInMonth knows leap years', () => {
  assert.equal(daysInMonth(2000, 2), 29);
  assert.equal(daysInMonth(1900, 2), 28);
  assert.equal(daysInMonth(2024, 2), 29);
  assert.equal(daysInMonth(2023, 4), 30);
  assert.equal(daysInMonth(2023, 12), 31);
});
