/**
 * What a chart's tooltip says about each line at the cursor, read from the bucket under it:
 * a bucket of one point is that point's value; a bucket of many (a pixel column holding
 * hundreds of steps) shows its last value with its min and max, so a spike hidden between
 * pixels is still reported. A group's bucket shows its mean, min and max across its runs.
 */
import type { M4Bucket } from '@cairn/protocol';
import { bucketSpan, itemAt } from './buckets.js';
import type { GroupPoint } from './grouping.js';

/** Where a line's tooltip values come from: a run's non-empty buckets, or a group's points. */
export type LineSource = { kind: 'run'; buckets: M4Bucket[] } | { kind: 'group'; points: GroupPoint[] };

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

/** A run's non-empty buckets: what {@link tooltipValue} searches. */
export function runSource(buckets: ReadonlyArray<M4Bucket | null>): LineSource {
  return { kind: 'run', buckets: buckets.filter((b): b is M4Bucket => b !== null) };
}

const groupSpan = (point: GroupPoint): [number, number] => [point.x0, point.x1];

/** The value of a line at `x` (within `tolerance` of one of its buckets), or undefined. */
export function tooltipValue(source: LineSource, x: number, tolerance: number): TooltipValue | undefined {
  if (source.kind === 'group') {
    const point = itemAt(source.points, x, groupSpan, tolerance);
    return point && { x: point.x, value: point.mean, min: point.min, max: point.max, count: point.count, runs: point.runs };
  }
  const bucket = itemAt(source.buckets, x, bucketSpan, tolerance);
  return bucket && { x: bucket.last[0], value: bucket.last[1], min: bucket.min[1], max: bucket.max[1], count: bucket.count, runs: undefined };
}
