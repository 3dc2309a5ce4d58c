import { describe, expect, it } from 'vitest';
import type { RunInfo } from '@cairn/protocol';
import { compareRows } from '../lib/compare.js';
import { render, texts } from '../test-support/render.js';
import { CompareTable } from './compare-table.js';

const run = (id: string, config: Record<string, unknown>) => ({ id, name: `run-${id}`, config }) as unknown as RunInfo;
const runs = [run('a', { lr: 0.1, seed: 1, opt: 'adam' }), run('b', { lr: 0.1, seed: 2, opt: 'adam', wd: 0.01 })];
const rows = compareRows(runs.map((r) => r.config));

describe('CompareTable', () => {
  it('marks the rows whose values differ, a missing value among them, and counts them', () => {
    const page = render(<CompareTable title="Config" testId="config" runs={runs} rows={rows} onlyDifferences={false} filter="" />);
    const marked = [...page.querySelectorAll('tbody tr')].map((tr) => [tr.getAttribute('data-key'), tr.getAttribute('data-differs')]);
    expect(marked).toEqual([
      ['lr', 'false'],
      ['seed', 'true'],
      ['opt', 'false'],
      ['wd', 'true'],
    ]);
    expect(page.querySelector('.compare-tally')?.textContent).toBe('2 of 4 differ');
    // A column per run; a missing value shown as a dash, read out as "no value".
    expect(texts(page, 'thead th.compare-run').map((t) => t.trim())).toEqual(['run-a', 'run-b']);
    expect(texts(page, 'tr[data-key="wd"] td')).toEqual(['—no value', '0.01']);
    expect(page.querySelector('tr[data-key="seed"]')?.textContent).toContain('(values differ)');
  });

  it('shows only the differences, or the rows matching the filter, and says when none is left', () => {
    const only = render(<CompareTable title="Config" testId="config" runs={runs} rows={rows} onlyDifferences filter="" />);
    expect(texts(only, 'tbody tr th.compare-key').map((t) => t.replace(/[≠\s]|\(values differ\)/g, ''))).toEqual(['seed', 'wd']);
    const filtered = render(<CompareTable title="Config" testId="config" runs={runs} rows={rows} onlyDifferences={false} filter="adam" />);
    expect([...filtered.querySelectorAll('tbody tr')].map((tr) => tr.getAttribute('data-key'))).toEqual(['opt']);
    const none = render(<CompareTable title="Config" testId="config" runs={runs} rows={rows} onlyDifferences filter="adam" />);
    expect(none.textContent).toContain('No config key or value matches “adam” among the differences.');
  });
});
