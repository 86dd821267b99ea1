// The dead-letter envelope of the enrichment stage: the reason, and enough to
// find (topic/partition/offset, file/line) and replay the original record.
import type { DeadLetter, RawTick } from '@stockstream/common';
import type { RawCoordinates } from './raw-coordinates.js';

/**
 * `input` is the decoded raw tick, or the message value bytes when they could
 * not be decoded (then only the bytes can be kept, and no file/line is known).
 */
export function deadLetterFor(input: RawTick | Uint8Array, coords: RawCoordinates, reason: string, message: string, now: number): DeadLetter {
  const undecoded = input instanceof Uint8Array;
  const source = undecoded ? null : input.source;
  return {
    stage: 'ENRICHMENT',
    reason,
    message,
    sourceTopic: coords.topic,
    sourcePartition: coords.partition,
    sourceOffset: coords.offset,
    sourceFile: source?.kind === 'FILE' ? source.name : null,
    // For generated ticks the line is the generator's sequence number (see the dead-letter schema).
    sourceLine: source ? source.line : null,
    originalText: undecoded ? null : recordJson(input),
    // A copy: the consumer may reuse or release the message buffer.
    originalBytes: undecoded ? Buffer.from(input) : null,
    failedAt: now,
  };
}

/**
 * JSON of the decoded record. JSON would turn NaN and Infinity into null and
 * cannot encode a bigint; writing them as strings keeps the text faithful to
 * what was rejected (often exactly such a value).
 */
export function recordJson(record: unknown): string {
  // A replacer makes stringify several times slower: only pay for it when a value needs it.
  if (!hasUnjsonable(record)) return JSON.stringify(record);
  return JSON.stringify(record, (_key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
    if (typeof v === 'bigint') return v.toString();
    return v;
  });
}

function hasUnjsonable(v: unknown): boolean {
  if (typeof v === 'number') return !Number.isFinite(v);
  if (typeof v === 'bigint') return true;
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.some(hasUnjsonable);
  // Own keys only: avsc records carry enumerable methods on their prototype.
  for (const k of Object.keys(v)) if (hasUnjsonable((v as Record<string, unknown>)[k])) return true;
  return false;
}
