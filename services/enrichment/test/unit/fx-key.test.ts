import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fxKey, parseFxKey } from '../../src/fx/fx-key.js';
import { day } from './support/ticks.js';

describe('fx.rates keys', () => {
  it('formats <currency>@<YYYY-MM-DD>', () => {
    assert.equal(fxKey('HKD', 0), 'HKD@1970-01-01');
    assert.equal(fxKey('CAD', day('1900-01-01')), 'CAD@1900-01-01');
    assert.equal(fxKey('EUR', day('2021-05-31')), 'EUR@2021-05-31');
  });

  it('parses back what it formats', () => {
    for (const d of [-25_567, -1, 0, 1, 11_016, 18_778, 2_932_896]) {
      assert.deepEqual(parseFxKey(fxKey('JPY', d)), { currency: 'JPY', effectiveDate: d });
    }
    assert.deepEqual(parseFxKey('HKD@1970-01-01'), { currency: 'HKD', effectiveDate: 0 });
  });

  it('rejects anything else', () => {
    for (const key of ['', 'HKD', 'HKD@', '@1970-01-01', 'hkd@1970-01-01', 'HKDX@1970-01-01', 'HKD@1970-1-1', 'HKD@1970-02-30', 'HKD@01/01/1970', 'HKD@1970-01-01@x']) {
      assert.equal(parseFxKey(key), null, key);
    }
  });

  it('refuses a date that has no 4-digit year', () => {
    assert.throws(() => fxKey('HKD', 2_932_897), RangeError);
  });
});
