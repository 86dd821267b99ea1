import type { EnrichedTick } from '@stockstream/common';
import { escapePartitionValue } from './hive-escape.js';
import type { Partitioner } from './partitioner.js';

const MS_PER_DAY = 86_400_000;

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
  partitionPath(tick: EnrichedTick): string {
    return `index=${escapePartitionValue(tick.index)}/year=${formatYear(utcYearOfEpochDay(tick.date))}`;
  }
}
