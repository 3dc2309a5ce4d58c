/**
 * What a chart's tooltip says about each line at the cursor, read from the bucket under it:
 * a bucket of one point is that point's value; a bucket of many (a pixel column holding
 * hundreds of steps) shows its last value with its min and max, so a spike hidden between
 * pixels is still reported. A group's bucket shows its mean, min and max across its runs.
 */
import { BUCKET_STRIDE, COUNT, indexAt, LAST_X, LAST_Y, MAX_Y, MIN_Y, spanEnd, spanStart, type Buckets } from './buckets.js';
import type { GroupPoint } from './grouping.js';

/**
 * Where a line's tooltip values come from: a run's non-empty buckets with each one's x span
 * (from, to), or a group's points.
 */
export type LineSource = { kind: 'run'; buckets: Buckets; spans: Float64Array } | { kind: 'group'; points: GroupPoint[] };

export interface TooltipValue {
  /** The x of the value shown. */
  x: number;
  /** A run's last value in the bucket, or a group's mean. */
  value: number;
  min: number;
  max: number;
  /** Logged points in the bucket. */
  count: number;
  /** For a group: how many of its runs have points there. */
  runs: number | undefined;
}

/** A run's non-empty buckets and their spans: what {@link tooltipValue} searches. */
export function runSource(buckets: Buckets): LineSource {
  let kept = 0;
  for (let at = 0; at < buckets.length; at += BUCKET_STRIDE) if (buckets[at + COUNT] !== 0) kept++;
  const compact = new Float64Array(kept * BUCKET_STRIDE);
  const spans = new Float64Array(kept * 2);
  let k = 0;
  for (let at = 0; at < buckets.length; at += BUCKET_STRIDE) {
    if (buckets[at + COUNT] === 0) continue;
    for (let field = 0; field < BUCKET_STRIDE; field++) compact[k * BUCKET_STRIDE + field] = buckets[at + field]!;
    spans[2 * k] = spanStart(buckets, at);
    spans[2 * k + 1] = spanEnd(buckets, at);
    k++;
  }
  return { kind: 'run', buckets: compact, spans };
}

/** The value of a line at `x` (within `tolerance` of one of its buckets), or undefined. */
export function tooltipValue(source: LineSource, x: number, tolerance: number): TooltipValue | undefined {
  if (source.kind === 'group') {
    const { points } = source;
    const i = indexAt(points.length, (i) => points[i]!.x0, (i) => points[i]!.x1, x, tolerance);
    const point = points[i];
    return point && { x: point.x, value: point.mean, min: point.min, max: point.max, count: point.count, runs: point.runs };
  }
  const { buckets, spans } = source;
  const i = indexAt(spans.length / 2, (i) => spans[2 * i]!, (i) => spans[2 * i + 1]!, x, tolerance);
  if (i < 0) return undefined;
  const at = i * BUCKET_STRIDE;
  return { x: buckets[at + LAST_X]!, value: buckets[at + LAST_Y]!, min: buckets[at + MIN_Y]!, max: buckets[at + MAX_Y]!, count: buckets[at + COUNT]!, runs: undefined };
}
