/**
 * The series query behind one panel. A zoomed panel asks for its zoom range; a panel drawing
 * groups needs every run's buckets on one grid, so without a zoom it first asks for one
 * bucket per run — cheap, and its first and last points give the runs' x extent — then for
 * the full picture over that extent.
 */
import type { SeriesRequest } from '@cairn/protocol';
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
}

export type FetchSeries = (request: SeriesRequest, signal?: AbortSignal) => Promise<SeriesAnswer>;

export async function queryPanel(fetchSeries: FetchSeries, query: PanelQuery, signal?: AbortSignal): Promise<PanelAnswer> {
  const base = { runs: query.runs, keys: [query.key], x: query.x };
  let range = query.zoom;
  if (!range && query.shared) {
    const extent = await fetchSeries({ ...base, buckets: 1 }, signal);
    range = extentOf(extent.series.map((s) => s.buckets));
    if (!range) return { x: query.x, range: undefined, series: extent };
  }
  const request = range ? { ...base, range, buckets: query.buckets } : { ...base, buckets: query.buckets };
  const answer = fetchSeries(request, signal);
  // While it is out, the memory its answer is unpacked into is readied.
  prepareAnswer(request);
  return { x: query.x, range, series: await answer };
}
