import type { DeadLetter, EnrichedTick, RawTick } from '@stockstream/common';
import { deadLetterFor } from '../enrich/dead-letter.js';
import { enrichTick, type EnrichmentContext } from '../enrich/enrich-tick.js';
import type { RawCoordinates } from '../enrich/raw-coordinates.js';

export type Routed = { kind: 'enriched'; key: string; tick: EnrichedTick } | { kind: 'dead'; key: string; reason: string; letter: DeadLetter };

/** Where one consumed record goes: exactly one output per input, which is what exactly-once counts. */
export function routeRecord(
  decoded: { ok: true; raw: RawTick } | { ok: false; bytes: Uint8Array; reason: string; message: string },
  coords: RawCoordinates,
  ctx: EnrichmentContext,
): Routed {
  if (!decoded.ok) return { kind: 'dead', key: `${coords.topic}/${coords.partition}/${coords.offset}`, reason: decoded.reason, letter: deadLetterFor(decoded.bytes, coords, decoded.reason, decoded.message, ctx.now) };
  const r = enrichTick(decoded.raw, coords, ctx);
  if (r.ok) return { kind: 'enriched', key: r.tick.index, tick: r.tick };
  return { kind: 'dead', key: decoded.raw.index, reason: r.reason, letter: deadLetterFor(decoded.raw, coords, r.reason, r.message, ctx.now) };
}
