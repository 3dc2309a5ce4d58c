/**
 * Series for charts: runs × keys against an x-axis, as M4 buckets. Against `_step` the
 * answer comes from chunk and block summaries (O(buckets + chunks)); against another axis
 * (_runtime, _timestamp, a step metric) the key's points are joined with the axis series
 * by step and bucketed by x.
 */
import { parseInput, SERIES_BINARY_STRIDE, seriesRequestSchema, type M4Bucket, type SeriesResponse } from '@cairn/protocol';
import { m4, m4Points } from '../series/m4.js';
import { decodeChunk } from '../series/series-chunk.js';
import type { Store } from '../store/store.js';


/** The series answer as little-endian float64s (protocol's decodeSeriesBinary reads it). */
export function encodeSeriesBinary(response: SeriesResponse): Uint8Array {
  let length = 0;
  for (const { buckets } of response.series) length += 1 + buckets.length * SERIES_BINARY_STRIDE;
  const values = new Float64Array(length);
  let at = 0;
  for (const { buckets } of response.series) {
    values[at++] = buckets.length;
    for (const bucket of buckets) {
      if (bucket) {
        values[at] = bucket.count;
        values[at + 1] = bucket.first[0];
        values[at + 2] = bucket.first[1];
        values[at + 3] = bucket.last[0];
        values[at + 4] = bucket.last[1];
        values[at + 5] = bucket.min[0];
        values[at + 6] = bucket.min[1];
        values[at + 7] = bucket.max[0];
        values[at + 8] = bucket.max[1];
      }
      at += SERIES_BINARY_STRIDE;
    }
  }
  return new Uint8Array(values.buffer);
}

export async function querySeries(store: Store, body: unknown): Promise<SeriesResponse> {
  const request = validate(body);
  const { runs, keys, buckets, range } = request;
  const x = request.x ?? '_step';
  const pks = await store.runPks(runs);
  const known = pks.filter((pk): pk is number => pk !== undefined);
  const results = new Map<string, Array<M4Bucket | null>>();
  for (const key of keys) {
    if (x === '_step') {
      // One read for every run: chunk metadata from the database, chunk data mostly from memory.
      const chunksByRun = await store.series.chunks(known, key, range?.[0], range?.[1]);
      for (const [pk, chunks] of chunksByRun) {
        const [from, to] = range ?? [chunks[0]!.firstStep, chunks[chunks.length - 1]!.lastStep];
        results.set(`${pk}\u0000${key}`, m4(chunks, from, to, buckets));
      }
    } else {
      for (const pk of known) results.set(`${pk}\u0000${key}`, await byAxis(store, pk, key, x, range, buckets));
    }
  }
  const series: SeriesResponse['series'] = [];
  runs.forEach((run, i) => {
    for (const key of keys) {
      const pk = pks[i];
      series.push({ run: { entity: run.entity, project: run.project, id: run.id }, key, buckets: (pk !== undefined && results.get(`${pk}\u0000${key}`)) || [] });
    }
  });
  return { x, series };
}

async function points(store: Store, pk: number, key: string): Promise<{ steps: Float64Array; values: Float64Array }> {
  const chunks = await store.seriesChunks(pk, key);
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
