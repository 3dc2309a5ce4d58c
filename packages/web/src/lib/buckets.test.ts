import { describe, expect, it } from 'vitest';
import type { M4Bucket } from '@cairn/protocol';
import { bucketBands, bucketSpan, bucketsToPolyline, itemAt, lastPoint, pointCount } from './buckets.js';

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
    expect(bucketsToPolyline(buckets)).toEqual({
      xs: [0, 1, 2, 3, 8, 9, 10, 11],
      ys: [5, 9, 1, 4, 2, 0, 7, 3],
    });
  });

  it('drops repeated points: a one-point bucket is one point, an extreme at first or last is not doubled', () => {
    const buckets = [bucketOf([[0, 1]]), bucketOf([[1, 5], [2, 3], [3, 0]])];
    expect(bucketsToPolyline(buckets)).toEqual({ xs: [0, 1, 3], ys: [1, 5, 0] });
  });

  it('keeps two different extremes sharing one x (a non-step axis can repeat x)', () => {
    const bucket: M4Bucket = { count: 3, first: [4, 2], min: [4, 1], max: [4, 6], last: [5, 3] };
    expect(bucketsToPolyline([bucket])).toEqual({ xs: [4, 4, 4, 5], ys: [2, 1, 6, 3] });
  });

  it('equals the raw line when no bucket holds more than two points', () => {
    const points: Array<[number, number]> = Array.from({ length: 41 }, (_, i) => [i, Math.sin(i)]);
    const buckets: M4Bucket[] = [];
    for (let i = 0; i < points.length; i += 2) buckets.push(bucketOf(points.slice(i, i + 2)));
    const line = bucketsToPolyline(buckets);
    expect(line.xs).toEqual(points.map((p) => p[0]));
    expect(line.ys).toEqual(points.map((p) => p[1]));
  });

  it('keeps every extreme of a bucket: the drawn column spans exactly the bucket\'s min and max', () => {
    const points: Array<[number, number]> = Array.from({ length: 1000 }, (_, i) => [i, Math.sin(i / 7) + (i === 503 ? 5 : 0)]);
    const buckets: M4Bucket[] = [];
    for (let i = 0; i < points.length; i += 100) buckets.push(bucketOf(points.slice(i, i + 100)));
    const line = bucketsToPolyline(buckets);
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
    expect(bucketsToPolyline([])).toEqual({ xs: [], ys: [] });
    expect(bucketsToPolyline([null, null])).toEqual({ xs: [], ys: [] });
  });
});

describe('bucketBands', () => {
  it('spans each bucket with its min and max, skipping flat and single-point buckets', () => {
    const buckets = [bucketOf([[0, 5], [1, 9], [2, 1], [3, 4]]), bucketOf([[4, 2]]), bucketOf([[5, 3], [6, 3]]), null];
    expect(bucketBands(buckets)).toEqual([{ x0: 0, x1: 3, lo: 1, hi: 9 }]);
  });
});

describe('lastPoint and pointCount', () => {
  it('read the last logged point and the number of points', () => {
    const buckets = [bucketOf([[0, 5], [1, 9]]), bucketOf([[7, 2], [8, 4], [9, 6]]), null];
    expect(lastPoint(buckets)).toEqual([9, 6]);
    expect(pointCount(buckets)).toBe(5);
    expect(lastPoint([null])).toBeUndefined();
  });
});

describe('itemAt', () => {
  const spans: Array<[number, number]> = [[0, 4], [6, 9], [20, 20]];
  const at = (x: number, tolerance = 1) => itemAt(spans, x, (s) => s, tolerance);

  it('finds the item whose span holds x', () => {
    expect(at(0)).toEqual([0, 4]);
    expect(at(7)).toEqual([6, 9]);
    expect(at(20)).toEqual([20, 20]);
  });

  it('takes the nearest item within the tolerance, and none beyond it', () => {
    expect(at(5.2)).toEqual([6, 9]);
    expect(at(4.6)).toEqual([0, 4]);
    expect(at(14)).toBeUndefined();
    expect(at(16, 6)).toEqual([20, 20]);
    expect(at(-3)).toBeUndefined();
    expect(at(21)).toEqual([20, 20]);
    expect(itemAt([], 3, (s: [number, number]) => s, 10)).toBeUndefined();
  });

  it('reads spans from buckets', () => {
    expect(bucketSpan({ count: 3, first: [2, 0], last: [5, 0], min: [1, -1], max: [3, 1] })).toEqual([1, 5]);
  });
});
