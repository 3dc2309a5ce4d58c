/**
 * The dashboard's live update of a panel (packages/web/src/lib/live-update.ts) against the
 * real server on a loopback port: runs are written a few rows at a time through the ingest
 * route, and after each write the panel's buckets — the kept ones and the new tail — are
 * checked against every point written: each bucket's count, first, last, min and max exact,
 * the buckets in x order and together holding every point. The requests are checked too:
 * only the live runs, only from their last bucket on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiPaths, RECORDS_CONTENT_TYPE, type SeriesRequest } from '@cairn/protocol';
import { startServer, type RunningServer } from '@cairn/server';
import { logBody } from '../packages/server/src/test-support/records.js';
import { BUCKET_STRIDE, bucketCount, COUNT, FIRST_X, FIRST_Y, LAST_X, LAST_Y, MAX_X, MAX_Y, MIN_X, MIN_Y, spanEnd, spanStart, type Buckets } from '../packages/web/src/lib/buckets.js';
import { liveUpdate, type UpdateReport } from '../packages/web/src/lib/live-update.js';
import { queryPanel, type PanelAnswer, type PanelQuery } from '../packages/web/src/lib/panel-query.js';
import { decodeSeries, type SeriesAnswer } from '../packages/web/src/lib/series-binary.js';

let server: RunningServer;
let tempRoot: string;

beforeAll(async () => {
  tempRoot = mkdtempSync(path.join(os.tmpdir(), 'cairn-e2e-live-'));
  server = await startServer({ port: 0, dataDir: path.join(tempRoot, 'server'), quiet: true });
});

afterAll(async () => {
  await server?.close();
  rmSync(tempRoot, { recursive: true, force: true });
});

/** A run written through the ingest route, a batch of rows at a time; it keeps what it wrote. */
class WrittenRun {
  /** The rows written, with their step, runtime and timestamp. */
  private readonly rows: Array<Record<string, number>> = [];
  private next = 0;
  private step = 0;

  constructor(
    readonly project: string,
    readonly id: string,
  ) {}

  get ref() {
    return { entity: 'local', project: this.project, id: this.id };
  }

  async write(rows: Array<Record<string, number>>): Promise<void> {
    const records: object[] = [];
    if (this.next === 0) {
      records.push({ t: 'header', version: 1, writer: 'test', writerId: 'w1', pid: 1, time: 1000 });
      records.push({ t: 'run', id: this.id, project: this.project, entity: null, name: this.id, group: null, jobType: null, tags: [], notes: null, startTime: 1000, startingStep: 0, resumed: false, sweepId: null, mode: 'online' });
    }
    for (const row of rows) {
      const full = { ...row, _step: this.step, _runtime: this.step * 0.25, _timestamp: 1000 + this.step * 0.25 };
      this.rows.push(full);
      records.push({ t: 'history', row: full });
      this.step++;
    }
    const response = await fetch(`${server.url}${apiPaths.records('local', this.project, this.id)}?writer=w1&first=${this.next}`, {
      method: 'POST',
      headers: { 'content-type': RECORDS_CONTENT_TYPE },
      body: logBody(records),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    this.next += records.length;
  }

  /** The key's points against axis `x`, sorted by x (as the server joins and sorts them). */
  points(key: string, x: string): Array<[number, number]> {
    return this.rows.filter((row) => key in row && x in row).map((row): [number, number] => [row[x]!, row[key]!]).sort((p, q) => p[0] - q[0]);
  }
}

/** The dashboard's fetch of a series request, in binary, with the requests it made kept. */
function seriesClient() {
  const requests: SeriesRequest[] = [];
  const fetchSeries = async (request: SeriesRequest): Promise<SeriesAnswer> => {
    requests.push(request);
    const response = await fetch(`${server.url}${apiPaths.series()}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...request, format: 'binary' }) });
    expect(response.status).toBe(200);
    return decodeSeries(await response.arrayBuffer(), request);
  };
  return { requests, fetchSeries };
}

/**
 * Fails unless `buckets` are exact M4 buckets of `points` (sorted by x, distinct x): in x
 * order, each holding exactly the points within its span, with their first, last, smallest
 * and largest (the first of equal extremes), and all the points held.
 */
function expectExact(buckets: Buckets, points: ReadonlyArray<[number, number]>, what: string): void {
  let held = 0;
  let previousEnd = -Infinity;
  for (let k = 0; k < bucketCount(buckets); k++) {
    const at = k * BUCKET_STRIDE;
    if (buckets[at + COUNT] === 0) continue;
    const start = spanStart(buckets, at);
    const end = spanEnd(buckets, at);
    expect(start, `${what}: bucket ${k} starts after the one before`).toBeGreaterThan(previousEnd);
    previousEnd = end;
    const inside = points.filter(([x]) => x >= start && x <= end);
    expect(buckets[at + COUNT], `${what}: bucket ${k} count`).toBe(inside.length);
    let min = inside[0]!;
    let max = inside[0]!;
    for (const p of inside) {
      if (p[1] < min[1]) min = p;
      if (p[1] > max[1]) max = p;
    }
    const got = (x: number, y: number) => [buckets[at + x], buckets[at + y]];
    expect([got(FIRST_X, FIRST_Y), got(LAST_X, LAST_Y), got(MIN_X, MIN_Y), got(MAX_X, MAX_Y)], `${what}: bucket ${k}`).toEqual([inside[0], inside[inside.length - 1], min, max]);
    held += inside.length;
  }
  expect(held, `${what}: points held`).toBe(points.length);
}

/** A value with spikes, so that min and max matter. */
const value = (step: number, seed = 1) => Math.sin(step * 0.37 * seed) + (step % 97 === 13 ? 25 : 0) - (step % 89 === 5 ? 30 : 0);
const rowsFrom = (start: number, n: number, seed = 1) => Array.from({ length: n }, (_, i) => ({ loss: value(start + i, seed) }));

function newReport(): UpdateReport {
  return { tails: [], whole: [], full: false };
}

function series(answer: PanelAnswer, id: string): Buckets {
  return answer.series.series.find((s) => s.run.id === id)!.buckets;
}

describe('live update of a panel against the real server', () => {
  it('adds a running run’s new points to its buckets and asks for nothing else', async () => {
    const done = new WrittenRun('ungrouped', 'done');
    const live = new WrittenRun('ungrouped', 'live');
    await done.write(rowsFrom(0, 3000, 2));
    await live.write(rowsFrom(0, 300));
    // Wall time too: large x values, where rounding at bucket edges shows first.
    for (const x of ['_step', '_runtime', '_timestamp']) {
      const { requests, fetchSeries } = seriesClient();
      const query: PanelQuery = { runs: [done.ref, live.ref], key: 'loss', x, buckets: 50, zoom: undefined, shared: false };
      let answer = await queryPanel(fetchSeries, query);
      const doneBuckets = series(answer, 'done');
      expectExact(series(answer, 'live'), live.points('loss', x), `${x}: first answer`);
      // Batches of every size, a single row among them.
      for (const size of [1, 7, 3, 40, 1, 25]) {
        await live.write(rowsFrom(live.points('loss', '_step').length, size));
        const before = bucketCount(series(answer, 'live'));
        // Its last bucket, and the panel's width (50) more.
        const { from, width, count } = answer.grids[1]!;
        const lastBucketStart = from + (count - 1) * width;
        requests.length = 0;
        const report = newReport();
        answer = await liveUpdate(fetchSeries, query, answer, new Set(['live']), undefined, report);
        expect(report, `${x}: +${size}`).toEqual({ tails: ['live'], whole: [], full: false });
        // One request: the live run's tail from its last bucket, and its whole series in one bucket.
        expect(requests.map((r) => r.runs), `${x}: +${size}`).toEqual([
          [
            { ...live.ref, range: [expect.closeTo(lastBucketStart, 9), expect.closeTo(lastBucketStart + 51 * width, 9)], buckets: 51 },
            { ...live.ref, buckets: 1 },
          ],
        ]);
        expect(series(answer, 'done'), 'the finished run keeps its buckets').toBe(doneBuckets);
        expectExact(series(answer, 'live'), live.points('loss', x), `${x}: after +${size}`);
        expect(bucketCount(series(answer, 'live'))).toBeGreaterThanOrEqual(before);
      }
    }
  });

  it('spreads a run anew over its extent when its buckets come to twice the panel’s width', async () => {
    const live = new WrittenRun('respread', 'live');
    await live.write(rowsFrom(0, 200));
    const { requests, fetchSeries } = seriesClient();
    const query: PanelQuery = { runs: [live.ref], key: 'loss', x: '_step', buckets: 20, zoom: undefined, shared: false };
    let answer = await queryPanel(fetchSeries, query);
    // Buckets of 9.95 steps, the last from 189.05: 150 more steps reach its 17th, 36 in all,
    // under 40; 60 more pass 40.
    await live.write(rowsFrom(200, 150));
    let report = newReport();
    answer = await liveUpdate(fetchSeries, query, answer, new Set(['live']), undefined, report);
    expect(report.tails).toEqual(['live']);
    expect(bucketCount(series(answer, 'live'))).toBe(19 + Math.floor((349 - 19 * 9.95) / 9.95) + 1);
    expectExact(series(answer, 'live'), live.points('loss', '_step'), 'grown');
    await live.write(rowsFrom(350, 60));
    report = newReport();
    requests.length = 0;
    answer = await liveUpdate(fetchSeries, query, answer, new Set(['live']), undefined, report);
    expect(report).toEqual({ tails: [], whole: ['live'], full: false });
    expect(requests[1]!.runs).toEqual([live.ref]);
    expect(bucketCount(series(answer, 'live'))).toBe(20);
    expectExact(series(answer, 'live'), live.points('loss', '_step'), 'spread anew');
    // Then tails again, on the new grid.
    await live.write(rowsFrom(410, 5));
    report = newReport();
    answer = await liveUpdate(fetchSeries, query, answer, new Set(['live']), undefined, report);
    expect(report.tails).toEqual(['live']);
    expectExact(series(answer, 'live'), live.points('loss', '_step'), 'after spreading');
  });

  it('asks for a run again whole when its x-axis went back before its last bucket', async () => {
    const live = new WrittenRun('backwards', 'live');
    // A step metric that restarts: epoch 0–99, then again from 10 (with a fraction, so no x repeats).
    await live.write(Array.from({ length: 100 }, (_, i) => ({ loss: value(i), epoch: i })));
    const { fetchSeries } = seriesClient();
    const query: PanelQuery = { runs: [live.ref], key: 'loss', x: 'epoch', buckets: 10, zoom: undefined, shared: false };
    let answer = await queryPanel(fetchSeries, query);
    await live.write(Array.from({ length: 5 }, (_, i) => ({ loss: value(100 + i), epoch: 10.5 + i })));
    const report = newReport();
    answer = await liveUpdate(fetchSeries, query, answer, new Set(['live']), undefined, report);
    expect(report).toEqual({ tails: [], whole: ['live'], full: false });
    expectExact(series(answer, 'live'), live.points('loss', 'epoch'), 'after going back');
  });

  it('gives a run without points yet its whole series', async () => {
    const live = new WrittenRun('fresh', 'live');
    await live.write([{ other: 1 }]);
    const { fetchSeries } = seriesClient();
    const query: PanelQuery = { runs: [live.ref], key: 'loss', x: '_step', buckets: 10, zoom: undefined, shared: false };
    let answer = await queryPanel(fetchSeries, query);
    expect(bucketCount(series(answer, 'live'))).toBe(0);
    await live.write(rowsFrom(1, 30));
    const report = newReport();
    answer = await liveUpdate(fetchSeries, query, answer, new Set(['live']), undefined, report);
    expect(report.whole).toEqual(['live']);
    expectExact(series(answer, 'live'), live.points('loss', '_step'), 'first points');
  });

  it('extends the grid grouped runs share, their buckets staying aligned on it', async () => {
    const runs = [new WrittenRun('grouped', 'g1'), new WrittenRun('grouped', 'g2'), new WrittenRun('grouped', 'g3')];
    await runs[0]!.write(rowsFrom(0, 400, 1));
    await runs[1]!.write(rowsFrom(0, 250, 2));
    await runs[2]!.write(rowsFrom(0, 100, 3));
    const { requests, fetchSeries } = seriesClient();
    const query: PanelQuery = { runs: runs.map((run) => run.ref), key: 'loss', x: '_step', buckets: 40, zoom: undefined, shared: true };
    let answer = await queryPanel(fetchSeries, query);
    const g1 = series(answer, 'g1');
    // g2 and g3 end before the grid does; g2 then passes it; both grow together at the end.
    for (const [growing, size] of [[[1], 80], [[2], 30], [[1], 100], [[1, 2], 5]] as const) {
      const live = growing.map((i) => runs[i]!);
      for (const [n, run] of live.entries()) await run.write(rowsFrom(run.points('loss', '_step').length, size, growing[n]! + 1));
      requests.length = 0;
      const report = newReport();
      answer = await liveUpdate(fetchSeries, query, answer, new Set(live.map((run) => run.id)), undefined, report);
      const ids = live.map((run) => run.id);
      expect(report).toEqual({ tails: ids, whole: [], full: false });
      expect(requests.map((r) => r.runs.map((entry) => entry.id))).toEqual([ids.flatMap((id) => [id, id])]);
      expect(series(answer, 'g1'), 'a run without new points keeps its buckets').toBe(g1);
      const grid = answer.grids[0]!;
      expect(answer.range).toEqual([grid.from, grid.from + grid.count * grid.width]);
      for (const [r, written] of runs.entries()) {
        const buckets = series(answer, written.id);
        expectExact(buckets, written.points('loss', '_step'), `${written.id} after +${size} to ${ids.join(', ')}`);
        // Each bucket within its cell of the shared grid (for the group's mean line).
        for (let k = 0; k < bucketCount(buckets); k++) {
          if (buckets[k * BUCKET_STRIDE + COUNT] === 0) continue;
          expect(spanStart(buckets, k * BUCKET_STRIDE), `run ${r} bucket ${k}`).toBeGreaterThanOrEqual(grid.from + k * grid.width - 1e-9);
          expect(spanEnd(buckets, k * BUCKET_STRIDE), `run ${r} bucket ${k}`).toBeLessThan(grid.from + (k + 1) * grid.width + 1e-9);
        }
      }
    }
    // g2 grows past the grid's end by more than the panel's width at once: all asked for again.
    await runs[1]!.write(rowsFrom(runs[1]!.points('loss', '_step').length, 1200, 2));
    const report = newReport();
    answer = await liveUpdate(fetchSeries, query, answer, new Set(['g2']), undefined, report);
    expect(report.full).toBe(true);
    for (const written of runs) expectExact(series(answer, written.id), written.points('loss', '_step'), `${written.id} asked for again`);
  });

  it('asks for a live run over the zoomed range only', async () => {
    const done = new WrittenRun('zoomed', 'done');
    const live = new WrittenRun('zoomed', 'live');
    await done.write(rowsFrom(0, 1000, 2));
    await live.write(rowsFrom(0, 150));
    const { requests, fetchSeries } = seriesClient();
    const query: PanelQuery = { runs: [done.ref, live.ref], key: 'loss', x: '_step', buckets: 30, zoom: [100, 400], shared: false };
    let answer = await queryPanel(fetchSeries, query);
    const doneBuckets = series(answer, 'done');
    await live.write(rowsFrom(150, 200));
    requests.length = 0;
    answer = await liveUpdate(fetchSeries, query, answer, new Set(['live']), undefined, newReport());
    expect(requests).toEqual([{ runs: [live.ref], keys: ['loss'], x: '_step', buckets: 30, range: [100, 400] }]);
    expect(series(answer, 'done')).toBe(doneBuckets);
    expectExact(series(answer, 'live'), live.points('loss', '_step').filter(([x]) => x >= 100 && x <= 400), 'zoomed');
  });
  it('keeps a grouped tail within a request’s 10,000 buckets, for a run far behind the grid’s end', async () => {
    const ahead = new WrittenRun('wide', 'ahead');
    const behind = new WrittenRun('wide', 'behind');
    await ahead.write(rowsFrom(0, 4000, 1));
    await behind.write(rowsFrom(0, 100, 2));
    const { requests, fetchSeries } = seriesClient();
    // An enlarged panel 4,000 buckets wide; the run ahead takes the grid to 7,000 buckets.
    const query: PanelQuery = { runs: [ahead.ref, behind.ref], key: 'loss', x: '_step', buckets: 4000, zoom: undefined, shared: true };
    let answer = await queryPanel(fetchSeries, query);
    await ahead.write(rowsFrom(4000, 3000, 1));
    answer = await liveUpdate(fetchSeries, query, answer, new Set(['ahead']), undefined, newReport());
    expect(answer.grids[0]!.count).toBeGreaterThan(6900);
    // The run behind: from its last bucket (about 100) to the grid's end and 4,000 more would be 10,900.
    await behind.write(rowsFrom(100, 10, 2));
    requests.length = 0;
    const report = newReport();
    answer = await liveUpdate(fetchSeries, query, answer, new Set(['behind']), undefined, report);
    expect(report).toEqual({ tails: ['behind'], whole: [], full: false });
    expect(requests[0]!.runs[0]!.buckets).toBe(10_000);
    for (const written of [ahead, behind]) expectExact(series(answer, written.id), written.points('loss', '_step'), written.id);
  });

  it('asks for a grouped, zoomed panel’s live runs over the zoom, on the grid of the others', async () => {
    const done = new WrittenRun('zoomed-groups', 'done');
    const live = new WrittenRun('zoomed-groups', 'live');
    await done.write(rowsFrom(0, 600, 2));
    await live.write(rowsFrom(0, 150));
    const { requests, fetchSeries } = seriesClient();
    const query: PanelQuery = { runs: [done.ref, live.ref], key: 'loss', x: '_step', buckets: 30, zoom: [100, 400], shared: true };
    let answer = await queryPanel(fetchSeries, query);
    await live.write(rowsFrom(150, 100));
    requests.length = 0;
    answer = await liveUpdate(fetchSeries, query, answer, new Set(['live']), undefined, newReport());
    expect(requests).toEqual([{ runs: [live.ref], keys: ['loss'], x: '_step', buckets: 30, range: [100, 400] }]);
    expect(answer.grids[1]).toEqual(answer.grids[0]);
    expectExact(series(answer, 'live'), live.points('loss', '_step').filter(([x]) => x >= 100 && x <= 400), 'zoomed group');
  });
});
