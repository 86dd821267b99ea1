// What a fault-free run gives for an input: the enriched rows (through the
// enrichment's own pure core, with the same reference data and FX rates the
// service loads) and the dead letters with their reasons. The chaos run's lake
// and dead-letter topic must equal it, whatever was killed on the way.

import type { EnrichedTick, RawTick } from '@stockstream/common';
import { formatDate } from '@stockstream/common/dates';
import { enrichTick, type EnrichmentContext } from '@stockstream/enrichment/dist/src/enrich/enrich-tick.js';
import { SHIPPED_ECB_HISTORY } from '@stockstream/enrichment/dist/src/fx/ecb-history.js';
import { loadFallbackRates } from '@stockstream/enrichment/dist/src/fx/fallback-rates.js';
import { FxTable } from '@stockstream/enrichment/dist/src/fx/fx-table.js';
import { RateResolver } from '@stockstream/enrichment/dist/src/fx/rate-resolver.js';
import { loadRateFile } from '@stockstream/enrichment/dist/src/fx/rate-file.js';
import type { IndexReference } from '@stockstream/enrichment/dist/src/reference/index-reference.js';
import { latestCalendarDay } from '@stockstream/enrichment/dist/src/validation/epoch-day.js';
import type { SourceItem } from '@stockstream/ingest/dist/src/source/csv-file-source.js';

/** One dead letter: which stage, why, and which record (`file:line`, or `topic/partition/offset` for undecodable values). */
export interface DeadLetterId {
  stage: string;
  reason: string;
  record: string;
}

export const recordOfLine = (file: string, line: number) => `${file}:${line}`;
export const recordOfOffset = (topic: string, partition: number, offset: number) => `${topic}/${partition}/${offset}`;

/** The lake's columns a fault-free run determines (not offsets, not timestamps), in the order of the expected CSV. */
export const COMPARED_COLUMNS = [
  ['source_name', 'VARCHAR'], ['source_line', 'BIGINT'], ['index', 'VARCHAR'], ['date', 'DATE'], ['open', 'DOUBLE'], ['high', 'DOUBLE'],
  ['low', 'DOUBLE'], ['close', 'DOUBLE'], ['adj_close', 'DOUBLE'], ['volume', 'BIGINT'], ['exchange', 'VARCHAR'], ['region', 'VARCHAR'],
  ['currency', 'VARCHAR'], ['fx_rate', 'DOUBLE'], ['fx_effective_date', 'DATE'], ['close_usd', 'DOUBLE'], ['fx_source', 'VARCHAR'],
] as const;

const quoted = (s: string) => `"${s.replaceAll('"', '""')}"`;

/** One expected lake row as a CSV line of COMPARED_COLUMNS (numbers in JavaScript's shortest round-trip form: DuckDB reads them back exactly). */
export function expectedRowCsv(t: EnrichedTick): string {
  return [
    quoted(t.source.name), t.source.line, quoted(t.index), formatDate(t.date), t.open, t.high, t.low, t.close, t.adjClose, t.volume,
    quoted(t.exchange), quoted(t.region), quoted(t.currency), t.fxRate, formatDate(t.fxEffectiveDate), t.closeUsd, t.fxSource === null ? '' : quoted(t.fxSource),
  ].join(',');
}

/** The service's enrichment context: shipped ECB history for the reference's currencies, shipped fallback rates. */
export function enrichmentContext(reference: IndexReference, nowMs: number): EnrichmentContext {
  const currencies = new Set([...reference.values()].map((i) => i.currency));
  const fx = new RateResolver(FxTable.of(loadRateFile(SHIPPED_ECB_HISTORY, currencies), nowMs), loadFallbackRates());
  return { reference, fx, today: latestCalendarDay(nowMs), now: nowMs };
}

export interface ItemOutcome {
  enriched?: EnrichedTick;
  deadLetter?: DeadLetterId;
}

/** What one item of the source becomes: an enriched row, or a dead letter of ingest or of the enrichment. */
export function itemOutcome(item: SourceItem, ctx: EnrichmentContext): ItemOutcome {
  if (item.kind === 'rejected') return { deadLetter: { stage: 'INGEST', reason: item.reason, record: recordOfLine(item.file, item.line) } };
  return tickOutcome(item.tick, ctx);
}

export function tickOutcome(tick: RawTick, ctx: EnrichmentContext): ItemOutcome {
  const r = enrichTick(tick, { topic: '', partition: 0, offset: 0 }, ctx);
  if (r.ok) return { enriched: r.tick };
  return { deadLetter: { stage: 'ENRICHMENT', reason: r.reason, record: recordOfLine(tick.source.name, tick.source.line) } };
}
