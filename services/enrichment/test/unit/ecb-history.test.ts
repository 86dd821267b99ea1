import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { zipSync } from 'fflate';
import { ECB_SOURCE, SHIPPED_ECB_HISTORY, ecbHistoryText, parseEcbHistory } from '../../src/fx/ecb-history.js';
import { FxTable } from '../../src/fx/fx-table.js';
import { loadRateFile, parseRateFile } from '../../src/fx/rate-file.js';
import { DataFileError } from '../../src/reference/data-file.js';
import { day } from './support/ticks.js';

// Two rows of eurofxref-hist.csv, as the ECB writes them (trailing comma, N/A where not quoted).
const SAMPLE = [
  'Date,USD,JPY,CYP,CHF,CAD,HKD,ZAR,',
  '2023-09-29,1.0594,158.1,N/A,0.9669,1.4227,8.2959,19.9813,',
  '2001-03-19,0.8996,109.83,0.57921,1.5354,1.4098,7.0162,7.1633,',
  '',
].join('\n');

const near = (actual: number | undefined, expected: number, what: string) =>
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= 1e-12 * expected, `${what}: ${actual} vs ${expected}`);

describe('ECB reference rate history', () => {
  it('USD per unit = (USD per EUR) / (units per EUR) of the same day; EUR = USD per EUR; N/A skipped; oldest first', () => {
    const rates = parseEcbHistory(SAMPLE, 's.csv');
    assert.ok(rates.every((r) => r.source === ECB_SOURCE));
    assert.deepEqual(rates.map((r) => `${r.currency}@${r.effectiveDate}`), [
      ...['EUR', 'JPY', 'CYP', 'CHF', 'CAD', 'HKD', 'ZAR'].map((c) => `${c}@${day('2001-03-19')}`),
      ...['EUR', 'JPY', 'CHF', 'CAD', 'HKD', 'ZAR'].map((c) => `${c}@${day('2023-09-29')}`),
    ]);
    const t = FxTable.of(rates, 0);
    near(t.lookup('ZAR', day('2001-03-19'))?.rateToUsd, 0.8996 / 7.1633, 'ZAR 2001');
    near(t.lookup('ZAR', day('2023-09-29'))?.rateToUsd, 1.0594 / 19.9813, 'ZAR 2023');
    near(t.lookup('CHF', day('2023-09-29'))?.rateToUsd, 1.0594 / 0.9669, 'CHF 2023');
    near(t.lookup('JPY', day('2001-03-19'))?.rateToUsd, 0.8996 / 109.83, 'JPY 2001');
    near(t.lookup('EUR', day('2023-09-29'))?.rateToUsd, 1.0594, 'EUR 2023');
    assert.equal(t.lookup('USD', day('2023-09-29')), null, 'USD is an identity of the resolver, not a rate of the file');
  });

  it('rows in any order come out oldest first (a hand-made or re-sorted csv)', () => {
    const [header, newer, older] = SAMPLE.split('\n');
    const ascending = parseEcbHistory([header, older, newer, ''].join('\n'), 'a.csv');
    assert.deepEqual(ascending, parseEcbHistory(SAMPLE, 's.csv'));
  });

  it('the shipped file: 1999-01-04 .. 2026-10-30, the figures the issue quotes, a weekend takes the Friday', () => {
    const rates = loadRateFile(SHIPPED_ECB_HISTORY);
    const t = FxTable.of(rates, 0);
    assert.deepEqual([t.ratesOf('USD').length, t.ratesOf('EUR').length, t.ratesOf('HKD').length], [0, 7_126, 7_126]);
    assert.equal(t.ratesOf('EUR')[0]!.effectiveDate, day('1999-01-04'));
    assert.equal(t.ratesOf('EUR').at(-1)!.effectiveDate, day('2026-10-30'));
    assert.equal(t.currencies().length, 41, '40 quoted currencies and EUR');
    const rounded = (c: string, iso: string, digits: number) => Number(t.lookup(c, day(iso))!.rateToUsd.toPrecision(digits));
    assert.deepEqual([rounded('ZAR', '2001-03-19', 4), rounded('ZAR', '2023-09-29', 3)], [0.1256, 0.053]);
    assert.deepEqual([rounded('CHF', '2001-03-19', 3), rounded('CHF', '2023-09-29', 4)], [0.586, 1.096]);
    assert.deepEqual([rounded('JPY', '2001-03-19', 3), rounded('JPY', '2023-09-29', 3)], [0.00819, 0.0067]);
    assert.deepEqual([rounded('CAD', '2001-03-19', 3), rounded('CAD', '2023-09-29', 3)], [0.638, 0.745]);
    // 2023-09-30 is a Saturday: Friday's rate, with Friday's date.
    assert.deepEqual(t.lookup('CHF', day('2023-09-30')), { rateToUsd: 1.0594 / 0.9669, effectiveDate: day('2023-09-29'), source: 'ecb' });
    assert.equal(t.lookup('HKD', day('1999-01-03')), null, 'nothing before the series starts');
  });

  it('reads the zip the ECB publishes, and the CSV inside it', () => {
    const zip = zipSync({ 'eurofxref-hist.csv': Buffer.from(SAMPLE) });
    assert.equal(ecbHistoryText(zip, 'z.zip'), SAMPLE);
    assert.deepEqual(parseRateFile(zip, 'z.zip'), parseRateFile(Buffer.from(SAMPLE), 's.csv'));
    assert.deepEqual(parseRateFile(Buffer.from(`\uFEFF${SAMPLE.replaceAll('\n', '\r\n')}`), 's.csv'), parseEcbHistory(SAMPLE, 's.csv'), 'BOM and CRLF');
  });

  it('errors name the file, the line and the cell', () => {
    const throws = (text: string | Uint8Array, message: string) =>
      assert.throws(() => parseRateFile(typeof text === 'string' ? Buffer.from(text) : text, 'r.csv'), (e: unknown) => e instanceof DataFileError && e.message.includes(message), message);
    throws('Index,Date\nHSI,2020-01-01\n', 'r.csv: not an ECB reference rate history: the header starts with "Index"');
    throws('Date,JPY,\n2020-01-02,120,\n', 'r.csv: the header has no USD column');
    throws('Date,USD,JPY,\n2020-13-02,1.1,120,\n', 'r.csv: line 2: "2020-13-02" is not a YYYY-MM-DD date');
    throws('Date,USD,JPY,\n2020-01-02,1.1,-3,\n', 'r.csv: line 2, JPY: "-3" is not a rate > 0 or N/A');
    throws('Date,USD,JPY,\n2020-01-02,1.1,120,\n2020-01-02,1.1,120,\n', 'r.csv: line 3: a second row for 2020-01-02');
    throws('Date,USD,\n2020-01-02,N/A,\n', 'r.csv: holds no day with a USD rate');
    throws('Date,USD,usd,\n', 'header column 3: "usd" is not a currency code');
    throws(zipSync({ 'a.csv': Buffer.from(SAMPLE), 'b.csv': Buffer.from(SAMPLE) }), 'expected one .csv in the zip, found 2 (a.csv, b.csv)');
    throws(Buffer.from('PK\u0003\u0004garbage'), 'r.csv: not a readable zip');
  });
});
