import { describe, expect, it } from 'vitest';
import type { M4Bucket } from '@cairn/protocol';
import { alignPolylines, buildChartData, chartDataOf, forLogScale, groupInput, nearestValue, runInput } from './chart-data.js';

const single = (x: number, y: number): M4Bucket => ({ count: 1, first: [x, y], last: [x, y], min: [x, y], max: [x, y] });

describe('alignPolylines', () => {
  it('merges the x values of every line, with null where a line has no point', () => {
    expect(alignPolylines([{ xs: [0, 2, 4], ys: [1, 3, 5] }, { xs: [1, 2], ys: [7, 8] }])).toEqual({
      xs: [0, 1, 2, 4],
      columns: [
        [1, null, 3, 5],
        [null, 7, 8, null],
      ],
    });
  });

  it('gives a repeated x as many slots as the line repeating it most, losing no point', () => {
    expect(alignPolylines([{ xs: [1, 1, 1, 2], ys: [5, 6, 7, 8] }, { xs: [1, 3], ys: [0, 9] }])).toEqual({
      xs: [1, 1, 1, 2, 3],
      columns: [
        [5, 6, 7, 8, null],
        [0, null, null, null, 9],
      ],
    });
  });

  it('handles no lines and empty lines', () => {
    expect(alignPolylines([])).toEqual({ xs: [], columns: [] });
    expect(alignPolylines([{ xs: [], ys: [] }, { xs: [3], ys: [1] }])).toEqual({ xs: [3], columns: [[null], [1]] });
  });
});

describe('buildChartData', () => {
  const runA = [single(0, 4), single(1, 2), single(2, 0)];
  const runB = [single(1, 10), single(3, 30)];

  it('without smoothing: one raw line per run, which the legend reads', () => {
    const data = buildChartData([runA, runB], 0);
    expect(data.xs).toEqual([0, 1, 2, 3]);
    expect(data.columns).toEqual([
      [4, 2, 0, null],
      [null, 10, null, 30],
    ]);
    expect(data.lines).toEqual([
      { run: 0, smoothed: false },
      { run: 1, smoothed: false },
    ]);
    expect(data.mainColumn).toEqual([0, 1]);
  });

  it('with smoothing: raw lines first (drawn faint), smoothed lines on top, the legend reading the smoothed', () => {
    const data = buildChartData([runA, runB], 0.5);
    expect(data.lines).toEqual([
      { run: 0, smoothed: false },
      { run: 1, smoothed: false },
      { run: 0, smoothed: true },
      { run: 1, smoothed: true },
    ]);
    expect(data.mainColumn).toEqual([2, 3]);
    const smoothedA = data.columns[2]!;
    expect(smoothedA[0]).toBeCloseTo(4, 12);
    expect(smoothedA[2]!).toBeGreaterThan(0); // lags behind the raw 0
    expect(smoothedA[3]).toBeNull();
    // Run B is smoothed over its own points: the other run's x values are no gaps for it.
    expect(data.columns[3]![1]).toBeCloseTo(10, 12);
    expect(data.columns[3]![3]!).toBeLessThan(30);
  });

  it('keeps each run\'s bands', () => {
    const wide: M4Bucket = { count: 10, first: [0, 1], min: [3, 0], max: [5, 9], last: [9, 2] };
    const data = buildChartData([[wide], []], 0);
    expect(data.bands).toEqual([[{ x0: 0, x1: 9, lo: 0, hi: 9 }], []]);
  });
});

describe('nearestValue', () => {
  it('reads the value at the index, else the nearest one', () => {
    const column = [null, 1, null, null, 4, null];
    expect(nearestValue(column, 1)).toBe(1);
    expect(nearestValue(column, 0)).toBe(1);
    expect(nearestValue(column, 2)).toBe(1);
    expect(nearestValue(column, 3)).toBe(4);
    expect(nearestValue(column, 5)).toBe(4);
    expect(nearestValue([null, null], 1)).toBeUndefined();
    expect(nearestValue([], 0)).toBeUndefined();
  });
});

describe('group and log-scale chart data', () => {
  const points = [
    { firstX: 0, firstMean: 2, x: 0, x0: 0, x1: 0, mean: 2, min: 1, max: 3, runs: 2, count: 2 },
    { firstX: 5, firstMean: -1, x: 5, x0: 4, x1: 6, mean: -1, min: -2, max: 0.5, runs: 2, count: 6 },
  ];

  it('draws a group as its mean line over its min–max area', () => {
    const data = chartDataOf([groupInput(points), runInput([single(5, 7)])], 0);
    expect(data.xs).toEqual([0, 5]);
    expect(data.columns).toEqual([[2, -1], [null, 7]]);
    expect(data.areas).toEqual([{ xs: [0, 5], lo: [1, -2], hi: [3, 0.5] }, null]);
    expect(data.bands).toEqual([[], []]);
  });

  it('draws a group bucket from its first to its last mean', () => {
    const data = chartDataOf([groupInput([{ firstX: 0, firstMean: 4, x: 8, x0: 0, x1: 8, mean: 2, min: 1, max: 5, runs: 3, count: 27 }])], 0);
    expect(data.xs).toEqual([0, 8]);
    expect(data.columns).toEqual([[4, 2]]);
    expect(data.areas).toEqual([{ xs: [0, 8], lo: [1, 1], hi: [5, 5] }]);
  });

  it('drops what a log axis cannot show: values at or below 0 become gaps, bands are cut at the smallest value', () => {
    const data = forLogScale(chartDataOf([groupInput(points), runInput([single(5, 7)])], 0));
    expect(data.columns).toEqual([[2, null], [null, 7]]);
    expect(data.areas[0]).toEqual({ xs: [0, 5], lo: [1, 2], hi: [3, 0.5] });
    const banded = forLogScale(buildChartData([[{ count: 3, first: [0, 1], last: [2, 4], min: [1, -3], max: [0, 5] }, { count: 2, first: [3, -1], last: [4, -2], min: [4, -2], max: [3, -1] }]], 0));
    expect(banded.bands).toEqual([[{ x0: 0, x1: 2, lo: 1, hi: 5 }]]);
  });
});
