/**
 * Series for charts: runs × keys against an x-axis, as M4 buckets. Against `_step` the
 * answer comes from chunk and block summaries (O(buckets + chunks)); against another axis
 * (_runtime, _timestamp, a step metric) the key's points are joined with the axis series
 * by step and bucketed by x.
 */
import { parseInput, seriesRequestSchema, type M4Bucket, type SeriesResponse } from '@cairn/protocol';
import { m4, m4Points } from '../series/m4.js';
import { decodeChunk } from '../series/series-chunk.js';
import type { Store } from '../store/store.js';


export async function querySeries(store: Store, body: unknown): Promise<SeriesResponse> {
  const request = validate(body);
  const { runs, keys, buckets } = request;
  const x = request.x ?? '_step';
  const series: SeriesResponse['series'] = [];
  for (const run of runs) {
    const pk = await store.runPk(run);
    for (const key of keys) {
      let result: Array<M4Bucket | null> = [];
      if (pk !== undefined) result = x === '_step' ? await byStep(store, pk, key, request.range, buckets) : await byAxis(store, pk, key, x, request.range, buckets);
      series.push({ run: { entity: run.entity, project: run.project, id: run.id }, key, buckets: result });
    }
  }
  return { x, series };
}

async function byStep(store: Store, pk: number, key: string, range: [number, number] | undefined, buckets: number): Promise<Array<M4Bucket | null>> {
  const extent = range ?? (await store.seriesExtent(pk, key));
  if (!extent) return [];
  return m4(await store.seriesChunks(pk, key, extent[0], extent[1]), extent[0], extent[1], buckets);
}

async function points(store: Store, pk: number, key: string): Promise<{ steps: Float64Array; values: Float64Array }> {
  const chunks = await store.seriesChunks(pk, key, -Infinity, Infinity);
  const decoded = chunks.map(decodeChunk);
  const length = decoded.reduce((n, d) => n + d.steps.length, 0);
  const steps = new Float64Array(length);
  const values = new Float64Array(length);
  let offset = 0;
  for (const d of decoded) {
    steps.set(d.steps, offset);
    values.set(d.values, offset);
    offset += d.steps.length;
  }
  return { steps, values };
}

async function byAxis(store: Store, pk: number, key: string, axis: string, range: [number, number] | undefined, buckets: number): Promise<Array<M4Bucket | null>> {
  const [ys, xs] = await Promise.all([points(store, pk, key), points(store, pk, axis)]);
  // Join on step: both step arrays are increasing, so one merge pass.
  const joined: Array<[number, number]> = [];
  for (let i = 0, j = 0; i < ys.steps.length && j < xs.steps.length; ) {
    const a = ys.steps[i]!;
    const b = xs.steps[j]!;
    if (a === b) joined.push([xs.values[j++]!, ys.values[i++]!]);
    else if (a < b) i++;
    else j++;
  }
  if (joined.length === 0) return [];
  joined.sort((p, q) => p[0] - q[0]);
  const xValues = joined.map((p) => p[0]);
  const yValues = joined.map((p) => p[1]);
  const [from, to] = range ?? [xValues[0]!, xValues[xValues.length - 1]!];
  return m4Points(xValues, yValues, from, to, buckets);
}

function validate(request: unknown) {
  return parseInput(seriesRequestSchema, request, 'series request');
}
