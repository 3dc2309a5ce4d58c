import { describe, expect, it } from 'vitest';
import type { M4Bucket } from '@cairn/protocol';
import { packBuckets } from './buckets.js';
import { runSource, tooltipValue } from './tooltip.js';

const one = (x: number, y: number): M4Bucket => ({ count: 1, first: [x, y], last: [x, y], min: [x, y], max: [x, y] });

describe('tooltipValue', () => {
  const many: M4Bucket = { count: 250, first: [100, 0.5], last: [349, 0.4], min: [200, 0.1], max: [120, 9.5] };
  const run = runSource(packBuckets([one(0, 1), null, many, null, one(400, 0.3)]));

  it('reads a single point as its value', () => {
    expect(tooltipValue(run, 0.4, 1)).toEqual({ x: 0, value: 1, min: 1, max: 1, count: 1, runs: undefined });
  });

  it('reports the last value, min and max of a bucket holding many points', () => {
    expect(tooltipValue(run, 200, 1)).toEqual({ x: 349, value: 0.4, min: 0.1, max: 9.5, count: 250, runs: undefined });
  });

  it('says nothing far from every bucket (past the end of a short run)', () => {
    expect(tooltipValue(run, 600, 5)).toBeUndefined();
    expect(tooltipValue(runSource(new Float64Array(0)), 1, 5)).toBeUndefined();
  });

  it('reads a group\'s mean and spread', () => {
    const group = { kind: 'group' as const, points: [{ firstX: 8, firstMean: 3, x: 10, x0: 8, x1: 12, mean: 2, min: 1, max: 4, runs: 3, count: 9 }] };
    expect(tooltipValue(group, 9, 0)).toEqual({ x: 10, value: 2, min: 1, max: 4, count: 9, runs: 3 });
  });
});
