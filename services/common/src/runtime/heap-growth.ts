// How far V8 lets the old generation grow past what survived the last full
// collection before it collects again. V8's own factor (up to 4x when
// collections are fast, as they are for these services' ~25 MB of live
// objects) let a service's batch garbage reach ~90 MB of heap before each
// full collection; a lower factor trades a few more of those ~15 ms
// collections for that memory (docs/performance.md#memory).
import { setFlagsFromString } from 'node:v8';

/**
 * Sets V8's heap growing factor to 1 + percent/100 for every later
 * collection. A V8 flag that NODE_OPTIONS does not accept, hence set from
 * here; V8 reads it at each collection, so setting it at start-up applies to
 * the whole run.
 */
export function setHeapGrowingPercent(percent: number): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}
