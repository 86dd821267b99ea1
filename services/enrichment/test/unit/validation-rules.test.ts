import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RawTick } from '@stockstream/common';
import { validateTick, VALIDATION_REASONS, VALIDATION_RULES, type ValidationContext } from '../../src/validation/rules.js';
import { dateBefore1900, dateInFuture, invalidDate, unknownIndex } from '../../src/validation/identity-rules.js';
import {
  closeOutsideRange,
  lowAboveHigh,
  missingPrice,
  negativePrice,
  nonFinitePrice,
  openOutsideRange,
  zeroPrice,
} from '../../src/validation/price-rules.js';
import { enrichedVolume, invalidVolume, negativeVolume } from '../../src/validation/volume-rules.js';
import { day, rawTick } from './support/ticks.js';

const ctx: ValidationContext = { knownIndex: (s) => s === 'HSI' || s === 'NYA', today: day('2021-06-01') };
const bar = (over: Partial<RawTick> = {}): RawTick => rawTick(over);
const prices = (open: number, high: number, low: number, close: number) => ({ open, high, low, close, adjClose: close });

function rejects(result: { reason: string; message: string } | null, reason: string, ...inMessage: string[]): void {
  assert.ok(result, `expected ${reason}, got a pass`);
  assert.equal(result.reason, reason);
  for (const text of inMessage) assert.ok(result.message.includes(text), `message ${JSON.stringify(result.message)} lacks ${JSON.stringify(text)}`);
}

describe('identity rules', () => {
  it('unknown_index: passes a known symbol, rejects another one naming it', () => {
    assert.equal(unknownIndex(bar(), ctx), null);
    rejects(unknownIndex(bar({ index: 'FTSE' }), ctx), 'unknown_index', '"FTSE"');
    rejects(unknownIndex(bar({ index: 'hsi' }), ctx), 'unknown_index', '"hsi"'); // symbols are case-sensitive, as in the source
  });

  it('invalid_date: passes whole days, rejects NaN, Infinity and fractions', () => {
    assert.equal(invalidDate(bar({ date: 0 })), null);
    assert.equal(invalidDate(bar({ date: -1 })), null);
    rejects(invalidDate(bar({ date: Number.NaN })), 'invalid_date', 'NaN');
    rejects(invalidDate(bar({ date: Number.POSITIVE_INFINITY })), 'invalid_date', 'Infinity');
    rejects(invalidDate(bar({ date: 1.5 })), 'invalid_date', '1.5');
  });

  it('date_before_1900: 1900-01-01 passes, the day before does not', () => {
    assert.equal(dateBefore1900(bar({ date: day('1900-01-01') })), null);
    rejects(dateBefore1900(bar({ date: day('1899-12-31') })), 'date_before_1900', '1899-12-31');
    rejects(dateBefore1900(bar({ date: day('0065-01-04') })), 'date_before_1900', '0065-01-04');
  });

  it('date_in_future: today passes, tomorrow does not (today is a parameter)', () => {
    assert.equal(dateInFuture(bar({ date: ctx.today }), ctx), null);
    rejects(dateInFuture(bar({ date: ctx.today + 1 }), ctx), 'date_in_future', '2021-06-02', '2021-06-01');
    assert.equal(dateInFuture(bar({ date: ctx.today + 1 }), { ...ctx, today: ctx.today + 1 }), null);
  });
});

describe('price rules', () => {
  it('missing_price: rejects any null price (or absent field), naming every null one', () => {
    assert.equal(missingPrice(bar()), null);
    for (const f of ['open', 'high', 'low', 'close', 'adjClose'] as const) {
      rejects(missingPrice(bar({ [f]: null })), 'missing_price', `${f} is null`);
    }
    const holiday = bar({ open: null, high: null, low: null, close: null, adjClose: null, volume: null });
    rejects(missingPrice(holiday), 'missing_price', 'open, high, low, close, adjClose are null');
    const { close: _dropped, ...withoutClose } = bar();
    rejects(missingPrice(withoutClose as RawTick), 'missing_price', 'close');
  });

  it('non_finite_price: rejects NaN and +-Infinity in any price', () => {
    assert.equal(nonFinitePrice(bar()), null);
    rejects(nonFinitePrice(bar({ high: Number.NaN })), 'non_finite_price', 'high=NaN');
    rejects(nonFinitePrice(bar({ adjClose: Number.NEGATIVE_INFINITY })), 'non_finite_price', 'adjClose=-Infinity');
  });

  it('negative_price: rejects any price below 0', () => {
    assert.equal(negativePrice(bar()), null);
    rejects(negativePrice(bar({ low: -1 })), 'negative_price', 'low=-1');
    rejects(negativePrice(bar({ adjClose: -0.01 })), 'negative_price', 'adjClose=-0.01');
  });

  it('zero_price: rejects a level of exactly 0, accepts tiny positive levels', () => {
    assert.equal(zeroPrice(bar()), null);
    assert.equal(zeroPrice(bar(prices(1e-6, 1e-6, 1e-6, 1e-6))), null);
    rejects(zeroPrice(bar({ open: 0 })), 'zero_price', 'open=0');
  });

  it('low_above_high: rejects low > high beyond round-off only', () => {
    assert.equal(lowAboveHigh(prices(10, 10, 10, 10)), null);
    assert.equal(lowAboveHigh(prices(10, 11, 9, 10)), null);
    assert.equal(lowAboveHigh(prices(1, 0.30000000000000004, 0.3 + 1e-16, 0.3)), null);
    rejects(lowAboveHigh(prices(10, 9, 11, 10)), 'low_above_high', 'low=11', 'high=9');
    rejects(lowAboveHigh(prices(30000, 30000, 30000.001, 30000)), 'low_above_high');
  });

  it('open_outside_range: open must lie in [low, high], up to 1e-9 relative', () => {
    assert.equal(openOutsideRange(prices(9, 11, 9, 10)), null);
    assert.equal(openOutsideRange(prices(11, 11, 9, 10)), null);
    // 0.1 + 0.2 vs 0.3: a double round-off, not a data error.
    assert.equal(openOutsideRange(prices(0.1 + 0.2, 0.3, 0.2, 0.25)), null);
    assert.equal(openOutsideRange(prices(29000 * (1 + 5e-10), 29000, 28000, 28500)), null);
    rejects(openOutsideRange(prices(29000 * (1 + 2e-9), 29000, 28000, 28500)), 'open_outside_range');
    rejects(openOutsideRange(prices(8.99, 11, 9, 10)), 'open_outside_range', 'open=8.99', '[low=9, high=11]');
    // The smallest step the source can express at this level (float32: ~0.002; quotes: 0.01) is far above the tolerance.
    rejects(openOutsideRange(prices(29000.001, 29000, 28000, 28500)), 'open_outside_range');
  });

  it('close_outside_range: close must lie in [low, high], up to 1e-9 relative', () => {
    assert.equal(closeOutsideRange(prices(10, 11, 9, 9)), null);
    rejects(closeOutsideRange(prices(10, 11, 9, 11.5)), 'close_outside_range', 'close=11.5', '[low=9, high=11]');
    rejects(closeOutsideRange(prices(10, 11, 9, 8)), 'close_outside_range', 'close=8');
  });

  it('adjClose below the low is fine (dividend/split adjustment)', () => {
    assert.equal(validateTick(bar({ ...prices(10, 11, 9, 10), adjClose: 5 }), ctx), null);
  });
});

describe('volume rules', () => {
  it('invalid_volume: rejects fractions, NaN and unsafe integers; null and 0 pass', () => {
    assert.equal(invalidVolume(bar({ volume: null })), null);
    assert.equal(invalidVolume(bar({ volume: 0 })), null);
    assert.equal(invalidVolume(bar({ volume: 123 })), null);
    rejects(invalidVolume(bar({ volume: 1.5 })), 'invalid_volume', 'volume=1.5');
    rejects(invalidVolume(bar({ volume: Number.NaN })), 'invalid_volume', 'NaN');
    rejects(invalidVolume(bar({ volume: 2 ** 60 })), 'invalid_volume');
  });

  it('negative_volume: rejects volume below 0', () => {
    assert.equal(negativeVolume(bar({ volume: 0 })), null);
    assert.equal(negativeVolume(bar({ volume: null })), null);
    rejects(negativeVolume(bar({ volume: -5 })), 'negative_volume', 'volume=-5');
  });

  it('a null volume is accepted and becomes 0 (the source\'s own "no data" value)', () => {
    assert.equal(validateTick(bar({ volume: null }), ctx), null);
    assert.equal(enrichedVolume({ volume: null }), 0);
    assert.equal(enrichedVolume({ volume: 7 }), 7);
  });
});

describe('validateTick', () => {
  it('passes a valid bar', () => {
    assert.equal(validateTick(bar(), ctx), null);
  });

  it('runs the rules in the documented order, one rule per reason', () => {
    assert.deepEqual(VALIDATION_RULES.map((r) => r.reason), [...VALIDATION_REASONS]);
    assert.deepEqual(VALIDATION_REASONS, [
      'unknown_index', 'invalid_date', 'date_before_1900', 'date_in_future', 'missing_price', 'non_finite_price', 'negative_price',
      'zero_price', 'low_above_high', 'open_outside_range', 'close_outside_range', 'invalid_volume', 'negative_volume',
    ]);
  });

  it('each rule in the list returns only its own reason', () => {
    const failing: Record<string, RawTick> = {
      unknown_index: bar({ index: 'X' }),
      invalid_date: bar({ date: Number.NaN }),
      date_before_1900: bar({ date: day('1800-01-01') }),
      date_in_future: bar({ date: ctx.today + 10 }),
      missing_price: bar({ open: null }),
      non_finite_price: bar({ open: Number.NaN }),
      negative_price: bar({ open: -1 }),
      zero_price: bar({ open: 0 }),
      low_above_high: bar(prices(10, 9, 11, 10)),
      open_outside_range: bar(prices(12, 11, 9, 10)),
      close_outside_range: bar(prices(10, 11, 9, 12)),
      invalid_volume: bar({ volume: 0.5 }),
      negative_volume: bar({ volume: -1 }),
    };
    for (const { reason, check } of VALIDATION_RULES) {
      const tick = failing[reason]!;
      assert.equal(check(tick, ctx)?.reason, reason);
      assert.equal(validateTick(tick, ctx)?.reason, reason, `validateTick on the ${reason} example`);
      assert.equal(check(bar(), ctx), null, `${reason} passes a valid bar`);
    }
  });

  it('returns only the first failure when several rules fail', () => {
    const everythingWrong = bar({ index: 'X', date: ctx.today + 1, open: null, low: -1, volume: -1 });
    assert.equal(validateTick(everythingWrong, ctx)?.reason, 'unknown_index');
    assert.equal(validateTick(bar({ date: ctx.today + 1, open: null }), ctx)?.reason, 'date_in_future');
    assert.equal(validateTick(bar({ open: null, high: Number.NaN }), ctx)?.reason, 'missing_price');
    assert.equal(validateTick(bar({ high: Number.NaN, low: -1 }), ctx)?.reason, 'non_finite_price');
    assert.equal(validateTick(bar({ low: -1, open: 0 }), ctx)?.reason, 'negative_price');
    assert.equal(validateTick(bar({ ...prices(12, 9, 11, 13), volume: -1 }), ctx)?.reason, 'low_above_high');
    assert.equal(validateTick(bar({ ...prices(12, 11, 9, 13), volume: -1 }), ctx)?.reason, 'open_outside_range');
    assert.equal(validateTick(bar({ ...prices(10, 11, 9, 13), volume: -1 }), ctx)?.reason, 'close_outside_range');
    assert.equal(validateTick(bar({ volume: -1.5 }), ctx)?.reason, 'invalid_volume');
  });

  it('does not depend on the prototype of the record (decoded Avro class instances)', () => {
    class AvroRecord {
      constructor(fields: RawTick) {
        Object.assign(this, fields);
      }
      isValid(): boolean {
        return true;
      }
    }
    assert.equal(validateTick(new AvroRecord(bar()) as unknown as RawTick, ctx), null);
    assert.equal(validateTick(new AvroRecord(bar({ close: null })) as unknown as RawTick, ctx)?.reason, 'missing_price');
    const bare = Object.assign(Object.create(null) as object, bar({ low: 30000 })) as RawTick;
    assert.equal(validateTick(bare, ctx)?.reason, 'low_above_high');
  });
});
