/**
 * Reading the series query's binary answer (`format: 'binary'`) into the {@link Buckets} the
 * chart reads: views on one typed array per answer, nothing per bucket. The layout and its
 * unpacking are protocol's (`readSeriesBinary`, whose encoder the tests use to write the
 * answers they read), imported from `@cairn/protocol/series-binary`: that module needs no
 * other at run time, so the bundle gets the reader without protocol's runtime (and its zod).
 */
import { readSeriesBinary } from '@cairn/protocol/series-binary';
import { BUCKET_STRIDE, type Buckets } from './buckets.js';

export interface RunRef {
  entity: string;
  project: string;
  id: string;
}

/** A series answer with each series' buckets as float64s. */
export interface SeriesAnswer {
  x: string;
  series: Array<{ run: RunRef; key: string; buckets: Buckets }>;
}

/** Answers smaller than this many float64s unpacked are not worth readying memory for (see {@link prepareAnswer}). */
const PREPARE_MIN = 64 * 1024;

/** Memory readied for the answers of requests in flight, by request ({@link prepareAnswer}). */
const prepared = new WeakMap<object, Float64Array>();

/**
 * Readies the memory that the answer of `request`, just sent, will be unpacked into: an array
 * as large as the answer can be (every series with `buckets` buckets), allocated and written
 * once in a task after the caller's, while the request is out. A large answer's unpacking is
 * mostly its first writes to fresh memory (page faults: in the benchmark's VM, ~8 ms of the
 * ~9 for the 2.3 MB of a chart of 100 runs); done during the wait, they are off the path from
 * the answer to the chart. {@link decodeSeries} takes it for the same request object; an
 * answer that comes first is unpacked into new memory, as without.
 */
export function prepareAnswer(request: { runs: readonly unknown[]; keys: readonly unknown[]; buckets: number }): void {
  const size = request.runs.length * request.keys.length * request.buckets * BUCKET_STRIDE;
  if (size < PREPARE_MIN) return;
  setTimeout(() => {
    if (prepared.has(request)) return;
    // Zero already, but written so that every page is in memory when the answer comes.
    prepared.set(request, new Float64Array(size).fill(0));
  }, 0);
}

/**
 * The answer of `request`; throws when the bytes do not match the request (a layout version
 * other than this page's says to reload it). All series are unpacked into one Float64Array:
 * the memory {@link prepareAnswer} readied for the same request object if it is ready, else a
 * new one. Each series' buckets are a view on it.
 */
export function decodeSeries(data: ArrayBuffer, request: { runs: readonly RunRef[]; keys: readonly string[]; x?: string }): SeriesAnswer {
  const ready = prepared.get(request);
  prepared.delete(request);
  const columns = readSeriesBinary(data, request.runs.length * request.keys.length, ready);
  const series: SeriesAnswer['series'] = [];
  let s = 0;
  for (const run of request.runs) {
    for (const key of request.keys) {
      series.push({ run: { entity: run.entity, project: run.project, id: run.id }, key, buckets: columns[s++]! });
    }
  }
  return { x: request.x ?? '_step', series };
}
