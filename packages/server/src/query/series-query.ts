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

/** One run entry of the request with the range and bucket count its series are answered for. */
interface Entry {
  pk: number;
  range: [number, number] | undefined;
  buckets: number;
  /**
   * The run has an entry with a range of its own in this request: a live chart's tail and
   * the count that checks it. Each is asked for once (the next tail starts further on, the
   * next count is of a newer version), and both must describe the same moment of a run that
   * is being written to: they are computed together from one read, neither taken from the
   * kept answers nor kept.
   */
  live: boolean;
}

async function computeSeries(store: Store, body: unknown): Promise<{ x: string; series: ComputedSeries[] }> {
  const request = validate(body);
  const { runs, keys } = request;
  const x = request.x ?? '_step';
  const refs = await store.runRefs(runs);
  const versions = new Map(refs.filter((ref) => ref !== undefined).map((ref) => [ref.pk, ref.historyRows]));
  // A run's own range and bucket count replace the request's.
  const live = new Set(runs.flatMap((run, i) => (run.range !== undefined && refs[i] ? [refs[i].pk] : [])));
  const entries = runs.map((run, i): Entry | undefined => {
    const ref = refs[i];
    return ref && { pk: ref.pk, range: run.range ?? request.range, buckets: run.buckets ?? request.buckets, live: live.has(ref.pk) };
  });
  const results = new Map<string, M4Columns>();
  const resultKey = (entry: Entry, key: string) => seriesAnswerKey(entry.pk, versions.get(entry.pk)!, key, x, entry.range, entry.buckets);
  for (const key of keys) {
    // Answers kept from an earlier request for runs that got no rows since; the rest computed.
    const todo = new Map<string, Entry>();
    for (const entry of entries) {
      if (entry === undefined) continue;
      const answerKey = resultKey(entry, key);
      if (results.has(answerKey) || todo.has(answerKey)) continue;
      const kept = entry.live ? undefined : store.series.cachedAnswer(answerKey);
      if (kept) results.set(answerKey, kept);
      else todo.set(answerKey, entry);
    }
    if (todo.size === 0) continue;
    const computed = (answerKey: string, columns: M4Columns) => {
      results.set(answerKey, columns);
      if (!todo.get(answerKey)!.live) store.series.rememberAnswer(answerKey, columns);
    };
    // Each run's points are read once, over what its entries cover, so that all of a run's
    // entries describe the same moment of a run that is being written to.
    const byRun = new Map<number, Array<[string, Entry]>>();
    for (const item of todo) byRun.set(item[1].pk, [...(byRun.get(item[1].pk) ?? []), item]);
    if (x === '_step') {
      // One read for every run: chunk metadata from the database, chunk data mostly from memory.
      const cover = coverOf([...todo.values()]);
      const chunksByRun = await store.series.chunks([...byRun.keys()], key, cover?.[0], cover?.[1], versions);
      for (const [pk, chunks] of chunksByRun) {
        for (const [answerKey, entry] of byRun.get(pk)!) {
          const [from, to] = entry.range ?? [chunks[0]!.firstStep, chunks[chunks.length - 1]!.lastStep];
          computed(answerKey, m4Columns(chunks, from, to, entry.buckets));
        }
      }
    } else {
      for (const [pk, list] of byRun) {
        const joined = await byAxis(store, pk, key, x);
        if (!joined) continue;
        for (const [answerKey, entry] of list) computed(answerKey, bucketJoined(joined, entry));
      }
    }
  }
  const series: ComputedSeries[] = [];
  runs.forEach((run, i) => {
    const entry = entries[i];
    for (const key of keys) {
      series.push({ run: { entity: run.entity, project: run.project, id: run.id }, key, columns: entry === undefined ? undefined : results.get(resultKey(entry, key)) });
    }
  });
  return { x, series };
}

/** The range covering every entry's (undefined: some entry wants the whole series). */
function coverOf(entries: readonly Entry[]): [number, number] | undefined {
  let from = Infinity;
  let to = -Infinity;
  for (const { range } of entries) {
    if (range === undefined) return undefined;
    from = Math.min(from, range[0]);
    to = Math.max(to, range[1]);
  }
  return [from, to];
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

/** The key's points against `axis`, joined on step and sorted by x; undefined when there are none. */
async function byAxis(store: Store, pk: number, key: string, axis: string): Promise<{ xs: number[]; ys: number[] } | undefined> {
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
  return { xs: joined.map((p) => p[0]), ys: joined.map((p) => p[1]) };
}

function bucketJoined({ xs, ys }: { xs: number[]; ys: number[] }, entry: Entry): M4Columns {
  const [from, to] = entry.range ?? [xs[0]!, xs[xs.length - 1]!];
  return m4PointsColumns(xs, ys, from, to, entry.buckets);
}

function validate(request: unknown) {
  return parseInput(seriesRequestSchema, request, 'series request');
}
