import { describe, expect, it } from 'vitest';
import { projectionOf, traceArea, traceBands, traceDots, traceLine, visiblePoints, visibleRange, type PathSink, type Projection } from './chart-paths.js';

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
