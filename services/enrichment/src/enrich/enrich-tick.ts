// One raw tick -> one enriched tick or one rejection. Pure: the reference
// data, FX rates, "today" and "now" come in as arguments.
import type { EnrichedTick, RawTick } from '@stockstream/common';
import type { FxLookup } from '../fx/fx-table.js';
import type { IndexReference } from '../reference/index-reference.js';
import { describeEpochDay } from '../validation/epoch-day.js';
import type { CheckedPrices } from '../validation/price-rules.js';
import { validateTick, type ValidationReason } from '../validation/rules.js';
import { enrichedVolume } from '../validation/volume-rules.js';
import type { RawCoordinates } from './raw-coordinates.js';

export type EnrichmentReason = ValidationReason | 'no_fx_rate';

export interface EnrichmentContext {
  reference: IndexReference;
  fx: FxLookup;
  /** Latest acceptable trading date, epoch days (latestCalendarDay(now) in the service). */
  today: number;
  /** Epoch ms, becomes enrichedAt. */
  now: number;
}

export type EnrichResult = { ok: true; tick: EnrichedTick } | { ok: false; reason: EnrichmentReason; message: string };

export function enrichTick(raw: RawTick, coords: RawCoordinates, ctx: EnrichmentContext): EnrichResult {
  const rejection = validateTick(raw, { knownIndex: (symbol) => ctx.reference.has(symbol), today: ctx.today });
  if (rejection) return { ok: false, ...rejection };
  const info = ctx.reference.get(raw.index);
  if (!info) return { ok: false, reason: 'unknown_index', message: `index ${JSON.stringify(raw.index)} is not in the index reference data` };
  // No rate means no USD close: the tick is dead-lettered, never given a guessed rate.
  const fx = ctx.fx.lookup(info.currency, raw.date);
  if (!fx) {
    return {
      ok: false,
      reason: 'no_fx_rate',
      message: `no ${info.currency} to USD rate effective on or before ${describeEpochDay(raw.date)} (index ${raw.index})`,
    };
  }
  const prices = raw as RawTick & CheckedPrices; // validateTick passed: all five are finite numbers
  // Fields are copied one by one (never spread) so a decoded Avro class instance contributes data, not its prototype.
  return {
    ok: true,
    tick: {
      index: raw.index,
      date: raw.date,
      open: prices.open,
      high: prices.high,
      low: prices.low,
      close: prices.close,
      adjClose: prices.adjClose,
      volume: enrichedVolume(raw),
      exchange: info.exchange,
      region: info.region,
      currency: info.currency,
      fxRate: fx.rateToUsd,
      fxEffectiveDate: fx.effectiveDate,
      closeUsd: prices.close * fx.rateToUsd,
      source: { kind: raw.source.kind, name: raw.source.name, line: raw.source.line },
      rawTopic: coords.topic,
      rawPartition: coords.partition,
      rawOffset: coords.offset,
      ingestedAt: raw.ingestedAt,
      enrichedAt: ctx.now,
      fxSource: fx.source,
    },
  };
}
