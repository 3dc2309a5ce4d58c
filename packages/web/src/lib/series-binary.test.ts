import { describe, expect, it } from 'vitest';
import type { M4Bucket } from '@cairn/protocol';
import { encodeSeriesBinary, SERIES_BUCKET_STRIDE, seriesColumns } from '@cairn/protocol/series-binary';
import { BUCKET_STRIDE, packBuckets } from './buckets.js';
import { decodeSeries, prepareAnswer } from './series-binary.js';

const runs = [
  { entity: 'local', project: 'p', id: 'a' },
  { entity: 'local', project: 'p', id: 'b' },
];

/** What the server writes: protocol's encoder, from the columns the server computes. */
function encode(series: Array<Array<M4Bucket | null> | undefined>): ArrayBuffer {
  return encodeSeriesBinary(series.map((buckets) => buckets && seriesColumns(buckets))).buffer;
}

const point = (x: number, y: number): M4Bucket => ({ count: 1, first: [x, y], last: [x, y], min: [x, y], max: [x, y] });

describe('decodeSeries', () => {
  it('reads buckets, empty buckets and empty series, runs outer and keys inner', () => {
    const bucket: M4Bucket = { count: 3, first: [0, 1.5], last: [2, 0.25], min: [2, 0.25], max: [1, 9] };
    const answer = decodeSeries(encode([[bucket, null], undefined, [null], [bucket, point(5, 0.1)]]), { runs, keys: ['loss', 'acc'], x: '_runtime' });
    expect(answer.x).toBe('_runtime');
    expect(answer.series.map((s) => `${s.run.id}/${s.key}`)).toEqual(['a/loss', 'a/acc', 'b/loss', 'b/acc']);
    expect(answer.series.map((s) => [...s.buckets])).toEqual([[bucket, null], [], [null], [bucket, point(5, 0.1)]].map((b) => [...packBuckets(b)]));
    // The chart's bucket layout is the one protocol's reader writes.
    expect(BUCKET_STRIDE).toBe(SERIES_BUCKET_STRIDE);
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
    // An answer in another layout version (a server newer or older than the page) asks for a reload.
    const other = new Uint32Array(encode([[point(1, 2)]]));
    other[0] = 1;
    expect(() => decodeSeries(other.buffer, { runs: runs.slice(0, 1), keys: ['loss'] })).toThrow('series answer has layout version 1, not 2: reload the page');
  });
});
