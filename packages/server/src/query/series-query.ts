/**
 * Series for charts: runs × keys against an x-axis, as M4 buckets. Against `_step` the
 * answer comes from chunk and block summaries (O(buckets + chunks)); against another axis
 * (_runtime, _timestamp, a step metric) the key's points are joined with the axis series
 * by step and bucketed by x.
 */
import { encodeSeriesBinary, parseInput, seriesRequestSchema, type SeriesResponse } from '@cairn/protocol';
import { bucketsOf, m4Columns, m4PointsColumns, type M4Columns } from '../series/m4.js';
import { decodeChunk } from '../series/series-chunk.js';
import { answerKey as seriesAnswerKey } from '../store/series-reader.js';
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
 * The series request in protocol's binary layout (series-binary.ts; decodeSeriesBinary reads
 * it), written straight from the M4 columns: no object per bucket.
 */
export async function querySeriesBinary(store: Store, body: unknown): Promise<Uint8Array<ArrayBuffer>> {
  const { series } = await computeSeries(store, body);
  return encodeSeriesBinary(series.map((s) => s.columns));
}

async function computeSeries(store: Store, body: unknown): Promise<{ x: string; series: ComputedSeries[] }> {
  const request = validate(body);
  const { runs, keys, buckets, range } = request;
  const x = request.x ?? '_step';
  const refs = await store.runRefs(runs);
  const pks = refs.map((ref) => ref?.pk);
  const versions = new Map(refs.filter((ref) => ref !== undefined).map((ref) => [ref.pk, ref.historyRows]));
  const results = new Map<string, M4Columns>();
  for (const key of keys) {
    // Answers kept from an earlier request for runs that got no rows since; the rest computed.
    const todo: number[] = [];
    const answerKeys = new Map<number, string>();
    for (const [pk, version] of versions) {
      const answerKey = seriesAnswerKey(pk, version, key, x, range, buckets);
      const kept = store.series.cachedAnswer(answerKey);
      if (kept) results.set(`${pk}\u0000${key}`, kept);
      else {
        todo.push(pk);
        answerKeys.set(pk, answerKey);
      }
    }
    const computed = (pk: number, columns: M4Columns) => {
      results.set(`${pk}\u0000${key}`, columns);
      store.series.rememberAnswer(answerKeys.get(pk)!, columns);
    };
    if (todo.length === 0) continue;
    if (x === '_step') {
      // One read for every run: chunk metadata from the database, chunk data mostly from memory.
      const chunksByRun = await store.series.chunks(todo, key, range?.[0], range?.[1], versions);
      for (const [pk, chunks] of chunksByRun) {
        const [from, to] = range ?? [chunks[0]!.firstStep, chunks[chunks.length - 1]!.lastStep];
        computed(pk, m4Columns(chunks, from, to, buckets));
      }
    } else {
      for (const pk of todo) {
        const columns = await byAxis(store, pk, key, x, range, buckets);
        if (columns) computed(pk, columns);
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
