import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FxTable } from '../../src/fx/fx-table.js';
import { retiredDefaultsIn } from '../../src/fx/retired-defaults.js';
import { EPOCH_DAY_1900_01_01 } from '../../src/validation/epoch-day.js';

const EPOCH_DAY_1900_01_02 = EPOCH_DAY_1900_01_01 + 1;

describe('retiredDefaultsIn', () => {
  it('finds the old defaults only where the topic holds them unchanged', () => {
    const t = FxTable.of(
      [
        { currency: 'HKD', rateToUsd: 0.13, effectiveDate: EPOCH_DAY_1900_01_01, source: 'fixed rate of the public set (indexProcessed.csv: CloseUSD = Close x 0.13)' },
        { currency: 'CAD', rateToUsd: 0.83, effectiveDate: EPOCH_DAY_1900_01_01, source: 'my own' },
        { currency: 'TWD', rateToUsd: 0.035, effectiveDate: EPOCH_DAY_1900_01_01, source: 'assumption: approximate 2021-05 market rate (about 27.7 TWD per USD), rounded' },
        { currency: 'ZAR', rateToUsd: 0.073, effectiveDate: EPOCH_DAY_1900_01_02, source: 'assumption: approximate 2021-05 market rate (about 13.7 ZAR per USD), rounded' },
      ],
      0,
    );
    assert.deepEqual(retiredDefaultsIn(t).map((r) => r.currency), ['HKD']);
    assert.deepEqual(retiredDefaultsIn(new FxTable()), []);
  });
});
