import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadFallbackRates } from '../../src/fx/fallback-rates.js';
import { parseFxRates, loadRateFile } from '../../src/fx/rate-file.js';
import { FxTable } from '../../src/fx/fx-table.js';
import { DataFileError } from '../../src/reference/data-file.js';
import { loadIndexReference, parseIndexReference } from '../../src/reference/index-reference.js';
import { EPOCH_DAY_1900_01_01 } from '../../src/validation/epoch-day.js';

const dir = mkdtempSync(join(tmpdir(), 'enrichment-data-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
const entry = { index: 'HSI', exchange: 'Hong Kong Stock Exchange', region: 'Hong Kong', currency: 'HKD' };

function throwsDataError(fn: () => unknown, ...inMessage: (string | RegExp)[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof DataFileError, String(err));
    for (const m of inMessage) assert.match(err.message, typeof m === 'string' ? new RegExp(m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : m);
    return true;
  });
}

describe('index reference', () => {
  it('the shipped file holds the 14 indices of indexInfo.csv', () => {
    const ref = loadIndexReference();
    assert.equal(ref.size, 14);
    assert.deepEqual(ref.get('HSI'), { exchange: 'Hong Kong Stock Exchange', region: 'Hong Kong', currency: 'HKD' });
    assert.deepEqual(ref.get('000001.SS'), { exchange: 'Shanghai Stock Exchange', region: 'China', currency: 'CNY' });
    assert.deepEqual(ref.get('J203.JO'), { exchange: 'Johannesburg Stock Exchange', region: 'South Africa', currency: 'ZAR' });
    assert.deepEqual([...new Set([...ref.values()].map((i) => i.currency))].sort(), ['CAD', 'CHF', 'CNY', 'EUR', 'HKD', 'INR', 'JPY', 'KRW', 'TWD', 'USD', 'ZAR']);
  });

  it('reads a user file', () => {
    const path = file('own.json', JSON.stringify({ indices: [entry, { index: 'FTSE', exchange: 'LSE', region: 'UK', currency: 'GBP' }] }));
    const ref = loadIndexReference(path);
    assert.deepEqual([...ref.keys()], ['HSI', 'FTSE']);
  });

  it('errors name the file and the bad entry', () => {
    assert.throws(() => loadIndexReference(join(dir, 'absent.json')), { name: 'InputFileError', message: `cannot read ${join(dir, 'absent.json')}: no such file` });
    throwsDataError(() => loadIndexReference(file('broken.json', '{"indices": [')), 'broken.json: not valid JSON');
    throwsDataError(() => parseIndexReference([entry], 'f.json'), 'f.json: expected a JSON object with an array "indices"');
    throwsDataError(() => parseIndexReference({ indices: [] }, 'f.json'), 'f.json: "indices" is empty');
    throwsDataError(() => parseIndexReference({ indices: [entry, 'HSI'] }, 'f.json'), 'f.json: entry 2: expected an object');
    throwsDataError(() => parseIndexReference({ indices: [{ ...entry, index: '' }] }, 'f.json'), 'entry 1: "index" must be a non-empty string, got ""');
    throwsDataError(() => parseIndexReference({ indices: [{ ...entry, region: undefined }] }, 'f.json'), 'entry 1 (index HSI): "region" must be a non-empty string, got nothing');
    throwsDataError(() => parseIndexReference({ indices: [{ ...entry, currency: 'hkd' }] }, 'f.json'), 'entry 1 (index HSI): currency "hkd" is not an ISO 4217 code');
    throwsDataError(() => parseIndexReference({ indices: [entry, { ...entry, currency: 'USD' }] }, 'f.json'), 'entry 2 (index HSI): index HSI is listed twice');
  });
});

describe('FX rate files', () => {
  it('the shipped fallback: one rate per currency of the reference but USD (an identity), effective 1900-01-01, each with a source', () => {
    const rates = loadFallbackRates();
    const currencies = [...new Set([...loadIndexReference().values()].map((i) => i.currency))].filter((c) => c !== 'USD').sort();
    assert.deepEqual(rates.map((r) => r.currency).sort(), currencies);
    for (const r of rates) {
      assert.equal(r.effectiveDate, EPOCH_DAY_1900_01_01, r.currency);
      assert.ok(r.source.length > 10, r.currency);
    }
    const table = FxTable.of(rates, 0);
    // The public set's own rates, exactly.
    assert.equal(table.lookup('HKD', 0)?.rateToUsd, 0.13);
    assert.equal(table.lookup('CAD', 0)?.rateToUsd, 0.83);
  });

  it('a fallback file with two rates of one currency is refused', () => {
    const path = file('two.json', JSON.stringify({ rates: [
      { currency: 'HKD', rateToUsd: 0.13, effectiveDate: '1970-01-01', source: 'a' },
      { currency: 'HKD', rateToUsd: 0.128, effectiveDate: '2000-01-01', source: 'b' },
    ] }));
    throwsDataError(() => loadFallbackRates(path), 'two.json: a second rate of HKD: a fallback is one rate per currency');
  });

  it('reads a user file with dated rates', () => {
    const path = file('rates.json', JSON.stringify({ rates: [
      { currency: 'HKD', rateToUsd: 0.13, effectiveDate: '1970-01-01', source: 'a' },
      { currency: 'HKD', rateToUsd: 0.128, effectiveDate: '2000-01-01', source: 'b' },
    ] }));
    assert.deepEqual(loadRateFile(path), [
      { currency: 'HKD', rateToUsd: 0.13, effectiveDate: 0, source: 'a' },
      { currency: 'HKD', rateToUsd: 0.128, effectiveDate: 10_957, source: 'b' },
    ]);
  });

  it('errors name the file and the bad entry', () => {
    const ok = { currency: 'HKD', rateToUsd: 0.13, effectiveDate: '1900-01-01', source: 's' };
    const bad = (over: Record<string, unknown>) => ({ rates: [ok, { ...ok, ...over }] });
    assert.throws(() => loadRateFile(join(dir, 'none.json')), { name: 'InputFileError', message: `cannot read ${join(dir, 'none.json')}: no such file` });
    assert.throws(() => loadRateFile(dir), { name: 'InputFileError', message: `cannot read ${dir}: it is a folder` });
    throwsDataError(() => loadRateFile(file('broken.json', '{"rates": [')), 'broken.json: not valid JSON');
    throwsDataError(() => parseFxRates({ rate: [ok] }, 'r.json'), 'r.json: expected a JSON object with an array "rates"');
    throwsDataError(() => parseFxRates(bad({ currency: 'HK' }), 'r.json'), 'r.json: entry 2 (HK): currency "HK" is not an ISO 4217 code');
    throwsDataError(() => parseFxRates(bad({ rateToUsd: 0 }), 'r.json'), 'entry 2 (HKD): rateToUsd 0 of HKD is not a finite number > 0');
    throwsDataError(() => parseFxRates(bad({ rateToUsd: '0.13' }), 'r.json'), 'entry 2 (HKD): rateToUsd 0.13 of HKD is not a finite number > 0');
    throwsDataError(() => parseFxRates(bad({ rateToUsd: null }), 'r.json'), 'rateToUsd null');
    throwsDataError(() => parseFxRates(bad({ effectiveDate: '1900-02-30' }), 'r.json'), 'entry 2 (HKD): effectiveDate "1900-02-30" is not a YYYY-MM-DD date');
    throwsDataError(() => parseFxRates(bad({ effectiveDate: 0 }), 'r.json'), 'entry 2 (HKD): "effectiveDate" must be a non-empty string, got 0');
    throwsDataError(() => parseFxRates(bad({ source: '' }), 'r.json'), 'entry 2 (HKD): "source" must be a non-empty string');
    throwsDataError(() => parseFxRates(bad({}), 'r.json'), 'entry 2 (HKD): a second rate for HKD@1900-01-01');
  });
});
