import type { EnrichedTick } from '@stockstream/common';
import { daysFromCivil } from '@stockstream/common/dates';
import { escapePartitionValue } from './hive-escape.js';
import type { Partitioner } from './partitioner.js';

const MS_PER_DAY = 86_400_000;
/** Bound of the path cache. */
const MAX_CACHED_INDICES = 10_000;
/** Epoch days a Date can hold (ECMAScript's time range, ±1e8 days): utcYearOfEpochDay refuses the rest, so the cache must not cover them. */
const DATE_RANGE_DAYS = 100_000_000;

/** UTC calendar year of an epoch day (negative days are before 1970). */
export function utcYearOfEpochDay(epochDay: number): number {
  if (!Number.isSafeInteger(epochDay)) throw new RangeError(`epoch day must be an integer, got ${epochDay}`);
  const year = new Date(epochDay * MS_PER_DAY).getUTCFullYear();
  if (Number.isNaN(year)) throw new RangeError(`epoch day ${epochDay} is outside the representable date range`);
  return year;
}

/** Four digits so that listing `year=` folders sorts them in time order. */
function formatYear(year: number): string {
  return year < 0 ? String(year) : String(year).padStart(4, '0');
}

/**
 * `index=<symbol>/year=<YYYY>`: one folder per index and trading year (UTC),
 * the layout Athena/Glue, Spark and DuckDB read as Hive partitions, so
 * queries filtered on index or year read only their folders. Year comes from
 * the tick's trading date, never from processing time, so replays land in the
 * same place. The symbol is escaped Hive-style (`^GSPC` → `index=%5EGSPC`);
 * readers decode it back to `^GSPC`.
 */
export class HivePartitioner implements Partitioner {
  /** Per index, the year it had last (as the epoch days it spans) and its path: a stream moves through the years slowly. */
  private readonly last = new Map<string, { fromDay: number; toDay: number; path: string }>();

  partitionPath(tick: EnrichedTick): string {
    const day = tick.date;
    const hit = this.last.get(tick.index);
    if (hit !== undefined && day >= hit.fromDay && day < hit.toDay && Number.isInteger(day)) return hit.path;
    const year = utcYearOfEpochDay(day);
    const path = `index=${escapePartitionValue(tick.index)}/year=${formatYear(year)}`;
    if (this.last.size >= MAX_CACHED_INDICES) this.last.clear();
    this.last.set(tick.index, { fromDay: Math.max(daysFromCivil(year, 1, 1), -DATE_RANGE_DAYS), toDay: Math.min(daysFromCivil(year + 1, 1, 1), DATE_RANGE_DAYS + 1), path });
    return path;
  }
}
