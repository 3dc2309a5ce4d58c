/**
 * Turning the server's M4 buckets (first, last, min and max point of each pixel column)
 * into what a chart draws: a polyline through every bucket's points in x order — which at
 * that width is pixel-identical to the full-resolution line — and the min–max band of each
 * bucket.
 */
import type { M4Bucket } from '@cairn/protocol';

export interface Polyline {
  xs: number[];
  ys: number[];
}

/** The vertical extent of one bucket, over its x range. */
export interface Band {
  x0: number;
  x1: number;
  lo: number;
  hi: number;
}

/**
 * The points of every non-empty bucket — first, min, max, last — sorted by x within the
 * bucket (buckets cover increasing, disjoint x ranges), with repeated points dropped.
 *
 * @example
 * bucketsToPolyline([{ count: 3, first: [0, 5], min: [1, 1], max: [0, 5], last: [2, 3] }, null]);
 * // → { xs: [0, 1, 2], ys: [5, 1, 3] }
 */
export function bucketsToPolyline(buckets: ReadonlyArray<M4Bucket | null>): Polyline {
  const xs: number[] = [];
  const ys: number[] = [];
  const points: Array<readonly [number, number]> = [];
  for (const bucket of buckets) {
    if (bucket === null) continue;
    points.length = 0;
    points.push(bucket.first, bucket.min, bucket.max, bucket.last);
    // Stable: points sharing an x keep the order first, min, max, last.
    points.sort((a, b) => a[0] - b[0]);
    let lastX = NaN;
    let lastY = NaN;
    for (const [x, y] of points) {
      if (x === lastX && y === lastY) continue;
      // Two different extremes at one x (possible on a non-step axis) are both kept.
      xs.push(x);
      ys.push(y);
      lastX = x;
      lastY = y;
    }
  }
  return { xs, ys };
}

/** One band per bucket whose points are not all at one value. */
export function bucketBands(buckets: ReadonlyArray<M4Bucket | null>): Band[] {
  const bands: Band[] = [];
  for (const bucket of buckets) {
    if (bucket === null || bucket.count < 2 || bucket.max[1] === bucket.min[1]) continue;
    const x0 = Math.min(bucket.first[0], bucket.last[0], bucket.min[0], bucket.max[0]);
    const x1 = Math.max(bucket.first[0], bucket.last[0], bucket.min[0], bucket.max[0]);
    bands.push({ x0, x1, lo: bucket.min[1], hi: bucket.max[1] });
  }
  return bands;
}

/** The last point of the series (the last bucket's `last`), or undefined when it is empty. */
export function lastPoint(buckets: ReadonlyArray<M4Bucket | null>): [number, number] | undefined {
  for (let i = buckets.length - 1; i >= 0; i--) {
    const bucket = buckets[i];
    if (bucket) return [bucket.last[0], bucket.last[1]];
  }
  return undefined;
}

/** Number of logged points the buckets stand for. */
export function pointCount(buckets: ReadonlyArray<M4Bucket | null>): number {
  let total = 0;
  for (const bucket of buckets) if (bucket) total += bucket.count;
  return total;
}

/** The x extent of a bucket: its leftmost and rightmost point. */
export function bucketSpan(bucket: M4Bucket): [number, number] {
  return [Math.min(bucket.first[0], bucket.min[0], bucket.max[0], bucket.last[0]), Math.max(bucket.first[0], bucket.min[0], bucket.max[0], bucket.last[0])];
}

/**
 * The item under `x` among `items` sorted by x (non-overlapping spans): the one whose span
 * holds x, else the nearest one within `tolerance` of x, else undefined — so a cursor past
 * the end of a short run shows nothing for it.
 *
 * @example
 * itemAt([a, b], 7, bucketSpan, 2); // a spans [0, 4], b [6, 9] → b
 */
export function itemAt<T>(items: readonly T[], x: number, span: (item: T) => readonly [number, number], tolerance: number): T | undefined {
  let lo = 0;
  let hi = items.length - 1;
  // The last item starting at or before x.
  let before = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (span(items[mid]!)[0] <= x) {
      before = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  const left = before >= 0 ? items[before] : undefined;
  const right = items[before + 1];
  const leftGap = left === undefined ? Infinity : Math.max(0, x - span(left)[1]);
  const rightGap = right === undefined ? Infinity : span(right)[0] - x;
  const best = leftGap <= rightGap ? left : right;
  return Math.min(leftGap, rightGap) <= tolerance ? best : undefined;
}
