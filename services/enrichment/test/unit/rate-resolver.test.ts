import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FxTable } from '../../src/fx/fx-table.js';
import { RateResolver } from '../../src/fx/rate-resolver.js';
import { EPOCH_DAY_1900_01_01 } from '../../src/validation/epoch-day.js';
import { day } from './support/ticks.js';

const history = () =>
  FxTable.of(
    [
      { currency: 'HKD', rateToUsd: 0.1283, effectiveDate: day('1999-01-04'), source: 'ecb' },
      { currency: 'HKD', rateToUsd: 0.1287, effectiveDate: day('1999-01-05'), source: 'ecb' },
    ],
    0,
  );
const fallback = [
  { currency: 'HKD', rateToUsd: 0.13, effectiveDate: EPOCH_DAY_1900_01_01, source: 'public set' },
  { currency: 'TWD', rateToUsd: 0.036, effectiveDate: EPOCH_DAY_1900_01_01, source: 'assumption' },
];

describe('RateResolver: history, then fallback, never a guess', () => {
  it('the history\'s rate in force on the date, with its own source', () => {
    const r = new RateResolver(history(), fallback);
    assert.deepEqual(r.lookup('HKD', day('1999-01-04')), { rateToUsd: 0.1283, effectiveDate: day('1999-01-04'), source: 'ecb' });
    assert.deepEqual(r.lookup('HKD', day('2021-05-31')), { rateToUsd: 0.1287, effectiveDate: day('1999-01-05'), source: 'ecb' });
  });

  it('before the history starts, or a currency it lacks: the fallback, marked fallback', () => {
    const r = new RateResolver(history(), fallback);
    assert.deepEqual(r.lookup('HKD', day('1998-12-31')), { rateToUsd: 0.13, effectiveDate: EPOCH_DAY_1900_01_01, source: 'fallback' });
    assert.deepEqual(r.lookup('TWD', day('2020-01-02')), { rateToUsd: 0.036, effectiveDate: EPOCH_DAY_1900_01_01, source: 'fallback' });
    assert.equal(r.lookup('ZAR', day('2020-01-02')), null, 'no history and no fallback: null');
    assert.deepEqual(r.fallbackCurrencies, ['HKD', 'TWD']);
  });

  it('without a fallback: null where the history has nothing (the bar is dead-lettered as no_fx_rate)', () => {
    const r = new RateResolver(history(), null);
    assert.equal(r.lookup('HKD', day('1998-12-31')), null);
    assert.equal(r.lookup('TWD', day('2020-01-02')), null);
  });

  it('USD is 1 on every date, marked identity, with or without data', () => {
    const r = new RateResolver(new FxTable(), null);
    assert.deepEqual(r.lookup('USD', day('1965-12-31')), { rateToUsd: 1, effectiveDate: EPOCH_DAY_1900_01_01, source: 'identity' });
  });

  it('follows the history as it changes', () => {
    const h = history();
    const r = new RateResolver(h, fallback);
    h.upsert({ currency: 'TWD', rateToUsd: 0.033, effectiveDate: day('2020-01-01'), source: 'ops' }, 1);
    assert.deepEqual(r.lookup('TWD', day('2020-01-02')), { rateToUsd: 0.033, effectiveDate: day('2020-01-01'), source: 'ops' });
    assert.equal(r.lookup('TWD', day('2019-12-31'))?.source, 'fallback');
  });

  it('refuses two fallback rates of one currency', () => {
    assert.throws(() => new RateResolver(new FxTable(), [...fallback, fallback[0]!]), /a second fallback rate of HKD/);
  });
});
