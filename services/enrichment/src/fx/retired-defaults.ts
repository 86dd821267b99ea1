// Rates the service published itself before the daily history existed: one
// per currency, effective 1900-01-01 (the old data/fx-rates.json). Left on
// fx.rates they would shadow the fallback for every bar before 1999 (and keep
// TWD converting with FX_FALLBACK_FILE=none), so the service retracts them
// at start with tombstones. Only exact copies go: a rate an operator
// published for the same key differs in value or source and is kept.
import type { FxRate } from '@stockstream/common';
import { EPOCH_DAY_1900_01_01 } from '../validation/epoch-day.js';
import type { FxTable } from './fx-table.js';

const RETIRED: readonly [currency: string, rateToUsd: number, source: string][] = [
  ['USD', 1, 'identity: 1 USD is 1 USD'],
  ['HKD', 0.13, 'fixed rate of the public set (indexProcessed.csv: CloseUSD = Close x 0.13)'],
  ['CAD', 0.83, 'fixed rate of the public set (indexProcessed.csv: CloseUSD = Close x 0.83)'],
  ['CNY', 0.157, 'assumption: approximate 2021-05 market rate (about 6.37 CNY per USD), rounded'],
  ['JPY', 0.0091, 'assumption: approximate 2021-05 market rate (about 109.6 JPY per USD), rounded'],
  ['EUR', 1.22, 'assumption: approximate 2021-05 market rate (about 1.22 USD per EUR), rounded'],
  ['INR', 0.0138, 'assumption: approximate 2021-05 market rate (about 72.6 INR per USD), rounded'],
  ['KRW', 0.0009, 'assumption: approximate 2021-05 market rate (about 1,110 KRW per USD), rounded'],
  ['CHF', 1.11, 'assumption: approximate 2021-05 market rate (about 0.90 CHF per USD), rounded'],
  ['TWD', 0.036, 'assumption: approximate 2021-05 market rate (about 27.7 TWD per USD), rounded'],
  ['ZAR', 0.073, 'assumption: approximate 2021-05 market rate (about 13.7 ZAR per USD), rounded'],
];

/** The retired defaults `table` (fx.rates as loaded) still holds unchanged: the ones to retract. */
export function retiredDefaultsIn(table: FxTable): FxRate[] {
  return RETIRED.flatMap(([currency, rateToUsd, source]) => {
    const held = table.get(currency, EPOCH_DAY_1900_01_01);
    return held && held.rateToUsd === rateToUsd && held.source === source ? [held] : [];
  });
}
