import type { EnrichedTick } from '@stockstream/common';

/**
 * Decides which lake partition (folder under the table) a tick belongs to, as
 * Confluent's S3 sink Partitioner does. The result is a relative path such as
 * `index=HSI/year=1999`: no leading or trailing slash, already safe for S3
 * keys. It must depend only on the tick, so that replaying the same records
 * puts them in the same folders (the object key is built from it).
 */
export interface Partitioner {
  partitionPath(tick: EnrichedTick): string;
}
