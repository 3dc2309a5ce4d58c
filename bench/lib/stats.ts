/** Order statistics of latency samples, and the number formats every benchmark prints. */

export interface LatencyStats {
  count: number;
  mean: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

/**
 * Statistics of `samples` (nanoseconds), each reduced by `overheadNs` (the timer's own cost,
 * measured separately) and clamped at zero. Sorts a copy; `samples` is left as it is.
 */
export function latencyStats(samples: Float64Array, overheadNs = 0): LatencyStats {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i]!;
  const net = (ns: number): number => Math.max(0, ns - overheadNs);
  return {
    count: sorted.length,
    mean: net(sum / sorted.length),
    p50: net(quantile(sorted, 0.5)),
    p99: net(quantile(sorted, 0.99)),
    p999: net(quantile(sorted, 0.999)),
    max: net(sorted[sorted.length - 1] ?? 0),
  };
}

/** The q-quantile of ascending `sorted` (nearest rank). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/** Median and p95 of a handful of millisecond timings. */
export function medianAndP95(values: readonly number[]): { median: number; p95: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), p95: quantile(sorted, 0.95) };
}

/** Nanoseconds as microseconds: two decimals below 10 µs (`0.62 µs`), fewer above (`41.3 µs`). */
export function formatMicros(ns: number): string {
  const us = ns / 1000;
  const digits = us < 10 ? 2 : us < 100 ? 1 : 0;
  return `${us.toFixed(digits)} µs`;
}

export function formatMillis(ms: number): string {
  return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
}

export function formatMegabytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MB`;
}

/** `3.4x`; a ratio against a floor that measured as zero is shown as `n/a`. */
export function formatRatio(value: number, floor: number): string {
  if (!(floor > 0) || !Number.isFinite(value / floor)) return 'n/a';
  return `${(value / floor).toFixed(1)}x`;
}

/** 1234567 → `1.23 M`. */
export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k`;
  return perSecond.toFixed(0);
}
