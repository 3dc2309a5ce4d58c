/**
 * Ticks of a logarithmic y-axis. uPlot proposes one at every 1–9 × 10ⁿ; labelled, they pile
 * up on a chart 150 pixels tall. Over a few decades only the powers of ten keep a tick (and
 * grid line); over two decades or less, 1, 2 and 5 × 10ⁿ.
 */

function mantissa(value: number): number {
  const exponent = Math.floor(Math.log10(value) + 1e-9);
  return Math.round((value / 10 ** exponent) * 1e6) / 1e6;
}

/** The splits to keep (the others as null, which uPlot skips). */
export function logAxisSplits(splits: readonly number[]): Array<number | null> {
  const positive = splits.filter((v) => v > 0);
  if (positive.length === 0) return [...splits];
  const decades = Math.log10(Math.max(...positive) / Math.min(...positive));
  const keep = decades > 2 ? [1] : [1, 2, 5];
  return splits.map((v) => (v > 0 && keep.includes(mantissa(v)) ? v : null));
}
