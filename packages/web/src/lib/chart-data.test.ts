import { describe, expect, it } from 'vitest';
import type { M4Bucket } from '@cairn/protocol';
import { bucketBands, packBuckets } from './buckets.js';
import { buildChartData, chartDataOf, forLogScale, groupInput, lastValue, runInput, valueNear, type ChartLine } from './chart-data.js';

const single = (x: number, y: number): M4Bucket => ({ count: 1, first: [x, y], last: [x, y], min: [x, y], max: [x, y] });
const run = (...buckets: Array<M4Bucket | null>) => packBuckets(buckets);
/** A line as plain arrays (NaN kept), to compare. */
const plain = (line: ChartLine | undefined) => line && { run: line.run, smoothed: line.smoothed, xs: [...line.xs], ys: [...line.ys] };

describe('buildChartData', () => {
  const runA = run(single(0, 4), single(1, 2), single(2, 0));
  const runB = run(single(1, 10), single(3, 30));

  it('without smoothing: one raw line per run, each on its own x values, which the legend reads', () => {
    const data = buildChartData([runA, runB], 0);
    expect(data.lines.map(plain)).toEqual([
      { run: 0, smoothed: false, xs: [0, 1, 2], ys: [4, 2, 0] },
      { run: 1, smoothed: false, xs: [1, 3], ys: [10, 30] },
    ]);
    expect(data.mainLine).toEqual([0, 1]);
    expect(data.xExtent).toEqual([0, 3]);
    expect(data.yExtent).toEqual([0, 30]);
  });

  it('with smoothing: raw lines first (drawn faint), smoothed lines on top, the legend reading the smoothed', () => {
    const data = buildChartData([runA, runB], 0.5);
    expect(data.lines.map((line) => [line.run, line.smoothed])).toEqual([
      [0, false],
      [1, false],
      [0, true],
      [1, true],
    ]);
    expect(data.mainLine).toEqual([2, 3]);
    const smoothedA = data.lines[2]!;
    expect(smoothedA.xs).toBe(data.lines[0]!.xs);
    expect(smoothedA.ys[0]).toBeCloseTo(4, 12);
    expect(smoothedA.ys[2]!).toBeGreaterThan(0); // lags behind the raw 0
    // Run B is smoothed over its own points only.
    expect(data.lines[3]!.ys[0]).toBeCloseTo(10, 12);
    expect(data.lines[3]!.ys[1]!).toBeLessThan(30);
  });

  it('keeps each run\'s bands, which count in the y extent', () => {
    const wide: M4Bucket = { count: 10, first: [0, 1], min: [3, 0], max: [5, 9], last: [9, 2] };
    const data = buildChartData([run(wide), run()], 0);
    // Drawn from each run's buckets, whose bands are these.
    expect(data.bands).toEqual([undefined, undefined]);
    expect(data.buckets.map((buckets) => [...bucketBands(buckets!)])).toEqual([[0, 9, 0, 9], []]);
    expect(data.yExtent).toEqual([0, 9]);
  });

  it('takes the extent from the buckets: the same as measuring every point, band and smoothed line', () => {
    const noisy = Array.from({ length: 30 }, (_, k): M4Bucket => ({ count: 50, first: [k * 50, Math.sin(k)], last: [k * 50 + 49, Math.cos(k)], min: [k * 50 + 7, Math.sin(k) - 2], max: [k * 50 + 3, Math.cos(k) + 2] }));
    for (const smoothing of [0, 0.9]) {
      const inputs = [runInput(run(...noisy)), runInput(run(single(2000, 40), null)), runInput(run())];
      const measured = chartDataOf(inputs.map(({ extent: _, ...input }) => input), smoothing);
      const fromBuckets = chartDataOf(inputs, smoothing);
      expect(fromBuckets.xExtent).toEqual(measured.xExtent);
      expect(fromBuckets.yExtent).toEqual(measured.yExtent);
      expect(fromBuckets.yExtent).toEqual([Math.min(...noisy.map((b) => b.min[1])), 40]);
    }
  });

  it('has no extent without points', () => {
    const data = buildChartData([run(null), run()], 0);
    expect(data.xExtent).toBeUndefined();
    expect(data.yExtent).toBeUndefined();
  });
});

describe('valueNear and lastValue', () => {
  const line = { xs: new Float64Array([0, 2, 4, 6, 8]), ys: new Float64Array([1, NaN, 5, NaN, NaN]) };

  it('reads the value of the nearest point by x, skipping gaps', () => {
    expect(valueNear(line, 0)).toBe(1);
    expect(valueNear(line, 1.9)).toBe(1);
    expect(valueNear(line, 2.1)).toBe(5);
    expect(valueNear(line, 3)).toBe(5);
    expect(valueNear(line, 100)).toBe(5);
    expect(valueNear(line, -100)).toBe(1);
    expect(valueNear({ xs: new Float64Array(2), ys: new Float64Array([NaN, NaN]) }, 0)).toBeUndefined();
    expect(valueNear({ xs: new Float64Array(0), ys: new Float64Array(0) }, 0)).toBeUndefined();
  });

  it('reads the last value, skipping gaps', () => {
    expect(lastValue(line)).toBe(5);
    expect(lastValue({ xs: new Float64Array(1), ys: new Float64Array([NaN]) })).toBeUndefined();
  });

  it('reads a run\'s last value off its buckets as off the line built from them', () => {
    const cases: Array<Array<M4Bucket | null>> = [
      [single(0, 1), { count: 4, first: [1, 2], last: [4, 3], min: [2, 0], max: [3, 9] }, null],
      // Extremes at the last x (ties: the later of first, min, max, last), any order.
      [{ count: 3, first: [1, 2], last: [4, 3], min: [4, 0], max: [2, 9] }],
      [{ count: 3, first: [1, 2], last: [3, 3], min: [2, 0], max: [5, 9] }],
      [{ count: 3, first: [6, 2], last: [3, 3], min: [2, 0], max: [5, 9] }],
      [{ count: 3, first: [6, 2], last: [6, 3], min: [6, 0], max: [6, 9] }],
      // A last point that is a gap: the value before it.
      [single(0, 1), { count: 2, first: [1, 4], last: [2, NaN], min: [1, 4], max: [1, 4] }],
      [null, null],
      [],
    ];
    for (const buckets of cases) {
      const line = chartDataOf([runInput(run(...buckets))], 0).lines[0]!;
      expect(line.buckets).toBeDefined();
      expect(lastValue(line)).toBe(lastValue({ xs: line.xs, ys: line.ys }));
    }
    expect(lastValue(chartDataOf([runInput(run(...cases[1]!))], 0).lines[0]!)).toBe(3);
  });
});

describe('group and log-scale chart data', () => {
  const points = [
    { firstX: 0, firstMean: 2, x: 0, x0: 0, x1: 0, mean: 2, min: 1, max: 3, runs: 2, count: 2 },
    { firstX: 5, firstMean: -1, x: 5, x0: 4, x1: 6, mean: -1, min: -2, max: 0.5, runs: 2, count: 6 },
  ];
  const area = (data: ReturnType<typeof chartDataOf>, i: number) => {
    const a = data.areas[i];
    return a && { xs: [...a.xs], lo: [...a.lo], hi: [...a.hi] };
  };

  it('draws a group as its mean line over its min–max area, which counts in the y extent', () => {
    const data = chartDataOf([groupInput(points), runInput(run(single(5, 7)))], 0);
    expect(data.lines.map(plain)).toEqual([
      { run: 0, smoothed: false, xs: [0, 5], ys: [2, -1] },
      { run: 1, smoothed: false, xs: [5], ys: [7] },
    ]);
    expect(area(data, 0)).toEqual({ xs: [0, 5], lo: [1, -2], hi: [3, 0.5] });
    expect(data.areas[1]).toBeNull();
    expect(data.bands.map((b) => b?.length)).toEqual([0, undefined]);
    expect(data.buckets.map((b) => b && bucketBands(b).length)).toEqual([undefined, 0]);
    expect(data.yExtent).toEqual([-2, 7]);
  });

  it('draws a group bucket from its first to its last mean', () => {
    const data = chartDataOf([groupInput([{ firstX: 0, firstMean: 4, x: 8, x0: 0, x1: 8, mean: 2, min: 1, max: 5, runs: 3, count: 27 }])], 0);
    expect(plain(data.lines[0])).toEqual({ run: 0, smoothed: false, xs: [0, 8], ys: [4, 2] });
    expect(area(data, 0)).toEqual({ xs: [0, 8], lo: [1, 1], hi: [5, 5] });
  });

  it('drops what a log axis cannot show: values at or below 0 become gaps, bands are cut at the smallest value', () => {
    const data = forLogScale(chartDataOf([groupInput(points), runInput(run(single(5, 7)))], 0));
    expect(data.lines.map((line) => [...line.ys])).toEqual([[2, NaN], [7]]);
    expect(area(data, 0)).toEqual({ xs: [0, 5], lo: [1, 2], hi: [3, 0.5] });
    expect(data.yExtent).toEqual([0.5, 7]);
    const banded = forLogScale(buildChartData([run({ count: 3, first: [0, 1], last: [2, 4], min: [1, -3], max: [0, 5] }, { count: 2, first: [3, -1], last: [4, -2], min: [4, -2], max: [3, -1] })], 0));
    expect([...banded.bands[0]!]).toEqual([0, 2, 1, 5]);
    expect(banded.yExtent).toEqual([1, 5]);
  });
});
