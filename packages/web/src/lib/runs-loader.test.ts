import { describe, expect, it } from 'vitest';
import type { RunInfo, RunPage } from '@cairn/protocol';
import { firstPageSize, loadAllRuns, type LoadedRuns } from './runs-loader.js';

/** A fake server holding `total` runs, paging with a cursor; `withTotal: false` is a server older than the field. */
function server(total: number, withTotal = true) {
  const calls: Array<{ cursor: string | undefined; limit: number }> = [];
  const fetchPage = async (cursor: string | undefined, limit: number): Promise<RunPage> => {
    calls.push({ cursor, limit });
    const offset = cursor ? Number(cursor) : 0;
    const runs = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => ({ id: `r${offset + i}` }) as RunInfo);
    const page = { runs, nextCursor: offset + limit < total ? String(offset + limit) : null };
    return (withTotal ? { ...page, total } : page) as RunPage;
  };
  return { calls, fetchPage };
}

describe('loadAllRuns', () => {
  it('follows the cursor to the last page, reporting every page', async () => {
    const { calls, fetchPage } = server(2500);
    const progress: LoadedRuns[] = [];
    const done = await loadAllRuns(fetchPage, (state) => progress.push(state));
    expect(done).toMatchObject({ complete: true, capped: false });
    expect(done.runs).toHaveLength(2500);
    expect(done.runs[2499]!.id).toBe('r2499');
    expect(calls.map((c) => c.cursor)).toEqual([undefined, '1000', '2000']);
    expect(progress.map((p) => [p.runs.length, p.complete, p.total])).toEqual([[1000, false, 2500], [2000, false, 2500], [2500, true, 2500]]);
  });

  it('asks for a small first page, then full pages: the table shows the first at once', async () => {
    const { calls, fetchPage } = server(2500);
    const progress: LoadedRuns[] = [];
    await loadAllRuns(fetchPage, (state) => progress.push(state), { firstPage: 100 });
    expect(calls).toEqual([
      { cursor: undefined, limit: 100 },
      { cursor: '100', limit: 1000 },
      { cursor: '1100', limit: 1000 },
      { cursor: '2100', limit: 1000 },
    ]);
    // The count is known from the first page on.
    expect(progress.map((p) => [p.runs.length, p.total])).toEqual([[100, 2500], [1100, 2500], [2100, 2500], [2500, 2500]]);
  });

  it('goes on from a first page already in, without reporting it again', async () => {
    const { calls, fetchPage } = server(1500);
    const first = await fetchPage(undefined, 100);
    calls.length = 0;
    const progress: LoadedRuns[] = [];
    const done = await loadAllRuns(fetchPage, (state) => progress.push(state), { start: first });
    expect(calls.map((c) => c.cursor)).toEqual(['100', '1100']);
    expect(progress.map((p) => p.runs.length)).toEqual([1100, 1500]);
    expect(done.runs.map((run) => run.id).slice(99, 101)).toEqual(['r99', 'r100']);
    // A first page that is the whole list: nothing to fetch.
    const whole = await fetchPage(undefined, 2000);
    calls.length = 0;
    expect(await loadAllRuns(fetchPage, () => {}, { start: whole })).toMatchObject({ complete: true });
    expect(calls).toEqual([]);
  });

  it('pages all the same from a server that sends no total', async () => {
    const done = await loadAllRuns(server(1200, false).fetchPage, () => {});
    expect(done).toMatchObject({ complete: true, capped: false, total: undefined });
    expect(done.runs).toHaveLength(1200);
  });

  it('stops at the cap, saying more runs exist', async () => {
    const { calls, fetchPage } = server(50);
    const done = await loadAllRuns(fetchPage, () => {}, { cap: 25, pageSize: 10 });
    expect(done).toMatchObject({ complete: true, capped: true });
    expect(done.runs).toHaveLength(25);
    expect(calls.map((c) => c.limit)).toEqual([10, 10, 5]);
    expect((await loadAllRuns(server(25).fetchPage, () => {}, { cap: 25, pageSize: 10 })).capped).toBe(false);
  });

  it('sizes the first page for the runs charted', () => {
    expect(firstPageSize(10)).toBe(100);
    expect(firstPageSize(200)).toBe(200);
    expect(firstPageSize(5000)).toBe(1000);
  });

  it('stops when aborted', async () => {
    const { fetchPage } = server(5000);
    const controller = new AbortController();
    const loading = loadAllRuns(fetchPage, () => controller.abort(), { signal: controller.signal });
    await expect(loading).rejects.toThrow();
  });
});
