import { describe, expect, it } from 'vitest';
import type { RunInfo, RunPage } from '@cairn/protocol';
import { loadAllRuns, type LoadedRuns } from './runs-loader.js';

/** A fake server holding `total` runs, paging by offset like the real one. */
function server(total: number) {
  const calls: Array<{ cursor: string | undefined; limit: number }> = [];
  const fetchPage = async (cursor: string | undefined, limit: number): Promise<RunPage> => {
    calls.push({ cursor, limit });
    const offset = cursor ? Number(cursor) : 0;
    const runs = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => ({ id: `r${offset + i}` }) as RunInfo);
    return { runs, nextCursor: offset + limit < total ? String(offset + limit) : null, total };
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
    expect(progress.map((p) => [p.runs.length, p.complete])).toEqual([[1000, false], [2000, false], [2500, true]]);
  });

  it('stops at the cap, saying more runs exist', async () => {
    const { calls, fetchPage } = server(50);
    const done = await loadAllRuns(fetchPage, () => {}, { cap: 25, pageSize: 10 });
    expect(done).toMatchObject({ complete: true, capped: true });
    expect(done.runs).toHaveLength(25);
    expect(calls.map((c) => c.limit)).toEqual([10, 10, 5]);
    expect((await loadAllRuns(server(25).fetchPage, () => {}, { cap: 25, pageSize: 10 })).capped).toBe(false);
  });

  it('stops when aborted', async () => {
    const { fetchPage } = server(5000);
    const controller = new AbortController();
    const loading = loadAllRuns(fetchPage, () => controller.abort(), { signal: controller.signal });
    await expect(loading).rejects.toThrow();
  });
});
