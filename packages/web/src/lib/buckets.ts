/**
 * Turning the server's M4 buckets (first, last, min and max point of each pixel column)
 * into what a chart draws: a polyline through every bucket's points in x order — which at
 * that width is pixel-identical to the full-resolution line — and the min–max band of each
 * bucket.
 *
 * Buckets stay as the binary series answer holds them ({@link Buckets}): no object per
 * bucket or point, so a chart of many runs costs a few typed-array passes.
 */
import type { M4Bucket } from '@cairn/protocol';

/**
 * One series' M4 buckets, `BUCKET_STRIDE` float64s each: the count of points, then x and y
 * of the first, last, min and max point (protocol's binary layout). A count of 0 is an empty
 * bucket (no point in that pixel column).
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
  let lastX = NaN;
  let lastY = NaN;
  const push = (x: number, y: number) => {
    // Two different extremes at one x (possible on a non-step axis) are both kept.
    if (x === lastX && y === lastY) return;
    xs[k] = x;
    ys[k] = y;
    k++;
    lastX = x;
    lastY = y;
  };
  // The general case's four points, sorted by x stably (points sharing an x keep the order
  // first, min, max, last): an insertion sort of four numbers, no allocation.
  const px = [0, 0, 0, 0];
  const py = [0, 0, 0, 0];
  for (let b = 0, at = 0; b < n; b++, at += BUCKET_STRIDE) {
    if (buckets[at + COUNT] === 0) continue;
    lastX = NaN;
    const fx = buckets[at + FIRST_X]!;
    const lx = buckets[at + LAST_X]!;
    const minX = buckets[at + MIN_X]!;
    const maxX = buckets[at + MAX_X]!;
    if (fx <= minX && fx <= maxX && lx >= minX && lx >= maxX) {
      // As the server builds buckets (first and last by x): only min and max to order.
      push(fx, buckets[at + FIRST_Y]!);
      if (maxX < minX) {
        push(maxX, buckets[at + MAX_Y]!);
        push(minX, buckets[at + MIN_Y]!);
      } else {
        push(minX, buckets[at + MIN_Y]!);
        push(maxX, buckets[at + MAX_Y]!);
      }
      push(lx, buckets[at + LAST_Y]!);
      continue;
    }
    px[0] = fx;
    py[0] = buckets[at + FIRST_Y]!;
    px[1] = minX;
    py[1] = buckets[at + MIN_Y]!;
    px[2] = maxX;
    py[2] = buckets[at + MAX_Y]!;
    px[3] = lx;
    py[3] = buckets[at + LAST_Y]!;
    for (let i = 1; i < 4; i++) {
      const x = px[i]!;
      const y = py[i]!;
      let j = i - 1;
      while (j >= 0 && px[j]! > x) {
        px[j + 1] = px[j]!;
        py[j + 1] = py[j]!;
        j--;
      }
      px[j + 1] = x;
      py[j + 1] = y;
    }
    for (let i = 0; i < 4; i++) push(px[i]!, py[i]!);
  }
  return { xs: xs.slice(0, k), ys: ys.slice(0, k) };
}

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
  return out.slice(0, k);
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
