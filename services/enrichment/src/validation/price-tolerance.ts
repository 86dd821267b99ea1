// How far a price may stray outside [low, high] and still count as inside.
//
// The public data stores levels as float32 printed with 6 decimals
// (2568.300049 is float32(2568.3)): its own precision is ~6e-8 relative. Our
// doubles add a few ulps (~1e-16 relative) per parse or arithmetic step, and a
// generator or upstream feed computing low = min(open, close) * k adds similar
// noise. A 1e-9 relative tolerance forgives that round-off by seven orders of
// magnitude yet stays 60x below anything the source can express, so every real
// violation is still caught. The absolute 1e-12 covers levels near 0, where a
// relative tolerance alone would be 0.
export const RELATIVE_TOLERANCE = 1e-9;
export const ABSOLUTE_TOLERANCE = 1e-12;

/** Slack allowed when comparing prices of the bar whose levels are a and b. */
export function priceSlack(a: number, b: number): number {
  return RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b)) + ABSOLUTE_TOLERANCE;
}

/** a > b by more than round-off. */
export function clearlyAbove(a: number, b: number, slack: number): boolean {
  return a - b > slack;
}
