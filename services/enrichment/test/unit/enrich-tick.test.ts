import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RawTick } from '@stockstream/common';
import { enrichTick, type EnrichmentContext } from '../../src/enrich/enrich-tick.js';
import { FxTable } from '../../src/fx/fx-table.js';
import type { IndexReference } from '../../src/reference/index-reference.js';
import { day, rawTick } from './support/ticks.js';

const reference: IndexReference = new Map([
  ['HSI', { exchange: 'Hong Kong Stock Exchange', region: 'Hong Kong', currency: 'HKD' }],
  ['NYA', { exchange: 'New York Stock Exchange', region: 'United States', currency: 'USD' }],
  ['N225', { exchange: 'Tokyo Stock Exchange', region: 'Japan', currency: 'JPY' }],
]);
const fx = FxTable.of(
  [
    { currency: 'HKD', rateToUsd: 0.13, effectiveDate: day('1900-01-01'), source: 'public set' },
    { currency: 'HKD', rateToUsd: 0.1288, effectiveDate: day('2020-01-01'), source: 'test' },
    { currency: 'USD', rateToUsd: 1, effectiveDate: day('1900-01-01'), source: 'identity' },
  ],
  0,
);
const ctx: EnrichmentContext = { reference, fx, today: day('2021-06-01'), now: 1_800_000_000_000 };
const coords = { topic: 'ticks.raw', partition: 2, offset: 41_237 };

describe('enrichTick', () => {
  it('builds the enriched tick: prices, reference data, the FX rate in effect, closeUsd, provenance', () => {
    const raw = rawTick({ date: day('2019-12-31'), low: 28100, close: 28189.75, sourceCloseUsd: 123 });
    assert.deepEqual(enrichTick(raw, coords, ctx), {
      ok: true,
      tick: {
        index: 'HSI', date: day('2019-12-31'), open: 29000, high: 29200, low: 28100, close: 28189.75, adjClose: 29124.41,
        volume: 1_500_000_000, exchange: 'Hong Kong Stock Exchange', region: 'Hong Kong', currency: 'HKD',
        fxRate: 0.13, fxEffectiveDate: day('1900-01-01'), closeUsd: 28189.75 * 0.13,
        source: { kind: 'FILE', name: 'indexData.csv', line: 42 }, rawTopic: 'ticks.raw', rawPartition: 2, rawOffset: 41_237,
        ingestedAt: 1_700_000_000_000, enrichedAt: 1_800_000_000_000, fxSource: 'public set',
      },
    });
  });

  it('uses the latest rate on or before the tick\'s date', () => {
    const r = enrichTick(rawTick({ date: day('2020-01-02'), close: 28543.52, open: 28500, high: 28600, low: 28400 }), coords, ctx);
    assert.ok(r.ok);
    assert.equal(r.tick.fxRate, 0.1288);
    assert.equal(r.tick.fxEffectiveDate, day('2020-01-01'));
    assert.equal(r.tick.closeUsd, 28543.52 * 0.1288);
  });

  it('USD indices convert at the USD rate of the data (1)', () => {
    const r = enrichTick(rawTick({ index: 'NYA', open: 16500, high: 16600, low: 16400, close: 16555.6, adjClose: 16555.6 }), coords, ctx);
    assert.ok(r.ok);
    assert.equal(r.tick.closeUsd, 16555.6);
    assert.equal(r.tick.currency, 'USD');
  });

  it('no rate for the currency: no_fx_rate, never an invented number', () => {
    const r = enrichTick(rawTick({ index: 'N225' }), coords, ctx);
    assert.deepEqual(r, { ok: false, reason: 'no_fx_rate', message: 'no JPY to USD rate effective on or before 2021-05-28 (day 18775) (index N225)' });
  });

  it('no rate on or before the date: no_fx_rate', () => {
    const late = FxTable.of([{ currency: 'HKD', rateToUsd: 0.13, effectiveDate: day('2000-01-01'), source: '' }], 0);
    const r = enrichTick(rawTick({ date: day('1999-12-31') }), coords, { ...ctx, fx: late });
    assert.equal(r.ok ? 'ok' : r.reason, 'no_fx_rate');
  });

  it('an invalid tick is rejected with the validation reason, before any FX lookup', () => {
    const holiday = rawTick({ open: null, high: null, low: null, close: null, adjClose: null, volume: null });
    assert.deepEqual(enrichTick(holiday, coords, ctx), {
      ok: false, reason: 'missing_price', message: 'open, high, low, close, adjClose are null (no bar for this date, e.g. a market holiday)',
    });
    const unknown = enrichTick(rawTick({ index: 'FTSE' }), coords, ctx);
    assert.equal(unknown.ok ? 'ok' : unknown.reason, 'unknown_index');
    const future = enrichTick(rawTick({ date: day('2021-06-02') }), coords, ctx);
    assert.equal(future.ok ? 'ok' : future.reason, 'date_in_future');
  });

  it('a null volume becomes 0', () => {
    const r = enrichTick(rawTick({ volume: null }), coords, ctx);
    assert.ok(r.ok);
    assert.equal(r.tick.volume, 0);
  });

  it('takes data, not prototypes, from a decoded Avro class instance', () => {
    class SourceRefRecord {
      constructor(readonly kind: 'FILE', readonly name: string, readonly line: number) {}
      toBuffer(): Buffer {
        return Buffer.alloc(0);
      }
    }
    class RawTickRecord {
      constructor(fields: RawTick) {
        Object.assign(this, fields, { source: new SourceRefRecord('FILE', fields.source.name, fields.source.line) });
      }
      clone(): this {
        return this;
      }
    }
    const r = enrichTick(new RawTickRecord(rawTick()) as unknown as RawTick, coords, ctx);
    assert.ok(r.ok);
    assert.equal(Object.getPrototypeOf(r.tick), Object.prototype);
    assert.equal(Object.getPrototypeOf(r.tick.source), Object.prototype);
    assert.deepEqual(r.tick.source, { kind: 'FILE', name: 'indexData.csv', line: 42 });
    assert.equal('clone' in r.tick, false);
  });
});
