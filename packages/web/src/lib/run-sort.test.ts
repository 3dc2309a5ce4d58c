import { describe, expect, it } from 'vitest';
import type { RunInfo } from '@cairn/protocol';
import { sortRuns } from './run-sort.js';

function run(id: string, fields: Partial<RunInfo> = {}): RunInfo {
  return {
    entity: 'local', project: 'p', id, name: null, group: null, jobType: null, tags: [], notes: null, state: 'finished', exitCode: 0,
    createdAt: 0, updatedAt: 0, heartbeatAt: 0, startTime: 0, runtime: 0, lastStep: 0, historyRows: 0, config: {}, summary: {}, metadata: null, metrics: [],
    ...fields,
  };
}

const ids = (runs: RunInfo[] | undefined) => runs?.map((r) => r.id).join(',');

describe('sortRuns', () => {
  const runs = [
    run('c', { createdAt: 2, name: 'beta', summary: { acc: 0.5 }, config: { opt: { lr: 'x' } } }),
    run('a', { createdAt: 3, name: 'alpha', summary: { acc: 0.9 }, config: { opt: { lr: 0.1 } } }),
    run('b', { createdAt: 2, summary: {}, config: { opt: { lr: 0.01 } } }),
    run('d', { createdAt: 1, name: 'delta', summary: { acc: 0.9 } }),
  ];

  it('sorts by the run fields, ties by id ascending in either order', () => {
    expect(ids(sortRuns(runs, { field: 'created', order: 'desc' }))).toBe('a,b,c,d');
    expect(ids(sortRuns(runs, { field: 'created', order: 'asc' }))).toBe('d,b,c,a');
    // A run without a name sorts by its id.
    expect(ids(sortRuns(runs, { field: 'name', order: 'asc' }))).toBe('a,b,c,d');
  });

  it('sorts by summary and nested config values: numbers, then strings, then missing, in either order, as the server does', () => {
    expect(ids(sortRuns(runs, { field: 'summary.acc', order: 'desc' }))).toBe('a,d,c,b');
    expect(ids(sortRuns(runs, { field: 'summary.acc', order: 'asc' }))).toBe('c,a,d,b');
    expect(ids(sortRuns(runs, { field: 'config.opt.lr', order: 'asc' }))).toBe('b,a,c,d');
  });

  it('sorts by state, group and job type, a run without a group or job type first ascending', () => {
    const teams = [run('a', { state: 'running', group: 'g2', jobType: 'train' }), run('b', { state: 'crashed', group: null }), run('c', { state: 'finished', group: 'g1', jobType: 'eval' })];
    expect(ids(sortRuns(teams, { field: 'state', order: 'asc' }))).toBe('b,c,a');
    expect(ids(sortRuns(teams, { field: 'group', order: 'asc' }))).toBe('b,c,a');
    expect(ids(sortRuns(teams, { field: 'jobType', order: 'desc' }))).toBe('a,c,b');
  });

  it('declines a field the server cannot sort by', () => {
    expect(sortRuns(runs, { field: 'tags', order: 'asc' })).toBeUndefined();
  });
});
