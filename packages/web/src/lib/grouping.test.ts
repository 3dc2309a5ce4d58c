import { describe, expect, it } from 'vitest';
import type { M4Bucket, RunInfo } from '@cairn/protocol';
import { packBuckets } from './buckets.js';
import { aggregateBuckets, chartedGroups, extentOf, groupRuns, parseGroupBy } from './grouping.js';

function run(id: string, fields: Partial<RunInfo> = {}): RunInfo {
  return {
    entity: 'local', project: 'p', id, name: id, group: null, jobType: null, tags: [], notes: null, state: 'finished', exitCode: 0,
    createdAt: 0, updatedAt: 0, heartbeatAt: 0, startTime: 0, runtime: 0, lastStep: 0, historyRows: 0, config: {}, summary: {}, metadata: null, metrics: [],
    ...fields,
  };
}

const point = (x: number, y: number): M4Bucket => ({ count: 1, first: [x, y], last: [x, y], min: [x, y], max: [x, y] });

describe('groupRuns', () => {
  it('groups by group, job type or a nested config value, in order of first appearance', () => {
    const runs = [
      run('a', { group: 'sweep-2', config: { opt: { name: 'adam' }, lr: 0.1 } }),
      run('b', { group: 'sweep-1', config: { opt: { name: 'sgd' }, lr: '0.1' } }),
      run('c', { group: 'sweep-2', config: { opt: { name: 'adam' } } }),
      run('d', { jobType: 'eval' }),
    ];
    expect(groupRuns(runs, 'group').map((g) => [g.label, g.runs.map((r) => r.id).join('')])).toEqual([['sweep-2', 'ac'], ['sweep-1', 'b'], ['no group', 'd']]);
    expect(groupRuns(runs, 'jobType').map((g) => [g.label, g.runs.length])).toEqual([['no job type', 3], ['eval', 1]]);
    expect(groupRuns(runs, 'config.opt.name').map((g) => g.label)).toEqual(['adam', 'sgd', 'no opt.name']);
    // The number 0.1 and the string "0.1" are different values.
    expect(groupRuns(runs, 'config.lr').map((g) => g.runs.length)).toEqual([1, 1, 2]);
  });

  it('reads the grouping from the URL', () => {
    expect(parseGroupBy('group')).toBe('group');
    expect(parseGroupBy('config.lr')).toBe('config.lr');
    expect(parseGroupBy('config.')).toBeUndefined();
    expect(parseGroupBy('name')).toBeUndefined();
    expect(parseGroupBy(null)).toBeUndefined();
  });
});

describe('chartedGroups', () => {
  it('takes the first groups with a shown run, keeping only their shown runs', () => {
    const groups = groupRuns([run('a', { group: 'x' }), run('b', { group: 'y' }), run('c', { group: 'x' }), run('d', { group: 'z' })], 'group');
    const charted = chartedGroups(groups, new Set(['b', 'c']), 5);
    expect(charted.map((g) => [g.label, g.runs.map((r) => r.id).join('')])).toEqual([['x', 'a'], ['z', 'd']]);
    expect(chartedGroups(groups, new Set(), 1).map((g) => g.label)).toEqual(['x']);
    expect(chartedGroups(groups, new Set(), 9, 3).flatMap((g) => g.runs.map((r) => r.id))).toEqual(['a', 'c', 'b']);
  });
});

describe('aggregateBuckets', () => {
  it('takes the mean of the runs\' first and last points in each shared bucket, banded by their extremes', () => {
    const spiky: M4Bucket = { count: 4, first: [10, 2], last: [13, 3], min: [11, 1], max: [12, 8] };
    const points = aggregateBuckets([
      packBuckets([point(0, 1), spiky, null]),
      packBuckets([point(0, 3), point(13, 5), point(20, 4)]),
      packBuckets([]),
    ]);
    expect(points).toEqual([
      { firstX: 0, firstMean: 2, x: 0, x0: 0, x1: 0, mean: 2, min: 1, max: 3, runs: 2, count: 2 },
      { firstX: 11.5, firstMean: 3.5, x: 13, x0: 10, x1: 13, mean: 4, min: 1, max: 8, runs: 2, count: 5 },
      { firstX: 20, firstMean: 4, x: 20, x0: 20, x1: 20, mean: 4, min: 4, max: 4, runs: 1, count: 1 },
    ]);
  });

  it('skips non-finite values and answers nothing for no runs', () => {
    expect(aggregateBuckets([packBuckets([point(0, NaN)]), packBuckets([point(0, 2)])])).toEqual([{ firstX: 0, firstMean: 2, x: 0, x0: 0, x1: 0, mean: 2, min: 2, max: 2, runs: 1, count: 1 }]);
    expect(aggregateBuckets([])).toEqual([]);
  });
});

describe('extentOf', () => {
  it('spans every point of every series', () => {
    const wide: M4Bucket = { count: 9, first: [3, 0], last: [40, 0], min: [2, -1], max: [41, 5] };
    expect(extentOf([packBuckets([wide]), packBuckets([point(-5, 1)]), packBuckets([])])).toEqual([-5, 41]);
    expect(extentOf([packBuckets([]), packBuckets([null])])).toBeUndefined();
  });
});
