// Applying one record of the compacted fx.rates topic to the table. Pure over
// the table so the Kafka consumer stays a thin loop.
import type { FxRate } from '@stockstream/common';
import { parseFxKey, fxKey } from './fx-key.js';
import { checkFxRate } from './fx-rate-check.js';
import type { FxTable } from './fx-table.js';

export type FxRecordOutcome = { ok: true; change: 'upsert' | 'remove' } | { ok: false; error: string };

/**
 * A value upserts, a tombstone (null value) removes the key's rate. A bad
 * record is reported, not thrown, so one bad message cannot stop FX updates;
 * the key must agree with the value, or compaction would later keep or drop
 * the wrong rate.
 */
export function applyFxRecord(table: FxTable, key: string | null, value: FxRate | null, at: number): FxRecordOutcome {
  const parsed = key === null ? null : parseFxKey(key);
  if (!parsed) return { ok: false, error: `key ${JSON.stringify(key)} is not '<currency>@<YYYY-MM-DD>'` };
  if (value === null) {
    table.remove(parsed.currency, parsed.effectiveDate, at);
    return { ok: true, change: 'remove' };
  }
  const problem = checkFxRate(value);
  if (problem) return { ok: false, error: `key ${key}: ${problem}` };
  if (value.currency !== parsed.currency || value.effectiveDate !== parsed.effectiveDate) {
    return { ok: false, error: `key ${key} does not match its value ${fxKey(value.currency, value.effectiveDate)}` };
  }
  table.upsert(value, at);
  return { ok: true, change: 'upsert' };
}
