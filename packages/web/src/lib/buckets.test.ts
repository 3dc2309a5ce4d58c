import { describe, expect, it } from 'vitest';
import type { M4Bucket } from '@cairn/protocol';
import { bucketBands, bucketExtent, bucketsToPolyline, indexAt, packBuckets, spanEnd, spanStart } from './buckets.js';

/** A polyline as plain arrays, to compare. */
function plain(line: { xs: Float64Array; ys: Float64Array }): { xs: number[]; ys: number[] } {
  return { xs: [...line.xs], ys: [...line.ys] };
}

/** The M4 bucket of points, as the server computes it (first/last by x, min/max by y, earliest on ties). */
function bucketOf(points: Array<[number, number]>): M4Bucket {
  let min = points[0]!;
  let max = points[0]!;
  for (const p of points) {
    if (p[1] < min[1]) min = p;
    if (p[1] > max[1]) max = p;
  }
  return { count: points.length, first: points[0]!, last: points[points.length - 1]!, min, max };
}

describe('bucketsToPolyline', () => {
  it('draws first, min, max, last of each bucket in x order, skipping empty buckets', () => {
    const buckets = [
      bucketOf([[0, 5], [1, 9], [2, 1], [3, 4]]), // max before min
      null,
      bucketOf([[8, 2], [9, 0], [10, 7], [11, 3]]), // min before max
    ];
    expect(plain(bucketsToPolyline(packBuckets(buckets)))).toEqual({
      xs: [0, 1, 2, 3, 8, 9, 10, 11],
      ys: [5, 9, 1, 4, 2, 0, 7, 3],
    });
  });

  it('drops repeated points: a one-point bucket is one point, an extreme at first or last is not doubled', () => {
    const buckets = [bucketOf([[0, 1]]), bucketOf([[1, 5], [2, 3], [3, 0]])];
    expect(plain(bucketsToPolyline(packBuckets(buckets)))).toEqual({ xs: [0, 1, 3], ys: [1, 5, 0] });
  });

  it('keeps two different extremes sharing one x (a non-step axis can repeat x)', () => {
    const bucket: M4Bucket = { count: 3, first: [4, 2], min: [4, 1], max: [4, 6], last: [5, 3] };
    expect(plain(bucketsToPolyline(packBuckets([bucket])))).toEqual({ xs: [4, 4, 4, 5], ys: [2, 1, 6, 3] });
  });

  it('sorts any four points by x, should first and last not be the bucket\'s x extremes', () => {
    const bucket: M4Bucket = { count: 9, first: [2, 0], min: [1, -1], max: [3, 5], last: [2.5, 1] };
    expect(plain(bucketsToPolyline(packBuckets([bucket])))).toEqual({ xs: [1, 2, 2.5, 3], ys: [-1, 0, 1, 5] });
  });

  it('equals the raw line when no bucket holds more than two points', () => {
    const points: Array<[number, number]> = Array.from({ length: 41 }, (_, i) => [i, Math.sin(i)]);
    const buckets: M4Bucket[] = [];
    for (let i = 0; i < points.length; i += 2) buckets.push(bucketOf(points.slice(i, i + 2)));
    const line = plain(bucketsToPolyline(packBuckets(buckets)));
    expect(line.xs).toEqual(points.map((p) => p[0]));
    expect(line.ys).toEqual(points.map((p) => p[1]));
  });

  it('keeps every extreme of a bucket: the drawn column spans exactly the bucket\'s min and max', () => {
    const points: Array<[number, number]> = Array.from({ length: 1000 }, (_, i) => [i, Math.sin(i / 7) + (i === 503 ? 5 : 0)]);
    const buckets: M4Bucket[] = [];
    for (let i = 0; i < points.length; i += 100) buckets.push(bucketOf(points.slice(i, i + 100)));
    const line = plain(bucketsToPolyline(packBuckets(buckets)));
    expect(line.xs.length).toBeLessThanOrEqual(40);
    for (let b = 0; b < 10; b++) {
      const inBucket = line.ys.filter((_, i) => line.xs[i]! >= b * 100 && line.xs[i]! < (b + 1) * 100);
      const raw = points.slice(b * 100, (b + 1) * 100).map((p) => p[1]);
      expect(Math.max(...inBucket)).toBe(Math.max(...raw));
      expect(Math.min(...inBucket)).toBe(Math.min(...raw));
    }
    expect(Math.max(...line.ys)).toBeGreaterThan(5); // the one-step spike survives
  });

  it('is empty for no buckets', () => {
    expect(plain(bucketsToPolyline(new Float64Array(0)))).toEqual({ xs: [], ys: [] });
    expect(plain(bucketsToPolyline(packBuckets([null, null])))).toEqual({ xs: [], ys: [] });
  });
});

describe('bucketBands', () => {
  it('spans each bucket with its min and max, skipping flat and single-point buckets', () => {
    const buckets = [bucketOf([[0, 5], [1, 9], [2, 1], [3, 4]]), bucketOf([[4, 2]]), bucketOf([[5, 3], [6, 3]]), null];
    expect([...bucketBands(packBuckets(buckets))]).toEqual([0, 3, 1, 9]);
  });
});

describe('bucketExtent', () => {
  it('spans the first bucket\'s first x to the last one\'s last, and the smallest min to the largest max', () => {
    const buckets = [null, bucketOf([[2, 5], [3, -1], [4, 4]]), null, bucketOf([[7, 9]]), bucketOf([[8, 2], [9, 3]]), null];
    expect(bucketExtent(packBuckets(buckets))).toEqual({ x: [2, 9], y: [-1, 9] });
    const line = bucketsToPolyline(packBuckets(buckets));
    expect([Math.min(...line.xs), Math.max(...line.xs), Math.min(...line.ys), Math.max(...line.ys)]).toEqual([2, 9, -1, 9]);
  });

  it('is undefined without points', () => {
    expect(bucketExtent(packBuckets([null, null]))).toBeUndefined();
    expect(bucketExtent(new Float64Array(0))).toBeUndefined();
  });
});

describe('indexAt', () => {
  const spans: Array<[number, number]> = [[0, 4], [6, 9], [20, 20]];
  const at = (x: number, tolerance = 1) => indexAt(spans.length, (i) => spans[i]![0], (i) => spans[i]![1], x, tolerance);

  it('finds the item whose span holds x', () => {
    expect(at(0)).toBe(0);
    expect(at(7)).toBe(1);
    expect(at(20)).toBe(2);
  });

  it('takes the nearest item within the tolerance, and none beyond it', () => {
    expect(at(5.2)).toBe(1);
    expect(at(4.6)).toBe(0);
    expect(at(14)).toBe(-1);
    expect(at(16, 6)).toBe(2);
    expect(at(-3)).toBe(-1);
    expect(at(21)).toBe(2);
    expect(indexAt(0, () => 0, () => 0, 3, 10)).toBe(-1);
  });

  it('reads spans from buckets', () => {
    const buckets = packBuckets([null, { count: 3, first: [2, 0], last: [5, 0], min: [1, -1], max: [3, 1] }]);
    expect([spanStart(buckets, 9), spanEnd(buckets, 9)]).toEqual([1, 5]);
  });
});
