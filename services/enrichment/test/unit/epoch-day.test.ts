import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EPOCH_DAY_1900_01_01,
  describeEpochDay,
  epochDayOfInstant,
  epochDayToIsoDate,
  latestCalendarDay,
} from '../../src/validation/epoch-day.js';
import { parseIsoDate } from '@stockstream/common';

describe('epoch days', () => {
  it('converts ISO dates both ways', () => {
    assert.equal(parseIsoDate('1970-01-01'), 0);
    assert.equal(parseIsoDate('1900-01-01'), EPOCH_DAY_1900_01_01);
    assert.equal(parseIsoDate('2021-05-31'), 18_778);
    assert.equal(parseIsoDate('0065-01-04')! < EPOCH_DAY_1900_01_01, true);
    for (const d of [EPOCH_DAY_1900_01_01, -1, 0, 18_778, 11_016]) assert.equal(parseIsoDate(epochDayToIsoDate(d)), d);
    assert.equal(epochDayToIsoDate(-1), '1969-12-31');
  });

  it('rejects text that is not a calendar date', () => {
    for (const t of ['2021-02-30', '2021-13-01', '2021-5-31', '31/05/2021', '2021-05-31T00:00', '']) assert.equal(parseIsoDate(t), null, t);
    assert.equal(parseIsoDate('2020-02-29'), 18_321);
  });

  it('today for validation is the latest calendar day anywhere (UTC+14)', () => {
    const utcMidday = Date.UTC(2021, 4, 31, 12);
    assert.equal(epochDayOfInstant(utcMidday), 18_778);
    assert.equal(latestCalendarDay(utcMidday), 18_779);
    assert.equal(latestCalendarDay(Date.UTC(2021, 4, 31, 9, 59)), 18_778);
  });

  it('describes any value without throwing', () => {
    assert.equal(describeEpochDay(0), '1970-01-01 (day 0)');
    assert.equal(describeEpochDay(Number.NaN), 'NaN');
    assert.equal(describeEpochDay(1e12), '1000000000000');
  });
});
