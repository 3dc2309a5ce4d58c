import { describe, expect, it } from 'vitest';
import { LiveListEvents } from './live-list.js';

describe('LiveListEvents', () => {
  it("refreshes a row the table holds, on every event", () => {
    const events = new LiveListEvents();
    const table = new Set(['a', 'b']);
    expect(events.onEvent('a', table, 'q')).toBe('row');
    expect(events.onEvent('a', table, 'q')).toBe('row');
  });

  it('reloads the list once for a run outside the table, not on its later events', () => {
    const events = new LiveListEvents();
    const table = new Set(['a']);
    expect(events.onEvent('hidden', table, 'state=finished')).toBe('list');
    expect(events.onEvent('hidden', table, 'state=finished')).toBe('none');
    expect(events.onEvent('hidden', table, 'state=finished')).toBe('none');
    // Another run outside the table gets its own reload.
    expect(events.onEvent('other', table, 'state=finished')).toBe('list');
  });

  it('asks again under a new query, which may take the run in', () => {
    const events = new LiveListEvents();
    const table = new Set(['a']);
    expect(events.onEvent('hidden', table, 'state=finished')).toBe('list');
    expect(events.onEvent('hidden', table, 'state=finished')).toBe('none');
    expect(events.onEvent('hidden', table, '')).toBe('list');
  });

  it('once the reload brought a new run in, refreshes its row; if it leaves the table, asks again', () => {
    const events = new LiveListEvents();
    expect(events.onEvent('new', new Set(['a']), '')).toBe('list');
    expect(events.onEvent('new', new Set(['a', 'new']), '')).toBe('row');
    expect(events.onEvent('new', new Set(['a']), '')).toBe('list');
  });
});
