import { act } from 'react';
import { describe, expect, it, vi } from 'vitest';
import type { RunInfo } from '@cairn/protocol';
import { tableColumns } from '../lib/table-columns.js';
import { click, render, texts } from '../test-support/render.js';
import { RunsTable, type RunsTableProps } from './runs-table.js';

const runs: RunInfo[] = Array.from(
  { length: 10_000 },
  (_, i) =>
    ({
      entity: 'local', project: 'demo', id: `r${String(i).padStart(5, '0')}`, name: `run-${i}`, state: i === 0 ? 'running' : 'finished', tags: i % 2 ? ['odd'] : [],
      group: null, jobType: null, createdAt: 1.7e9 + i, updatedAt: 1.7e9 + i, runtime: i, config: {}, summary: { loss: 1 / (i + 1) },
    }) as unknown as RunInfo,
);

function table(overrides: Partial<RunsTableProps> = {}) {
  const props: RunsTableProps = {
    runs, groups: undefined, columns: tableColumns(['state', 'runtime', 'tags', 'summary.loss']), sort: { field: 'created', order: 'desc' },
    onSort: vi.fn(), hidden: new Set(), onToggle: vi.fn(), charted: new Map([['r00000', '#4e79a7']]), now: 1.7e9 + 20_000, ...overrides,
  };
  return { props, page: render(<RunsTable {...props} />) };
}

const rowIds = (page: HTMLElement) => [...page.querySelectorAll('tbody tr[data-run]')].map((tr) => tr.getAttribute('data-run'));

describe('RunsTable', () => {
  it('puts only the rows in view of 10,000 runs in the document, and the others as the person scrolls', () => {
    const { page } = table();
    const first = rowIds(page);
    expect(first[0]).toBe('r00000');
    expect(first.length).toBeGreaterThan(5);
    expect(first.length).toBeLessThan(30);
    expect(page.querySelector('table')?.getAttribute('aria-rowcount')).toBe('10001');
    // Scrolled to the end: the last runs, and none of the first.
    const scroller = page.querySelector<HTMLElement>('[data-testid="runs-scroll"]')!;
    Object.defineProperty(scroller, 'clientHeight', { value: 360 });
    act(() => {
      scroller.scrollTop = 33 + 10_000 * 32 - 360;
      scroller.dispatchEvent(new Event('scroll'));
    });
    const last = rowIds(page);
    expect(last.at(-1)).toBe('r09999');
    expect(last).not.toContain('r00000');
    expect(last.length).toBeLessThan(40);
  });

  it('sorts by a clicked header: its natural order first, then the other', () => {
    const { page, props } = table();
    const header = (label: string) => [...page.querySelectorAll('thead th')].find((th) => th.textContent?.startsWith(label))!;
    click(header('Name').querySelector('button')!);
    expect(props.onSort).toHaveBeenLastCalledWith({ field: 'name', order: 'asc' });
    click(header('loss').querySelector('button')!);
    expect(props.onSort).toHaveBeenLastCalledWith({ field: 'summary.loss', order: 'desc' });
    // The column sorted by shows it, and a click turns its order.
    const sorted = table({ sort: { field: 'summary.loss', order: 'desc' } });
    const lossHeader = [...sorted.page.querySelectorAll('thead th')].find((th) => th.textContent?.startsWith('loss'))!;
    expect(lossHeader.getAttribute('aria-sort')).toBe('descending');
    click(lossHeader.querySelector('button')!);
    expect(sorted.props.onSort).toHaveBeenLastCalledWith({ field: 'summary.loss', order: 'asc' });
    click(header('State').querySelector('button')!);
    expect(props.onSort).toHaveBeenLastCalledWith({ field: 'state', order: 'asc' });
    // A column the server cannot sort by has no button.
    expect(header('Tags').querySelector('button')).toBeNull();
  });

  it('shows and hides a run in the charts with its toggle, in its colour', () => {
    const { page, props } = table({ hidden: new Set(['r00001']) });
    const toggle = (id: string) => page.querySelector<HTMLButtonElement>(`tr[data-run="${id}"] button.eye`)!;
    expect(toggle('r00000').getAttribute('aria-label')).toBe('Hide run-0 in charts');
    expect(toggle('r00000').querySelector<HTMLElement>('.swatch')!.style.background).toBe('rgb(78, 121, 167)');
    click(toggle('r00000'));
    expect(props.onToggle).toHaveBeenLastCalledWith(['r00000'], false);
    expect(toggle('r00001').getAttribute('aria-pressed')).toBe('false');
    click(toggle('r00001'));
    expect(props.onToggle).toHaveBeenLastCalledWith(['r00001'], true);
    expect(texts(page, 'tr[data-run="r00001"] td')).toContain('odd');
  });
});
