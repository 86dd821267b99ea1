// What the enrichment wrote, read back as downstream readers see it
// (read_committed), keyed by the raw record each output came from: the
// exactly-once tests count these.
import type { DeadLetter, EnrichedTick } from '@stockstream/common';
import { readDecoded } from '@stockstream/common/testing';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Outputs by raw coordinates (partition/offset): each must appear once. */
export async function outputs(topics: { enriched: string; dlq: string }) {
  const enriched = await readDecoded<EnrichedTick>(topics.enriched, 'enrichedTick');
  const dead = await readDecoded<DeadLetter>(topics.dlq, 'deadLetter');
  const coords = new Map<string, number>();
  const add = (k: string) => coords.set(k, (coords.get(k) ?? 0) + 1);
  enriched.forEach((m) => add(`${m.value.rawPartition}/${m.value.rawOffset}`));
  dead.forEach((m) => add(`${m.value.sourcePartition}/${m.value.sourceOffset}`));
  const duplicates = [...coords].filter(([, n]) => n > 1).length;
  const reasons: Record<string, number> = {};
  dead.forEach((m) => (reasons[m.value.reason] = (reasons[m.value.reason] ?? 0) + 1));
  return { enriched: enriched.length, dead: dead.length, distinct: coords.size, duplicates, reasons, enrichedRecords: enriched };
}

/** Waits until the outputs hold `total` records (read_committed) or the time is up. */
export async function waitForOutputs(topics: { enriched: string; dlq: string }, total: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const o = await outputs(topics);
    if (o.enriched + o.dead >= total || Date.now() > deadline) return o;
    await sleep(1000);
  }
}
