// Rules on traded volume.
//
// A null volume is NOT rejected: it becomes 0 in the enriched tick (see
// enrichedVolume), because 0 is already how the source says "no volume data"
// (18,593 rows of the public set, all older years) and the enriched schema
// documents volume as "0 where the source has none". Dead-lettering a bar with
// valid prices would lose its close, the product of this service, for a field
// nothing downstream derives numbers from. The public set never has a null
// volume next to non-null prices.
import type { RawTick } from '@stockstream/common';
import type { Rejection } from './rejection.js';

type Volume = Pick<RawTick, 'volume'>;

/** The enriched schema's volume is a long: a fraction, NaN or an unsafe integer cannot be encoded faithfully. */
export function invalidVolume(tick: Volume): Rejection | null {
  if (tick.volume == null || Number.isSafeInteger(tick.volume)) return null;
  return { reason: 'invalid_volume', message: `volume=${String(tick.volume)} is not a whole number` };
}

export function negativeVolume(tick: Volume): Rejection | null {
  if (tick.volume == null || tick.volume >= 0) return null;
  return { reason: 'negative_volume', message: `volume=${tick.volume} is negative` };
}

/** The volume an accepted tick carries: null (no data) becomes 0, the source's own "no data" value. */
export function enrichedVolume(tick: Volume): number {
  return tick.volume ?? 0;
}
