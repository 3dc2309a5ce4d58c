/**
 * Smoothing for line charts: an exponential moving average, debiased so the smoothed line
 * starts at the first value instead of climbing up from zero.
 *
 * A chart smooths the points it draws: each bucket's first, smallest, largest and last point
 * (chart-data.ts). So the smoothing reaches over a number of pixels, not of steps: zoomed in
 * (or on a wider panel) it covers fewer steps, and a bucket's extremes weigh as much as its
 * ends. wandb smooths the points it samples, with the same effect. Smoothing every point
 * would need each bucket's mean, which the series' stored summaries do not hold.
 */

/** The largest weight the slider offers: 1 would freeze the line at its first value. */
export const MAX_SMOOTHING = 0.99;

/**
 * The debiased EMA of `values` with `weight` in [0, 1): 0 returns the values unchanged.
 * `s ← weight·s + (1 − weight)·y`, reported as `s / (1 − weightⁿ)` after n points, so early
 * points are not pulled towards 0. Gaps (NaN, ±Infinity) stay gaps (NaN) and do not reset
 * the average: the line resumes where it left off.
 *
 * @example
 * smoothEma([1, 1, 1], 0.9);   // → [1, 1, 1] (no bias towards 0)
 * smoothEma([0, 10], 0.5);     // → [0, 6.666…]
 */
export function smoothEma(values: ArrayLike<number>, weight: number): Float64Array {
  if (!(weight >= 0 && weight < 1)) throw new RangeError(`smoothing weight must be in [0, 1), got ${weight}`);
  const out = new Float64Array(values.length);
  let average = 0;
  let decay = 1;
  for (let i = 0; i < values.length; i++) {
    const y = values[i]!;
    if (!Number.isFinite(y)) {
      out[i] = NaN;
      continue;
    }
    if (weight === 0) {
      out[i] = y;
      continue;
    }
    average = weight * average + (1 - weight) * y;
    decay *= weight;
    out[i] = average / (1 - decay);
  }
  return out;
}
