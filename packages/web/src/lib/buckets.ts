/**
 * Turning the server's M4 buckets (first, last, min and max point of each pixel column)
 * into what a chart draws: a polyline through every bucket's points in x order — which at
 * that width is pixel-identical to the full-resolution line — and the min–max band of each
 * bucket.
 *
 * Buckets are typed arrays ({@link Buckets}, as series-binary.ts unpacks the answer): no
 * object per bucket or point, so a chart of many runs costs a few typed-array passes. (The
 * chart draws a run's line and bands from its buckets directly, chart-paths.ts; the arrays
 * built here are for what reads points: smoothing, a log axis, the value under the cursor.)
 */
import type { M4Bucket } from '@cairn/protocol';

/**
 * One series' M4 buckets, `BUCKET_STRIDE` float64s each: the count of points, then x and y
 * of the first, last, min and max point (as protocol's readSeriesBinary unpacks them). A
 * count of 0 is an empty bucket (no point in that pixel column).
 */
export type Buckets = Float64Array;

export const BUCKET_STRIDE = 9;
/** Offsets of a bucket's fields. */
export const COUNT = 0;
export const FIRST_X = 1;
export const FIRST_Y = 2;
export const LAST_X = 3;
export const LAST_Y = 4;
export const MIN_X = 5;
export const MIN_Y = 6;
export const MAX_X = 7;
export const MAX_Y = 8;

/** Number of buckets (empty ones included). */
export function bucketCount(buckets: Buckets): number {
  return Math.floor(buckets.length / BUCKET_STRIDE);
}

/**
 * Buckets from their object form (a JSON series answer, tests); null is an empty bucket.
 *
 * @example
 * packBuckets([{ count: 1, first: [0, 5], last: [0, 5], min: [0, 5], max: [0, 5] }, null]); // → 18 float64s
 */
export function packBuckets(list: ReadonlyArray<M4Bucket | null>): Buckets {
  const out = new Float64Array(list.length * BUCKET_STRIDE);
  list.forEach((bucket, i) => {
    if (!bucket) return;
    out.set([bucket.count, ...bucket.first, ...bucket.last, ...bucket.min, ...bucket.max], i * BUCKET_STRIDE);
  });
  return out;
}

/** A line through points sorted by x; a NaN y is a gap. */
export interface Polyline {
  xs: Float64Array;
  ys: Float64Array;
}

/**
 * The points of every non-empty bucket — first, min, max, last — sorted by x within the
 * bucket (buckets cover increasing, disjoint x ranges), with repeated points dropped.
 *
 * @example
 * bucketsToPolyline(packBuckets([{ count: 3, first: [0, 5], min: [1, 1], max: [0, 5], last: [2, 3] }, null]));
 * // → { xs: [0, 1, 2], ys: [5, 1, 3] }
 */
export function bucketsToPolyline(buckets: Buckets): Polyline {
  const n = bucketCount(buckets);
  const xs = new Float64Array(n * 4);
  const ys = new Float64Array(n * 4);
  let k = 0;
  // The previous point written within the bucket: a point equal to it is not written again.
  // (Two different extremes at one x, possible on a non-step axis, are both kept.) Written
  // out rather than through a helper: this runs for every bucket of every line of a chart,
  // and often before the JIT has optimised it.
  let lastX: number;
  let lastY = NaN;
  for (let b = 0, at = 0; b < n; b++, at += BUCKET_STRIDE) {
    if (buckets[at + COUNT] === 0) continue;
    const fx = buckets[at + FIRST_X]!;
    const fy = buckets[at + FIRST_Y]!;
    const lx = buckets[at + LAST_X]!;
    const ly = buckets[at + LAST_Y]!;
    const minX = buckets[at + MIN_X]!;
    const maxX = buckets[at + MAX_X]!;
    if (fx <= minX && fx <= maxX && lx >= minX && lx >= maxX) {
      // As the server builds buckets (first and last by x): only min and max to order.
      xs[k] = lastX = fx;
      ys[k++] = lastY = fy;
      const minFirst = maxX >= minX;
      const ax = minFirst ? minX : maxX;
      const ay = buckets[at + (minFirst ? MIN_Y : MAX_Y)]!;
      const bx = minFirst ? maxX : minX;
      const by = buckets[at + (minFirst ? MAX_Y : MIN_Y)]!;
      if (ax !== lastX || ay !== lastY) {
        xs[k] = lastX = ax;
        ys[k++] = lastY = ay;
      }
      if (bx !== lastX || by !== lastY) {
        xs[k] = lastX = bx;
        ys[k++] = lastY = by;
      }
      if (lx !== lastX || ly !== lastY) {
        xs[k] = lx;
        ys[k++] = ly;
      }
      continue;
    }
    // Any other four points, sorted by x stably (points sharing an x keep the order first,
    // min, max, last).
    sortX[0] = fx;
    sortY[0] = fy;
    sortX[1] = minX;
    sortY[1] = buckets[at + MIN_Y]!;
    sortX[2] = maxX;
    sortY[2] = buckets[at + MAX_Y]!;
    sortX[3] = lx;
    sortY[3] = ly;
    sortByX(sortX, sortY);
    lastX = NaN;
    for (let i = 0; i < 4; i++) {
      const x = sortX[i]!;
      const y = sortY[i]!;
      if (x === lastX && y === lastY) continue;
      xs[k] = lastX = x;
      ys[k++] = lastY = y;
    }
  }
  // Views, not copies: the line is read, never grown.
  return { xs: xs.subarray(0, k), ys: ys.subarray(0, k) };
}

/**
 * Sorts the points (`xs[i]`, `ys[i]`) by x in place, stably (points sharing an x keep their
 * order): an insertion sort, for the four points of a bucket.
 */
export function sortByX(xs: Float64Array, ys: Float64Array): void {
  for (let i = 1; i < xs.length; i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    let j = i - 1;
    while (j >= 0 && xs[j]! > x) {
      xs[j + 1] = xs[j]!;
      ys[j + 1] = ys[j]!;
      j--;
    }
    xs[j + 1] = x;
    ys[j + 1] = y;
  }
}

const sortX = new Float64Array(4);
const sortY = new Float64Array(4);

/** Float64s per band in {@link bucketBands}: x0, x1, lo, hi. */
export const BAND_STRIDE = 4;

/**
 * The vertical extent of each bucket whose points are not all at one value, over its x
 * range: `BAND_STRIDE` float64s per band (x0, x1, lo, hi).
 */
export function bucketBands(buckets: Buckets): Float64Array {
  const n = bucketCount(buckets);
  const out = new Float64Array(n * BAND_STRIDE);
  let k = 0;
  for (let b = 0, at = 0; b < n; b++, at += BUCKET_STRIDE) {
    const lo = buckets[at + MIN_Y]!;
    const hi = buckets[at + MAX_Y]!;
    if (buckets[at + COUNT]! < 2 || hi === lo) continue;
    out[k++] = spanStart(buckets, at);
    out[k++] = spanEnd(buckets, at);
    out[k++] = lo;
    out[k++] = hi;
  }
  return out.subarray(0, k);
}

/** The x and y extent of the buckets' points (finite values only), or undefined when they have none. */
export function bucketExtent(buckets: Buckets): { x: [number, number]; y: [number, number] } | undefined {
  const n = bucketCount(buckets);
  let yLo = Infinity;
  let yHi = -Infinity;
  let first = -1;
  let last = -1;
  for (let b = 0, at = 0; b < n; b++, at += BUCKET_STRIDE) {
    if (buckets[at + COUNT] === 0) continue;
    // A bucket's min and max bound its first and last values.
    const lo = buckets[at + MIN_Y]!;
    const hi = buckets[at + MAX_Y]!;
    if (lo < yLo && lo - lo === 0) yLo = lo;
    if (hi > yHi && hi - hi === 0) yHi = hi;
    if (first < 0) first = at;
    last = at;
  }
  if (first < 0 || !(yLo <= yHi)) return undefined;
  return { x: [spanStart(buckets, first), spanEnd(buckets, last)], y: [yLo, yHi] };
}

/**
 * The y of the last point of {@link bucketsToPolyline}'s line (its largest x; of points
 * sharing it, the last of first, min, max, last), read off the last non-empty bucket; undefined
 * without points.
 */
export function lastBucketY(buckets: Buckets): number | undefined {
  for (let at = (bucketCount(buckets) - 1) * BUCKET_STRIDE; at >= 0; at -= BUCKET_STRIDE) {
    if (buckets[at + COUNT] === 0) continue;
    // In the order first, min, max, last: of points sharing the largest x, the later one.
    let bestX = buckets[at + FIRST_X]!;
    let bestY = buckets[at + FIRST_Y]!;
    if (buckets[at + MIN_X]! >= bestX) {
      bestX = buckets[at + MIN_X]!;
      bestY = buckets[at + MIN_Y]!;
    }
    if (buckets[at + MAX_X]! >= bestX) {
      bestX = buckets[at + MAX_X]!;
      bestY = buckets[at + MAX_Y]!;
    }
    if (buckets[at + LAST_X]! >= bestX) bestY = buckets[at + LAST_Y]!;
    return bestY;
  }
  return undefined;
}

/** The leftmost x of the bucket starting at float64 `at`. */
export function spanStart(buckets: Buckets, at: number): number {
  return Math.min(buckets[at + FIRST_X]!, buckets[at + LAST_X]!, buckets[at + MIN_X]!, buckets[at + MAX_X]!);
}

/** The rightmost x of the bucket starting at float64 `at`. */
export function spanEnd(buckets: Buckets, at: number): number {
  return Math.max(buckets[at + FIRST_X]!, buckets[at + LAST_X]!, buckets[at + MIN_X]!, buckets[at + MAX_X]!);
}

/**
 * The index of the item under `x` among `length` items sorted by x with non-overlapping
 * spans [`start(i)`, `end(i)`]: the one whose span holds x, else the nearest one within
 * `tolerance` of x, else -1 — so a cursor past the end of a short run shows nothing for it.
 *
 * @example
 * indexAt(2, (i) => [0, 6][i], (i) => [4, 9][i], 7, 2); // spans [0, 4] and [6, 9] → 1
 */
export function indexAt(length: number, start: (i: number) => number, end: (i: number) => number, x: number, tolerance: number): number {
  let lo = 0;
  let hi = length - 1;
  // The last item starting at or before x.
  let before = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (start(mid) <= x) {
      before = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  const after = before + 1;
  const leftGap = before >= 0 ? Math.max(0, x - end(before)) : Infinity;
  const rightGap = after < length ? start(after) - x : Infinity;
  const best = leftGap <= rightGap ? before : after;
  return Math.min(leftGap, rightGap) <= tolerance ? best : -1;
}
