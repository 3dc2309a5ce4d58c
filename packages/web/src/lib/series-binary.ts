/**
 * Reading the series query's binary answer (`format: 'binary'`) without protocol's runtime
 * (which would bring zod into the bundle). The layout is protocol's: for each run × key of
 * the request, runs outer, one float64 with the bucket count B (0 for a series without
 * points), then B × 9 float64s — count, then x and y of first, last, min and max; a bucket
 * with count 0 is empty. All little-endian.
 *
 * Each series' buckets are a view on the answer's bytes (see {@link Buckets}): decoding
 * copies and allocates nothing per bucket.
 */
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

/** The answer of `request`; throws when the bytes do not match the request. */
export function decodeSeries(data: ArrayBuffer, request: { runs: readonly RunRef[]; keys: readonly string[]; x?: string }): SeriesAnswer {
  if (data.byteLength % 8 !== 0) throw new Error(`series answer of ${data.byteLength} bytes is not a whole number of float64s`);
  // Float64Array reads in the platform's byte order: little-endian on every browser there is.
  const values = new Float64Array(data);
  const series: SeriesAnswer['series'] = [];
  let at = 0;
  for (const run of request.runs) {
    for (const key of request.keys) {
      if (at >= values.length) throw new Error('series answer ended early');
      const count = values[at++]!;
      const end = at + count * BUCKET_STRIDE;
      if (end > values.length) throw new Error('series answer ended inside a series');
      series.push({ run: { entity: run.entity, project: run.project, id: run.id }, key, buckets: values.subarray(at, end) });
      at = end;
    }
  }
  return { x: request.x ?? '_step', series };
}
