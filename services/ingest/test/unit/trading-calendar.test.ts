import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDate, parseDate } from '@stockstream/common/dates';
import { isTradingDay, nextTradingDay, tradingDayOnOrAfter, weekday } from '../../src/source/trading-calendar.js';

const day = (iso: string) => parseDate(iso) as number;

test('weekday', () => {
  assert.equal(weekday(0), 4); // 1970-01-01, Thursday
  assert.equal(weekday(day('2000-01-03')), 1); // Monday
  assert.equal(weekday(day('1965-12-31')), 5); // Friday, before the epoch
  assert.equal(weekday(day('2021-05-30')), 0); // Sunday
});

test('trading days are Monday to Friday', () => {
  assert.equal(isTradingDay(day('2021-05-28')), true);
  assert.equal(isTradingDay(day('2021-05-29')), false);
  assert.equal(isTradingDay(day('2021-05-30')), false);
  assert.equal(formatDate(nextTradingDay(day('2021-05-28'))), '2021-05-31');
  assert.equal(formatDate(nextTradingDay(day('2021-05-31'))), '2021-06-01');
  assert.equal(formatDate(tradingDayOnOrAfter(day('2021-05-29'))), '2021-05-31');
  assert.equal(formatDate(tradingDayOnOrAfter(day('2021-05-30'))), '2021-05-31');
  assert.equal(formatDate(tradingDayOnOrAfter(day('2021-05-31'))), '2021-05-31');
});
