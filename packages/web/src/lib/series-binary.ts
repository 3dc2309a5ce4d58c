/**
 * Reading the series query's binary answer (`format: 'binary'`) without protocol's runtime
 * (which would bring zod into the bundle). The layout is protocol's: for each run × key of
 * the request, runs outer, one float64 with the bucket count B (0 for a series without
 * points), then B × 9 float64s — count, then x and y of first, last, min and max; a bucket
 * with count 0 is empty. All little-endian.
 */
import type { M4Bucket, SeriesResponse } from '@cairn/protocol';

const STRIDE = 9;

interface RunRef {
  entity: string;
  project: string;
  id: string;
}

/** The answer as a {@link SeriesResponse}; throws when the bytes do not match the request. */
export function decodeSeries(data: ArrayBuffer, request: { runs: readonly RunRef[]; keys: readonly string[]; x?: string }): SeriesResponse {
  if (data.byteLength % 8 !== 0) throw new Error(`series answer of ${data.byteLength} bytes is not a whole number of float64s`);
  // Float64Array reads in the platform's byte order: little-endian on every browser there is.
  const values = new Float64Array(data);
  const read = (i: number) => values[i]!;
  const series: SeriesResponse['series'] = [];
  let at = 0;
  for (const run of request.runs) {
    for (const key of request.keys) {
      if (at >= values.length) throw new Error('series answer ended early');
      const count = read(at++);
      if (at + count * STRIDE > values.length) throw new Error('series answer ended inside a series');
      const buckets: Array<M4Bucket | null> = new Array<M4Bucket | null>(count);
      for (let b = 0; b < count; b++, at += STRIDE) {
        const n = read(at);
        buckets[b] =
          n === 0
            ? null
            : {
                count: n,
                first: [read(at + 1), read(at + 2)],
                last: [read(at + 3), read(at + 4)],
                min: [read(at + 5), read(at + 6)],
                max: [read(at + 7), read(at + 8)],
              };
      }
      series.push({ run: { entity: run.entity, project: run.project, id: run.id }, key, buckets });
    }
  }
  return { x: request.x ?? '_step', series };
}
