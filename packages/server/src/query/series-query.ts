/**
 * Series for charts: runs × keys against an x-axis, as M4 buckets. Against `_step` the
 * answer comes from chunk and block summaries (O(buckets + chunks)); against another axis
 * (_runtime, _timestamp, a step metric) the key's points are joined with the axis series
 * by step and bucketed by x.
 */
import { parseInput, SERIES_BINARY_STRIDE, seriesRequestSchema, type SeriesResponse } from '@cairn/protocol';
import { bucketsOf, m4Columns, m4PointsColumns, type M4Columns } from '../series/m4.js';
import { decodeChunk } from '../series/series-chunk.js';
import type { Store } from '../store/store.js';


interface ComputedSeries {
  run: { entity: string; project: string; id: string };
  key: string;
  /** Undefined when the run or the series does not exist. */
  columns: M4Columns | undefined;
}

/** The series request as JSON: one M4Bucket (or null) per bucket. */
export async function querySeries(store: Store, body: unknown): Promise<SeriesResponse> {
  const { x, series } = await computeSeries(store, body);
  return { x, series: series.map(({ run, key, columns }) => ({ run, key, buckets: columns ? bucketsOf(columns) : [] })) };
}

/**
 * The series request as little-endian float64s (protocol's decodeSeriesBinary reads it),
 * written straight from the M4 columns: no object per bucket.
 */
export async function querySeriesBinary(store: Store, body: unknown): Promise<Uint8Array<ArrayBuffer>> {
  const { series } = await computeSeries(store, body);
  let length = 0;
  for (const { columns } of series) length += 1 + (columns ? columns.counts.length * SERIES_BINARY_STRIDE : 0);
  const out = new Float64Array(length);
  let at = 0;
  for (const { columns } of series) {
    if (!columns) {
      out[at++] = 0;
      continue;
    }
    const { counts, firstX, firstY, lastX, lastY, minX, minY, maxX, maxY } = columns;
    out[at++] = counts.length;
    for (let k = 0; k < counts.length; k++, at += SERIES_BINARY_STRIDE) {
      if (counts[k] === 0) continue;
      out[at] = counts[k]!;
      out[at + 1] = firstX[k]!;
      out[at + 2] = firstY[k]!;
      out[at + 3] = lastX[k]!;
      out[at + 4] = lastY[k]!;
      out[at + 5] = minX[k]!;
      out[at + 6] = minY[k]!;
      out[at + 7] = maxX[k]!;
      out[at + 8] = maxY[k]!;
    }
  }
  return new Uint8Array(out.buffer);
}

async function computeSeries(store: Store, body: unknown): Promise<{ x: string; series: ComputedSeries[] }> {
  const request = validate(body);
  const { runs, keys, buckets, range } = request;
  const x = request.x ?? '_step';
  const refs = await store.runRefs(runs);
  const pks = refs.map((ref) => ref?.pk);
  const known = pks.filter((pk): pk is number => pk !== undefined);
  const versions = new Map(refs.filter((ref) => ref !== undefined).map((ref) => [ref.pk, ref.historyRows]));
  const results = new Map<string, M4Columns>();
  for (const key of keys) {
    if (x === '_step') {
      // One read for every run: chunk metadata from the database, chunk data mostly from memory.
      const chunksByRun = await store.series.chunks(known, key, range?.[0], range?.[1], versions);
      for (const [pk, chunks] of chunksByRun) {
        const [from, to] = range ?? [chunks[0]!.firstStep, chunks[chunks.length - 1]!.lastStep];
        results.set(`${pk}\u0000${key}`, m4Columns(chunks, from, to, buckets));
      }
    } else {
      for (const pk of known) {
        const columns = await byAxis(store, pk, key, x, range, buckets);
        if (columns) results.set(`${pk}\u0000${key}`, columns);
      }
    }
  }
  const series: ComputedSeries[] = [];
  runs.forEach((run, i) => {
    const pk = pks[i];
    for (const key of keys) {
      series.push({ run: { entity: run.entity, project: run.project, id: run.id }, key, columns: pk === undefined ? undefined : results.get(`${pk}\u0000${key}`) });
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

async function byAxis(store: Store, pk: number, key: string, axis: string, range: [number, number] | undefined, buckets: number): Promise<M4Columns | undefined> {
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
  if (joined.length === 0) return undefined;
  joined.sort((p, q) => p[0] - q[0]);
  const xValues = joined.map((p) => p[0]);
  const yValues = joined.map((p) => p[1]);
  const [from, to] = range ?? [xValues[0]!, xValues[xValues.length - 1]!];
  return m4PointsColumns(xValues, yValues, from, to, buckets);
}

function validate(request: unknown) {
  return parseInput(seriesRequestSchema, request, 'series request');
}
