/**
 * The series query behind one panel. A zoomed panel asks for its zoom range; a panel drawing
 * groups needs every run's buckets on one grid, so without a zoom it first asks for one
 * bucket per run — cheap, and its first and last points give the runs' x extent — then for
 * the full picture over that extent.
 */
import type { SeriesRequest } from '@cairn/protocol';
import { BUCKET_STRIDE, bucketCount, COUNT, spanEnd, spanStart, type Buckets } from './buckets.js';
import { extentOf } from './grouping.js';
import { prepareAnswer, type SeriesAnswer } from './series-binary.js';

export interface PanelQuery {
  runs: Array<{ entity: string; project: string; id: string }>;
  key: string;
  x: string;
  buckets: number;
  /** The zoomed x-range, if any. */
  zoom: [number, number] | undefined;
  /** Whether every run's buckets must share one grid (the panel draws groups). */
  shared: boolean;
}

export interface PanelAnswer {
  x: string;
  /** The range the buckets cover when it was explicit (zoomed or shared), else undefined. */
  range: [number, number] | undefined;
  series: SeriesAnswer;
  /** The grid of each series' buckets (undefined for a series without points): see live-update.ts. */
  grids: Array<Grid | undefined>;
}

export type FetchSeries = (request: SeriesRequest, signal?: AbortSignal) => Promise<SeriesAnswer>;

export async function queryPanel(fetchSeries: FetchSeries, query: PanelQuery, signal?: AbortSignal): Promise<PanelAnswer> {
  const base = { runs: query.runs, keys: [query.key], x: query.x };
  let range = query.zoom;
  if (!range && query.shared) {
    const extent = await fetchSeries({ ...base, buckets: 1 }, signal);
    range = extentOf(extent.series.map((s) => s.buckets));
    if (!range) return { x: query.x, range: undefined, series: extent, grids: extent.series.map(() => undefined) };
  }
  const request = range ? { ...base, range, buckets: query.buckets } : { ...base, buckets: query.buckets };
  const answer = fetchSeries(request, signal);
  // While it is out, the memory its answer is unpacked into is readied.
  prepareAnswer(request);
  const series = await answer;
  return { x: query.x, range, series, grids: series.series.map((s) => gridOf(s.buckets, range)) };
}

/** Bucket k of a series covers [from + k·width, from + (k+1)·width); `count` buckets in all. */
export interface Grid {
  from: number;
  width: number;
  count: number;
}

/**
 * The grid of a fresh answer's series: the answer's range spread over its buckets when the
 * request had one; else the series' own extent (its first bucket's first point to its last
 * bucket's last) over its buckets. Undefined for a series without points.
 */
export function gridOf(buckets: Buckets, range: [number, number] | undefined): Grid | undefined {
  const count = bucketCount(buckets);
  if (count === 0) return undefined;
  if (range) return { from: range[0], width: (range[1] - range[0]) / count, count };
  if (buckets[COUNT] === 0 || buckets[(count - 1) * BUCKET_STRIDE + COUNT] === 0) return undefined;
  const from = spanStart(buckets, 0);
  const to = spanEnd(buckets, (count - 1) * BUCKET_STRIDE);
  return { from, width: (to - from) / count, count };
}
