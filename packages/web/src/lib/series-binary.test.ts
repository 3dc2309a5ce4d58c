import { describe, expect, it } from 'vitest';
import { encodeSeriesBinary, type M4Bucket, type SeriesColumns } from '@cairn/protocol';
import { packBuckets } from './buckets.js';
import { decodeSeries, prepareAnswer } from './series-binary.js';

const runs = [
  { entity: 'local', project: 'p', id: 'a' },
  { entity: 'local', project: 'p', id: 'b' },
];

/** What the server writes: protocol's encoder, from the columns the server computes. */
function encode(series: Array<Array<M4Bucket | null> | undefined>): ArrayBuffer {
  const columns = series.map((buckets): SeriesColumns | undefined => {
    if (!buckets) return undefined;
    const column = (read: (b: M4Bucket) => number) => Float64Array.from(buckets, (b) => (b ? read(b) : 0));
    return {
      counts: column((b) => b.count),
      firstX: column((b) => b.first[0]),
      firstY: column((b) => b.first[1]),
      lastX: column((b) => b.last[0]),
      lastY: column((b) => b.last[1]),
      minX: column((b) => b.min[0]),
      minY: column((b) => b.min[1]),
      maxX: column((b) => b.max[0]),
      maxY: column((b) => b.max[1]),
    };
  });
  return encodeSeriesBinary(columns).buffer;
}

const point = (x: number, y: number): M4Bucket => ({ count: 1, first: [x, y], last: [x, y], min: [x, y], max: [x, y] });

describe('decodeSeries', () => {
  it('reads buckets, empty buckets and empty series, runs outer and keys inner', () => {
    const bucket: M4Bucket = { count: 3, first: [0, 1.5], last: [2, 0.25], min: [2, 0.25], max: [1, 9] };
    const answer = decodeSeries(encode([[bucket, null], undefined, [null], [bucket, point(5, 0.1)]]), { runs, keys: ['loss', 'acc'], x: '_runtime' });
    expect(answer.x).toBe('_runtime');
    expect(answer.series.map((s) => `${s.run.id}/${s.key}`)).toEqual(['a/loss', 'a/acc', 'b/loss', 'b/acc']);
    expect(answer.series.map((s) => [...s.buckets])).toEqual([[bucket, null], [], [null], [bucket, point(5, 0.1)]].map((b) => [...packBuckets(b)]));
  });

  it('reads every layout the encoder picks: integer and float64 xs, float32 and float64 ys, wide counts', () => {
    const steps = Array.from({ length: 50 }, (_, k): M4Bucket | null =>
      k % 7 === 3 ? null : k % 5 === 0 ? point(k * 300, k / 3) : { count: 300, first: [k * 300, 1 / (k + 1)], last: [k * 300 + 299, k / 7], min: [k * 300 + 17, -k], max: [k * 300 + 5, k * 1e6] },
    );
    const runtime = steps.map((b) => b && ({ ...b, first: [b.first[0] * 0.05, b.first[1]], last: [b.last[0] * 0.05, b.last[1]], min: [b.min[0] * 0.05, b.min[1]], max: [b.max[0] * 0.05, b.max[1]] } as M4Bucket));
    const float32 = steps.map((b) => b && ({ ...b, first: [b.first[0], Math.fround(b.first[1])], last: [b.last[0], Math.fround(b.last[1])], min: [b.min[0], Math.fround(b.min[1])], max: [b.max[0], Math.fround(b.max[1])] } as M4Bucket));
    const wide = [{ count: 2 ** 33, first: [0, 1], last: [2 ** 40, 2], min: [5, 0], max: [9, 3] } as M4Bucket, point(2 ** 40 + 1, 1)];
    const all = [steps, runtime, float32, wide];
    const answer = decodeSeries(encode(all), { runs: all.map((_, i) => ({ entity: 'e', project: 'p', id: `r${i}` })), keys: ['loss'] });
    expect(answer.series.map((s) => [...s.buckets])).toEqual(all.map((b) => [...packBuckets(b)]));
  });

  it('unpacks into the memory readied while the request was out, and without it as well', async () => {
    const many = Array.from({ length: 100 }, (_, i) => ({ entity: 'e', project: 'p', id: `r${i}` }));
    const series = many.map((_, i) => (i === 7 ? undefined : Array.from({ length: 400 }, (_, k): M4Bucket | null => (k % 9 === 4 ? null : point(k * 10 + i, k / 3)))));
    const bytes = encode(series);
    const expected = series.map((buckets) => [...packBuckets(buckets ?? [])]);
    const request = { runs: many, keys: ['loss'], buckets: 400 };
    prepareAnswer(request);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const readied = decodeSeries(bytes, request);
    // One array as large as the answer could be (every series with 400 buckets), paged in beforehand.
    expect(readied.series[0]!.buckets.buffer.byteLength).toBe(100 * 400 * 9 * 8);
    expect(readied.series.map((s) => [...s.buckets])).toEqual(expected);
    // An answer before the memory is ready (or without asking for it) is unpacked as well.
    const early = { ...request };
    prepareAnswer(early);
    const fresh = decodeSeries(bytes, early);
    expect(fresh.series[0]!.buckets.buffer.byteLength).toBe((100 - 1) * 400 * 9 * 8);
    expect(fresh.series.map((s) => [...s.buckets])).toEqual(expected);
  });

  it('refuses an answer that does not match the request', () => {
    expect(() => decodeSeries(encode([[]]), { runs, keys: ['loss'] })).toThrow(/holds 1 series, not the 2/);
    const bytes = new Uint8Array(encode([[point(1, 2)]]));
    expect(() => decodeSeries(bytes.slice(0, bytes.length - 8).buffer, { runs: runs.slice(0, 1), keys: ['loss'] })).toThrow(/ended inside/);
    expect(() => decodeSeries(new Float64Array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0]).buffer, { runs: runs.slice(0, 1), keys: ['loss'] })).toThrow(/layout version/);
  });
});
