/**
 * A panel's live update: when the live stream says runs got new points, the panel asks for
 * those runs' new points only and adds them to the buckets it holds. Nothing is asked again
 * for the other runs, nor for the live runs' older points.
 *
 * Every series' buckets lie on a grid: bucket k covers [from + k·width, from + (k+1)·width).
 * An unzoomed run has a grid of its own: the server spreads the buckets over the run's
 * extent. Grouped runs share one grid, over their joint extent. A run's points only come
 * after its last bucket with points (its steps grow, and so, in practice, do its times and
 * step metrics), so the buckets before that one stay exact. The update asks, in one request,
 * for each live run:
 *  - its tail: from the start of its last bucket with points to the grid's end, and `buckets`
 *    buckets more, of the same width; it replaces that bucket (which may have been partial)
 *    and what follows;
 *  - its whole series in one bucket: how many points it has now.
 * The points kept plus those of the tail must be all the points. When they are not — a point
 * came before the tail (an x-axis that went back), or more came at once than the tail reaches
 * (a request holds at most 10,000 buckets) — that run is asked for again whole. So is a run
 * whose buckets come to twice the panel's width, so that they are spread anew over its
 * extent: a run that grows from nothing is asked for whole only each time it doubles.
 *
 * A grouped panel's runs share their grid, so it is extended for all of them (the runs
 * without new points simply have no buckets there), and when one of them cannot be
 * updated, the panel asks for all of them again. A zoomed panel asks for each live run over
 * the zoomed range: at most `buckets` buckets, on the grid the other runs are on.
 */
import { BUCKET_STRIDE, bucketCount, COUNT, spanEnd, spanStart, type Buckets } from './buckets.js';
import { gridOf, queryPanel, type FetchSeries, type Grid, type PanelAnswer, type PanelQuery } from './panel-query.js';
import type { RunRef } from './series-binary.js';

/** The most buckets a series request may ask for (protocol's seriesRequestSchema). */
const MAX_BUCKETS = 10_000;

/** Where a run's tail starts: the index of its last bucket with points, and an x at or before its points there. */
export interface TailStart {
  index: number;
  x: number;
}

/**
 * Where the tail of a run on `grid` starts, undefined for a run without points: at its last
 * bucket with points, whose start on the grid is moved (by rounding's width at most) to lie
 * after every point of the buckets before and at or before every point of that one. The
 * server puts a point in a bucket by computing (x − from) / width, and the start computed
 * here may fall on the other side of a point lying on the edge: integer steps land on edges
 * often. The points settle it.
 */
export function tailStart(grid: Grid, buckets: Buckets): TailStart | undefined {
  let index = Math.min(grid.count, bucketCount(buckets)) - 1;
  while (index >= 0 && buckets[index * BUCKET_STRIDE + COUNT] === 0) index--;
  if (index < 0) return undefined;
  let before = -Infinity;
  for (let k = index - 1; k >= 0; k--) {
    if (buckets[k * BUCKET_STRIDE + COUNT] === 0) continue;
    before = spanEnd(buckets, k * BUCKET_STRIDE);
    break;
  }
  const edge = grid.from + index * grid.width;
  return { index, x: Math.min(Math.max(edge, nextUp(before)), spanStart(buckets, index * BUCKET_STRIDE)) };
}

const float = new Float64Array(1);
const bits = new BigInt64Array(float.buffer);

/** The smallest double greater than `x` (-Infinity stays). */
export function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  if (!Number.isFinite(x)) return x;
  float[0] = x;
  bits[0]! += x > 0 ? 1n : -1n;
  return float[0];
}

/** The number of points in buckets [begin, end). */
function pointsIn(buckets: Buckets, begin = 0, end = bucketCount(buckets)): number {
  let n = 0;
  for (let k = begin; k < end; k++) n += buckets[k * BUCKET_STRIDE + COUNT]!;
  return n;
}

/** The buckets up to the last with points (none for a series without points). */
function trimmed(buckets: Buckets): Buckets {
  let end = bucketCount(buckets);
  while (end > 0 && buckets[(end - 1) * BUCKET_STRIDE + COUNT] === 0) end--;
  return buckets.subarray(0, end * BUCKET_STRIDE);
}

/** The first `count` buckets of `head`, then `tail`. */
function joined(head: Buckets, count: number, tail: Buckets): Buckets {
  const out = new Float64Array((count + bucketCount(tail)) * BUCKET_STRIDE);
  out.set(head.subarray(0, count * BUCKET_STRIDE));
  out.set(tail, count * BUCKET_STRIDE);
  return out;
}

/** What one live update asked for, for the tests and the journey to check. */
export interface UpdateReport {
  /** Runs given a tail. */
  tails: string[];
  /** Runs asked for again whole (ungrouped: their points did not add up, or re-spread). */
  whole: string[];
  /** The whole panel was asked for again. */
  full: boolean;
}

/**
 * `previous` (the panel's answer for `query`) with the new points of the runs in `live`.
 * `query.buckets` is the panel's width in buckets: how far past its grid's end a tail
 * reaches, and half the most buckets a series may come to before it is spread anew.
 */
export async function liveUpdate(
  fetchSeries: FetchSeries,
  query: PanelQuery,
  previous: PanelAnswer,
  live: ReadonlySet<string>,
  signal?: AbortSignal,
  report?: UpdateReport,
): Promise<PanelAnswer> {
  const full = () => {
    if (report) report.full = true;
    return queryPanel(fetchSeries, query, signal);
  };
  const series = previous.series.series;
  if (previous.x !== query.x || series.length !== query.runs.length) return full();
  const indices = query.runs.flatMap((run, i) => (live.has(run.id) && series[i]!.run.id === run.id ? [i] : []));
  if (indices.length === 0) return previous;
  const base = { keys: [query.key], x: query.x, buckets: query.buckets };

  if (query.zoom) {
    // The zoomed range on the grid of the others: at most `buckets` buckets a run.
    const answer = await fetchSeries({ ...base, range: query.zoom, runs: indices.map((i) => query.runs[i]!) }, signal);
    const next = series.slice();
    const grids = previous.grids.slice();
    indices.forEach((i, j) => {
      next[i] = answer.series[j]!;
      grids[i] = gridOf(answer.series[j]!.buckets, query.zoom);
    });
    if (report) report.whole.push(...indices.map((i) => query.runs[i]!.id));
    return { ...previous, series: { ...previous.series, series: next }, grids };
  }

  // A grouped panel's grid, shared by its series; an ungrouped series' own.
  const shared = query.shared ? previous.grids.find((grid) => grid !== undefined) : undefined;
  if (query.shared && (shared === undefined || !(shared.width > 0))) return full();
  const tails: Array<{ i: number; grid: Grid; at: TailStart }> = [];
  const whole: number[] = [];
  for (const i of indices) {
    const grid = shared ?? previous.grids[i];
    const at = grid && grid.width > 0 ? tailStart(grid, series[i]!.buckets) : undefined;
    if (grid && at) tails.push({ i, grid, at });
    else if (shared) return full(); // a grouped run's first points may lie anywhere on the grid
    else whole.push(i); // no points yet, or all at one x: nothing worth keeping
  }
  const entries: Array<RunRef & { range?: [number, number]; buckets?: number }> = [];
  for (const { i, grid, at } of tails) {
    // To the grid's end (a grouped run may end before it), and `buckets` more, as far as a
    // request goes: beyond, the points do not add up and the run is asked for again whole.
    const buckets = Math.min(MAX_BUCKETS, grid.count - at.index + query.buckets);
    entries.push({ ...query.runs[i]!, range: [at.x, at.x + buckets * grid.width], buckets }, { ...query.runs[i]!, buckets: 1 });
  }
  for (const i of whole) entries.push(query.runs[i]!);
  const answer = await fetchSeries({ ...base, runs: entries }, signal);

  const next = series.slice();
  const grids = previous.grids.slice();
  const again: number[] = [];
  tails.forEach(({ i, grid, at }, j) => {
    // The buckets before the tail's stay.
    const buckets = series[i]!.buckets;
    const tail = trimmed(answer.series[2 * j]!.buckets);
    const now = pointsIn(answer.series[2 * j + 1]!.buckets);
    const count = at.index + bucketCount(tail);
    if (now !== pointsIn(buckets, 0, at.index) + pointsIn(tail) || count > 2 * query.buckets) {
      again.push(i);
      return;
    }
    next[i] = { ...series[i]!, buckets: joined(buckets, at.index, tail) };
    grids[i] = { ...grid, count };
  });
  whole.forEach((i, j) => {
    next[i] = answer.series[2 * tails.length + j]!;
    grids[i] = gridOf(next[i].buckets, undefined);
  });
  if (report) {
    report.tails.push(...tails.filter(({ i }) => !again.includes(i)).map(({ i }) => query.runs[i]!.id));
    report.whole.push(...whole.map((i) => query.runs[i]!.id));
  }

  if (shared) {
    if (again.length > 0) return full();
    // One grid for all: as far as the furthest series reaches.
    const count = Math.max(shared.count, ...tails.map(({ i }) => grids[i]!.count));
    const grid = { ...shared, count };
    return {
      ...previous,
      range: [grid.from, grid.from + count * grid.width],
      series: { ...previous.series, series: next },
      grids: grids.map((g) => g && grid),
    };
  }
  if (again.length > 0) {
    // Spread anew over each run's extent, at the panel's width.
    const fresh = await fetchSeries({ ...base, runs: again.map((i) => query.runs[i]!) }, signal);
    again.forEach((i, j) => {
      next[i] = fresh.series[j]!;
      grids[i] = gridOf(next[i].buckets, undefined);
    });
    if (report) report.whole.push(...again.map((i) => query.runs[i]!.id));
  }
  return { ...previous, series: { ...previous.series, series: next }, grids };
}

/** What one fetch of a panel starts from: the answer it updates (none: the whole panel is asked for) and the runs whose new points it asks for. */
export interface LiveFetch {
  previous: PanelAnswer | undefined;
  live: ReadonlySet<string>;
}

/**
 * A panel's bookkeeping for live updates: the runs with new points its latest answer lacks,
 * and that answer. A fetch takes the runs; a fetch that is cut (replaced by another) or fails
 * gives them back, so that the next one asks for them; after a failed update the next fetch
 * asks for the whole panel.
 */
export class LiveState {
  private pending = new Set<string>();
  private latest: { key: string; answer: PanelAnswer } | undefined;

  /** A live event: run `id` has new points. */
  noteEvent(id: string): void {
    this.pending.add(id);
  }

  /** The start of a fetch for the request `key`; `update`: the panel holds an answer to `key` (else the whole panel is asked for). */
  begin(key: string, update: boolean): LiveFetch {
    const previous = update && this.latest?.key === key ? this.latest.answer : undefined;
    const live = this.pending;
    this.pending = new Set();
    return { previous, live };
  }

  /** The fetch's answer to the request `key`: what the next update adds to. */
  answered(key: string, answer: PanelAnswer): void {
    this.latest = { key, answer };
  }

  /** The fetch was cut (`failed` false) or failed: its runs still have new points to fetch. */
  unfinished(fetch: LiveFetch, failed: boolean): void {
    for (const id of fetch.live) this.pending.add(id);
    if (failed && fetch.previous) this.latest = undefined;
  }
}
