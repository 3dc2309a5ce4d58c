import { describe, expect, it } from 'vitest';
import type { M4Bucket } from '@cairn/protocol';
import { bucketBands, bucketsToPolyline, packBuckets } from './buckets.js';
import { bucketsInWindowOver, projectionOf, traceArea, traceBands, traceBucketBands, traceBuckets, traceDots, traceLine, visiblePoints, visibleRange, type PathSink, type Projection } from './chart-paths.js';

/** Records what is traced, as the calls a Path2D would get. */
function recorder(): PathSink & { calls: string[] } {
  const calls: string[] = [];
  const record = (name: string) => (...args: number[]) => {
    calls.push(`${name} ${args.map((a) => Number(a.toFixed(2))).join(' ')}`);
  };
  return { calls, moveTo: record('M'), lineTo: record('L'), rect: record('R'), arc: record('A'), closePath: record('Z') };
}

/** x over 0–100 px, y 0–10 onto 100–0 px (up is smaller). */
const view = (xMin = 0, xMax = 10): Projection => projectionOf({ left: 0, top: 0, width: 100, height: 100 }, [xMin, xMax], [0, 10], false);
const line = (xs: number[], ys: number[]) => ({ xs: new Float64Array(xs), ys: new Float64Array(ys) });

describe('traceLine', () => {
  it('moves to the first point and draws to the others, on whole pixels, across gaps', () => {
    const sink = recorder();
    expect(traceLine(sink, line([0, 1, 2, 3], [1, NaN, 2.04, 3]), view())).toBe(3);
    expect(sink.calls).toEqual(['M 0 90', 'L 20 80', 'L 30 70']);
    const infinite = recorder();
    expect(traceLine(infinite, line([0, 1, 2, 3], [Infinity, 1, -Infinity, 3]), view())).toBe(2);
    expect(infinite.calls).toEqual(['M 10 90', 'L 30 70']);
  });

  it('traces only the window, with one point either side so the line reaches the edges', () => {
    const sink = recorder();
    traceLine(sink, line([0, 1, 2, 3, 4, 5, 6], [0, 1, 2, 3, 4, 5, 6]), view(2.5, 4.5));
    expect(sink.calls).toEqual(['M -25 80', 'L 25 70', 'L 75 60', 'L 125 50']);
  });

  it('draws the points in one pixel column as one stroke: in, over the extremes, out', () => {
    const sink = recorder();
    expect(traceLine(sink, line([1, 1.01, 1.02, 1.03, 2], [5, 1, 9, 3, 4]), view())).toBe(2);
    expect(sink.calls).toEqual(['M 10 50', 'L 10 10', 'L 10 90', 'L 10 70', 'L 20 60']);
    const flat = recorder();
    traceLine(flat, line([1, 1.01, 2], [5, 5, 4]), view());
    expect(flat.calls).toEqual(['M 10 50', 'L 20 60']);
  });

  it('places values by their logarithm on a log axis', () => {
    const sink = recorder();
    traceLine(sink, line([0, 5, 10], [1, 10, 100]), projectionOf({ left: 0, top: 0, width: 100, height: 100 }, [0, 10], [1, 100], true));
    expect(sink.calls).toEqual(['M 0 100', 'L 50 50', 'L 100 0']);
  });

  it('traces nothing for an empty line', () => {
    const sink = recorder();
    expect(traceLine(sink, line([], []), view())).toBe(0);
    expect(sink.calls).toEqual([]);
  });
});

describe('visibleRange and visiblePoints', () => {
  const xs = new Float64Array([0, 1, 1, 2, 5, 9]);

  it('takes the points inside the window and the nearest outside it', () => {
    expect(visibleRange(xs, 1, 2)).toEqual([0, 5]);
    expect(visibleRange(xs, 3, 4)).toEqual([3, 5]);
    expect(visibleRange(xs, -5, 20)).toEqual([0, 6]);
    expect(visibleRange(xs, 10, 20)).toEqual([5, 6]);
  });

  it('counts the values inside the window', () => {
    expect(visiblePoints({ xs, ys: new Float64Array([1, 1, NaN, 1, 1, 1]) }, 1, 5)).toBe(3);
  });

  it('stops counting once past the limit asked about', () => {
    const ys = new Float64Array(6).fill(1);
    expect(visiblePoints({ xs, ys }, -5, 20, 2)).toBe(3);
    expect(visiblePoints({ xs, ys }, -5, 20, 6)).toBe(6);
  });
});

describe('traceDots', () => {
  it('puts a circle on each point in the window', () => {
    const sink = recorder();
    traceDots(sink, line([0, 5, 20], [1, NaN, 2]), view(), 2);
    expect(sink.calls).toEqual([`M 2 90`, `A 0 90 2 0 ${Number((2 * Math.PI).toFixed(2))}`]);
  });
});

describe('traceBands', () => {
  it('adds a rectangle per band reaching into the window, at least minWidth wide and a pixel tall', () => {
    const sink = recorder();
    traceBands(sink, new Float64Array([0, 2, 1, 5, 4, 4, 3, 3.01, 20, 30, 0, 9]), view(), 1.5);
    expect(sink.calls).toEqual(['R 0 50 20 40', 'R 40 69.9 1.5 1']);
  });

  it('puts bands no wider than minWidth in the thin path as the vertical middle of the same rectangle', () => {
    const wide = recorder();
    const thin = recorder();
    traceBands(wide, new Float64Array([0, 2, 1, 5, 4, 4.1, 3, 3.01, 6, 6.1, 2, 6]), view(), 1.5, thin);
    expect(wide.calls).toEqual(['R 0 50 20 40']);
    expect(thin.calls).toEqual(['M 40.75 69.9', 'L 40.75 70.9', 'M 60.75 40', 'L 60.75 80']);
  });
});

describe('traceArea', () => {
  it('outlines the region between lo and hi, closed', () => {
    const sink = recorder();
    traceArea(sink, { xs: new Float64Array([0, 10]), lo: new Float64Array([1, 2]), hi: new Float64Array([3, 4]) }, view());
    expect(sink.calls).toEqual(['M 0 70', 'L 100 60', 'L 100 80', 'L 0 90', 'Z ']);
  });

  it('draws a lone point as a thin bar', () => {
    const sink = recorder();
    traceArea(sink, { xs: new Float64Array([5]), lo: new Float64Array([1]), hi: new Float64Array([3]) }, view());
    expect(sink.calls).toEqual(['R 49 70 2 20']);
  });
});

describe('tracing straight from buckets', () => {
  /** Random buckets: server-shaped ones, any-order ones, one-point and empty ones, repeated points, gaps. */
  function randomBuckets(seed: number, count: number): Float64Array {
    let state = seed;
    const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const list: Array<M4Bucket | null> = [];
    let x = random() * 10;
    for (let k = 0; k < count; k++) {
      const r = random();
      const y = () => (random() < 0.03 ? [NaN, Infinity, -Infinity][Math.floor(random() * 3)]! : Math.round(random() * 100) / 10);
      if (r < 0.15) list.push(null);
      else if (r < 0.3) {
        const p: [number, number] = [x, y()];
        list.push({ count: 1, first: p, last: p, min: p, max: p });
      } else if (r < 0.45) {
        // Any order, and points sharing an x (a non-step axis).
        const xs = [x, x + random() * 3, x + random() * 3, x + (random() < 0.5 ? 0 : random() * 3)];
        list.push({ count: 5, first: [xs[0]!, y()], min: [xs[1]!, y()], max: [xs[2]!, y()], last: [xs[3]!, y()] });
      } else {
        const span = 1 + random() * 3;
        const first: [number, number] = [x, y()];
        const last: [number, number] = [x + span, y()];
        const inner = (): [number, number] => [x + random() * span, y()];
        // Extremes at the first or last point (a repeated point), or inside.
        const min = random() < 0.2 ? first : inner();
        const max = random() < 0.2 ? last : inner();
        list.push({ count: 7, first, last, min, max });
      }
      x += 4 + random();
    }
    return packBuckets(list);
  }

  it('traces the very path of the polyline built from them, in any window and on a log axis', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const buckets = randomBuckets(seed, 1 + (seed % 13) * 7);
      const polyline = bucketsToPolyline(buckets);
      const extent = [polyline.xs[0] ?? 0, polyline.xs[polyline.xs.length - 1] ?? 1];
      const windows: Array<[number, number]> = [
        [extent[0]!, extent[1]!],
        [extent[0]! - 50, extent[1]! + 50],
        [extent[0]! + 7.5, extent[0]! + 30],
        [extent[1]! + 10, extent[1]! + 20],
        [extent[0]! - 20, extent[0]! - 10],
        // Edges exactly on points.
        [polyline.xs[Math.min(3, polyline.xs.length - 1)] ?? 0, polyline.xs[Math.min(10, polyline.xs.length - 1)] ?? 1],
      ];
      for (const [from, to] of windows) {
        for (const [width, log] of [[37, false], [400, false], [90, true]] as const) {
          const projection = projectionOf({ left: 3, top: 2, width, height: 80 }, [from, to], log ? [0.1, 20] : [-1, 11], log);
          const fromLine = recorder();
          const fromBuckets = recorder();
          const columns = traceLine(fromLine, polyline, projection);
          expect(traceBuckets(fromBuckets, buckets, projection)).toBe(columns);
          expect(fromBuckets.calls).toEqual(fromLine.calls);
          const [bands, thin, bucketBandsTraced, bucketThin] = [recorder(), recorder(), recorder(), recorder()];
          traceBands(bands, bucketBands(buckets), projection, 1.5, thin);
          traceBucketBands(bucketBandsTraced, buckets, projection, 1.5, bucketThin);
          expect(bucketBandsTraced.calls).toEqual(bands.calls);
          expect(bucketThin.calls).toEqual(thin.calls);
        }
      }
    }
  });

  it('tells a dense line from its buckets as counting its points would', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const buckets = randomBuckets(seed, 60);
      const polyline = bucketsToPolyline(buckets);
      for (const limit of [3, 10, 30]) {
        const [from, to] = [polyline.xs[5]!, polyline.xs[5]! + 100];
        // Over the limit by the buckets means over it by the points; not over means nothing.
        if (bucketsInWindowOver(buckets, from, to, limit)) expect(visiblePoints({ xs: polyline.xs, ys: polyline.xs }, from, to, limit)).toBeGreaterThan(limit);
      }
      expect(bucketsInWindowOver(buckets, -Infinity, Infinity, 5)).toBe(true);
      expect(bucketsInWindowOver(buckets, -20, -10, 0)).toBe(false);
    }
  });
});
