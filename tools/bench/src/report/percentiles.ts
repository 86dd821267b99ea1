// Percentiles of a latency sample. Pure.

/**
 * The p-th percentile (0 < p <= 100) of ascending `sorted` by nearest rank:
 * the smallest value with at least p% of the values at or below it, so it is
 * always a value that occurred (no interpolation between two records).
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) throw new Error('percentile of no values');
  if (!(p > 0 && p <= 100)) throw new Error(`percentile must be in (0, 100], got ${p}`);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[rank - 1]!;
}

export interface Distribution {
  count: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Summary of `values` (any order; not modified). */
export function distribution(values: ArrayLike<number>): Distribution {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i]!;
  return {
    count: sorted.length,
    min: sorted[0]!,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1]!,
    mean: sum / sorted.length,
  };
}

/** The percentiles 1, 2, ..., 100 of `values`: the distribution's curve, small enough to keep in the report. */
export function percentileCurve(values: ArrayLike<number>): number[] {
  const sorted = Float64Array.from(values).sort();
  return Array.from({ length: 100 }, (_, i) => percentile(sorted, i + 1));
}
