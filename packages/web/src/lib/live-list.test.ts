import { describe, expect, it } from 'vitest';
import type { RunInfo } from '@cairn/protocol';
import { LiveListEvents, rowChange } from './live-list.js';
import { parseRunFilter } from './run-filter.js';

const noFilter = parseRunFilter('');
const finishedOnly = parseRunFilter('state:finished');
const accurate = parseRunFilter('summary.acc > 0.9');

describe('LiveListEvents', () => {
  it('refreshes a row the table holds, on every event', () => {
    const events = new LiveListEvents();
    const table = new Set(['a', 'b']);
    expect(events.onEvent('a', 'running', table, 'q', noFilter)).toBe('row');
    expect(events.onEvent('a', 'running', table, 'q', noFilter)).toBe('row');
  });

  it('reloads the list once for a run outside the table in each state, not on its later events', () => {
    const events = new LiveListEvents();
    const table = new Set(['a']);
    expect(events.onEvent('hidden', 'running', table, 'f', finishedOnly)).toBe('list');
    expect(events.onEvent('hidden', 'running', table, 'f', finishedOnly)).toBe('none');
    expect(events.onEvent('hidden', 'running', table, 'f', finishedOnly)).toBe('none');
    // Another run outside the table gets its own reload.
    expect(events.onEvent('other', 'running', table, 'f', finishedOnly)).toBe('list');
    // The run finished: now it may match.
    expect(events.onEvent('hidden', 'finished', table, 'f', finishedOnly)).toBe('list');
  });

  it('reloads the list on every event of a run outside the table while the filter compares values', () => {
    const events = new LiveListEvents();
    const table = new Set(['a']);
    expect(events.onEvent('hidden', 'running', table, 'acc', accurate)).toBe('list');
    expect(events.onEvent('hidden', 'running', table, 'acc', accurate)).toBe('list');
  });

  it('asks again under a new query, which may take the run in', () => {
    const events = new LiveListEvents();
    const table = new Set(['a']);
    expect(events.onEvent('hidden', 'running', table, 'f', finishedOnly)).toBe('list');
    expect(events.onEvent('hidden', 'running', table, 'f', finishedOnly)).toBe('none');
    expect(events.onEvent('hidden', 'running', table, '', noFilter)).toBe('list');
  });

  it('once the reload brought a new run in, refreshes its row; if it leaves the table, asks again', () => {
    const events = new LiveListEvents();
    expect(events.onEvent('new', 'running', new Set(['a']), '', noFilter)).toBe('list');
    expect(events.onEvent('new', 'running', new Set(['a', 'new']), '', noFilter)).toBe('row');
    expect(events.onEvent('new', 'running', new Set(['a']), '', noFilter)).toBe('list');
  });
});

describe('rowChange', () => {
  const run = (fields: Partial<RunInfo>): RunInfo =>
    ({ id: 'r', name: 'r', state: 'running', tags: [], group: null, jobType: null, config: { lr: 0.1 }, summary: { acc: 0.5, loss: 2 }, createdAt: 1, updatedAt: 1, runtime: 1, ...fields }) as RunInfo;
  const byCreated = { field: 'created', order: 'desc' } as const;
  const byLoss = { field: 'summary.loss', order: 'asc' } as const;

  it('says a run may have left the filter when what the filter reads changed', () => {
    expect(rowChange(run({}), run({ state: 'finished' }), parseRunFilter('state:running'), byCreated)).toBe('refilter');
    expect(rowChange(run({}), run({ summary: { acc: 0.95, loss: 2 } }), accurate, byCreated)).toBe('refilter');
    expect(rowChange(run({}), run({ config: { lr: 0.2 } }), parseRunFilter('config.lr < 0.15'), byCreated)).toBe('refilter');
    expect(rowChange(run({}), run({ tags: ['best'] }), parseRunFilter('tag:best'), byCreated)).toBe('refilter');
    expect(rowChange(run({}), run({ name: 'renamed' }), parseRunFilter('res'), byCreated)).toBe('refilter');
    // What the filter does not read may change freely.
    expect(rowChange(run({}), run({ state: 'finished', summary: { acc: 0.5, loss: 1 } }), accurate, byCreated)).toBe('same');
  });

  it('says a run moved when its sorted value changed', () => {
    expect(rowChange(run({}), run({ summary: { acc: 0.5, loss: 1 } }), noFilter, byLoss)).toBe('resort');
    expect(rowChange(run({}), run({ summary: { acc: 0.6, loss: 2 } }), noFilter, byLoss)).toBe('same');
    expect(rowChange(run({}), run({ runtime: 5 }), noFilter, { field: 'runtime', order: 'desc' })).toBe('resort');
  });
});
