import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FxRate } from '@stockstream/common';
import { applyFxRecord } from '../../src/fx/fx-record.js';
import { FxTable } from '../../src/fx/fx-table.js';
import { day } from './support/ticks.js';

const rate = (currency: string, iso: string, rateToUsd: number, source = 'test'): FxRate => ({ currency, rateToUsd, effectiveDate: day(iso), source });

function hkdTable(): FxTable {
  // Inserted out of order on purpose: the table keeps them sorted.
  return FxTable.of([rate('HKD', '2000-01-01', 0.128), rate('HKD', '1990-01-01', 0.13), rate('HKD', '2010-01-01', 0.129)], 1000);
}

describe('FxTable.lookup', () => {
  it('before the first rate: null, never an invented number', () => {
    assert.equal(hkdTable().lookup('HKD', day('1989-12-31')), null);
  });

  it('on an effective date: that rate', () => {
    assert.deepEqual(hkdTable().lookup('HKD', day('1990-01-01')), { rateToUsd: 0.13, effectiveDate: day('1990-01-01'), source: 'test' });
    assert.deepEqual(hkdTable().lookup('HKD', day('2000-01-01')), { rateToUsd: 0.128, effectiveDate: day('2000-01-01'), source: 'test' });
  });

  it('between two rates: the earlier one, with its effective date', () => {
    assert.deepEqual(hkdTable().lookup('HKD', day('1999-12-31')), { rateToUsd: 0.13, effectiveDate: day('1990-01-01'), source: 'test' });
    assert.deepEqual(hkdTable().lookup('HKD', day('2005-06-15')), { rateToUsd: 0.128, effectiveDate: day('2000-01-01'), source: 'test' });
  });

  it('after the last rate: the last one', () => {
    assert.deepEqual(hkdTable().lookup('HKD', day('2021-05-31')), { rateToUsd: 0.129, effectiveDate: day('2010-01-01'), source: 'test' });
  });

  it('an unknown currency, USD included when absent from the data: null', () => {
    const t = hkdTable();
    assert.equal(t.lookup('CAD', day('2000-01-01')), null);
    assert.equal(t.lookup('USD', day('2000-01-01')), null);
  });

  it('keeps currencies apart', () => {
    const t = hkdTable();
    t.upsert(rate('CAD', '1995-01-01', 0.83), 2000);
    t.upsert(rate('USD', '1900-01-01', 1), 2000);
    assert.deepEqual(t.lookup('CAD', day('2005-01-01')), { rateToUsd: 0.83, effectiveDate: day('1995-01-01'), source: 'test' });
    assert.equal(t.lookup('CAD', day('1994-12-31')), null);
    assert.deepEqual(t.lookup('HKD', day('2005-01-01')), { rateToUsd: 0.128, effectiveDate: day('2000-01-01'), source: 'test' });
    assert.deepEqual(t.lookup('USD', day('1900-01-01')), { rateToUsd: 1, effectiveDate: day('1900-01-01'), source: 'test' });
    assert.deepEqual(t.currencies(), ['CAD', 'HKD', 'USD']);
    assert.equal(t.size, 5);
  });

  it('binary search agrees with a linear scan over many rates', () => {
    const t = new FxTable();
    const dates = Array.from({ length: 200 }, (_, i) => i * 7 - 300);
    for (const d of [...dates].reverse()) t.upsert({ currency: 'JPY', rateToUsd: 1 + d / 1e4 + 0.1, effectiveDate: d, source: '' }, 0);
    for (let d = -320; d < 1200; d++) {
      const expected = dates.filter((e) => e <= d).at(-1);
      assert.equal(t.lookup('JPY', d)?.effectiveDate ?? null, expected ?? null, `date ${d}`);
    }
  });
});

describe('FxTable changes', () => {
  it('upsert on an existing (currency, date) replaces the rate without growing the table', () => {
    const t = hkdTable();
    t.upsert(rate('HKD', '2000-01-01', 0.1282, 'correction'), 5000);
    assert.equal(t.size, 3);
    assert.deepEqual(t.lookup('HKD', day('2001-01-01')), { rateToUsd: 0.1282, effectiveDate: day('2000-01-01'), source: 'correction' });
    assert.equal(t.ratesOf('HKD')[1]?.source, 'correction');
  });

  it('remove drops one dated rate; lookups fall back to the previous one', () => {
    const t = hkdTable();
    assert.equal(t.remove('HKD', day('2000-01-01'), 7000), true);
    assert.equal(t.size, 2);
    assert.deepEqual(t.lookup('HKD', day('2005-01-01')), { rateToUsd: 0.13, effectiveDate: day('1990-01-01'), source: 'test' });
    assert.equal(t.remove('HKD', day('2000-01-01'), 7001), false);
    assert.equal(t.remove('HKD', day('1995-01-01'), 7002), false);
    assert.equal(t.remove('EUR', day('1995-01-01'), 7003), false);
    assert.equal(t.size, 2);
  });

  it('removing the last rate of a currency forgets the currency', () => {
    const t = FxTable.of([rate('CHF', '1900-01-01', 1.11)], 0);
    t.remove('CHF', day('1900-01-01'), 1);
    assert.equal(t.size, 0);
    assert.deepEqual(t.currencies(), []);
    assert.equal(t.lookup('CHF', day('2000-01-01')), null);
  });

  it('rejects unusable rates instead of storing them', () => {
    const t = new FxTable();
    assert.throws(() => t.upsert(rate('HKD', '2000-01-01', 0), 1), /rateToUsd 0 of HKD is not a finite number > 0/);
    assert.throws(() => t.upsert(rate('HKD', '2000-01-01', -0.13), 1), RangeError);
    assert.throws(() => t.upsert(rate('HKD', '2000-01-01', Number.NaN), 1), RangeError);
    assert.throws(() => t.upsert(rate('hkd', '2000-01-01', 0.13), 1), /currency "hkd"/);
    assert.throws(() => t.upsert({ currency: 'HKD', rateToUsd: 0.13, effectiveDate: 0.5, source: '' }, 1), /effectiveDate 0.5/);
    assert.equal(t.size, 0);
    assert.equal(t.lastUpdatedAt, null);
  });

  it('copies the stored rate: mutating the caller\'s (reused) object changes nothing', () => {
    const t = new FxTable();
    const r = rate('HKD', '2000-01-01', 0.13);
    t.upsert(r, 1);
    r.rateToUsd = 99;
    assert.equal(t.lookup('HKD', day('2000-01-01'))?.rateToUsd, 0.13);
  });

  it('tracks the time of the last change for an age metric', () => {
    const t = new FxTable();
    assert.equal(t.lastUpdatedAt, null);
    assert.equal(t.ageMs(10), null);
    t.upsert(rate('HKD', '2000-01-01', 0.13), 1000);
    assert.equal(t.lastUpdatedAt, 1000);
    t.remove('HKD', day('2000-01-01'), 4000);
    assert.equal(t.lastUpdatedAt, 4000);
    assert.equal(t.ageMs(6500), 2500);
  });
});

describe('applyFxRecord (fx.rates topic)', () => {
  it('a value upserts, a tombstone removes', () => {
    const t = new FxTable();
    assert.deepEqual(applyFxRecord(t, 'HKD@1970-01-01', rate('HKD', '1970-01-01', 0.13), 1), { ok: true, change: 'upsert' });
    assert.deepEqual(t.lookup('HKD', 100), { rateToUsd: 0.13, effectiveDate: 0, source: 'test' });
    assert.deepEqual(applyFxRecord(t, 'HKD@1970-01-01', null, 2), { ok: true, change: 'remove' });
    assert.equal(t.lookup('HKD', 100), null);
    assert.equal(t.lastUpdatedAt, 2);
  });

  it('reports a bad key, a bad rate or a key that disagrees with its value, and changes nothing', () => {
    const t = new FxTable();
    const bad = [
      applyFxRecord(t, null, rate('HKD', '1970-01-01', 0.13), 1),
      applyFxRecord(t, 'HKD', rate('HKD', '1970-01-01', 0.13), 1),
      applyFxRecord(t, 'HKD@1970-01-01', rate('HKD', '1970-01-01', -1), 1),
      applyFxRecord(t, 'HKD@1970-01-02', rate('HKD', '1970-01-01', 0.13), 1),
      applyFxRecord(t, 'CAD@1970-01-01', rate('HKD', '1970-01-01', 0.13), 1),
    ];
    for (const outcome of bad) assert.equal(outcome.ok, false);
    assert.match((bad[3] as { error: string }).error, /key HKD@1970-01-02 does not match its value HKD@1970-01-01/);
    assert.equal(t.size, 0);
  });
});
