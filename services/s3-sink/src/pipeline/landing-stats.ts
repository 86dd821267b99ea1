// What an uploaded object tells about freshness: how long its records took
// from ingest to the lake, and the newest of them. Pure, over the object's
// ingested_at column.

import { LATENCY_SAMPLE_EVERY } from '@stockstream/common';

export interface LandingStats {
  /** Seconds from ingestedAt to landing, of every `every`-th record. */
  latencySeconds: number[];
  /** The newest ingestedAt (epoch ms) in the object; -Infinity when empty. */
  newestMs: number;
}

export function landingStats(ingestedAtMs: ArrayLike<number>, landedAtMs: number, every = LATENCY_SAMPLE_EVERY): LandingStats {
  const latencySeconds: number[] = [];
  let newestMs = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < ingestedAtMs.length; i++) {
    const at = ingestedAtMs[i]!;
    if (at > newestMs) newestMs = at;
    if (i % every === 0) latencySeconds.push((landedAtMs - at) / 1000);
  }
  return { latencySeconds, newestMs };
}
