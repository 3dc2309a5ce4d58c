import { describe, expect, it } from 'vitest';
import type { M4Bucket } from './api.js';
import { decodeSeriesBinary, encodeSeriesBinary, readSeriesBinary, SERIES_BINARY_VERSION, SERIES_BUCKET_STRIDE, seriesColumns } from './series-binary.js';

const point = (x: number, y: number): M4Bucket => ({ count: 1, first: [x, y], last: [x, y], min: [x, y], max: [x, y] });

/** Buckets of `perBucket` steps each, from `start`, with float64 values (not float32s). */
function stepBuckets(count: number, perBucket: number, start = 0): Array<M4Bucket | null> {
  return Array.from({ length: count }, (_, k) => {
    const x = start + k * perBucket;
    const y = (i: number) => Math.sin(x + i) / 3;
    return { count: perBucket, first: [x, y(0)], last: [x + perBucket - 1, y(1)], min: [x + 3, y(2) - 1], max: [x + 1, y(3) + 1] };
  });
}

const runs = [
  { entity: 'local', project: 'p', id: 'a' },
  { entity: 'local', project: 'p', id: 'b' },
];

/** Round trip through bytes, checked against the input; returns the answer's size. */
function roundTrip(series: Array<Array<M4Bucket | null> | undefined>): number {
  const bytes = encodeSeriesBinary(series.map((buckets) => (buckets ? seriesColumns(buckets) : undefined)));
  const request = { runs: series.map((_, i) => ({ entity: 'e', project: 'p', id: `r${i}` })), keys: ['k'] };
  const decoded = decodeSeriesBinary(bytes, request);
  expect(decoded.series.map((s) => s.buckets)).toEqual(series.map((buckets) => buckets ?? []));
  // Exact, not close: the same bits, -0 aside (JSON has no -0 either).
  decoded.series.forEach((s, i) =>
    s.buckets.forEach((b, k) => {
      const want = series[i]![k]!;
      if (b && want) for (const field of ['first', 'last', 'min', 'max'] as const) expect(Object.is(b[field][1], want[field][1]) || b[field][1] === 0).toBe(true);
    }),
  );
  return bytes.byteLength;
}

describe('the binary series answer', () => {
  it('gives back buckets, empty buckets, one-point buckets, missing and empty series exactly, runs outer and keys inner', () => {
    const many: M4Bucket = { count: 3, first: [0, 1.5], last: [2, 0.25], min: [2, 0.25], max: [1, 9] };
    const bytes = encodeSeriesBinary([seriesColumns([many, null]), undefined, seriesColumns([null]), seriesColumns([point(7, 0.1)])]);
    const decoded = decodeSeriesBinary(bytes, { runs, keys: ['loss', 'acc'], x: '_runtime' });
    expect(decoded.x).toBe('_runtime');
    expect(decoded.series.map((s) => `${s.run.id}/${s.key}`)).toEqual(['a/loss', 'a/acc', 'b/loss', 'b/acc']);
    expect(decoded.series.map((s) => s.buckets)).toEqual([[many, null], [], [null], [point(7, 0.1)]]);
  });

  it('stores steps as small integer deltas and float64 values: under 45 bytes a bucket where float64s took 72', () => {
    const buckets = stepBuckets(323, 310, 5_000_000);
    const size = roundTrip([buckets]);
    // 2 (count) + 4 × 2 (x deltas) + 4 × 8 (y) per bucket, and headers.
    expect(size).toBeLessThan(323 * 45);
    expect(size).toBeGreaterThan(323 * 42);
  });

  it('widens each column as its values need: counts and deltas past 16 and 32 bits', () => {
    const wide = stepBuckets(4, 70_000);
    const huge = stepBuckets(3, 2 ** 33, 2 ** 40);
    expect(roundTrip([wide, huge])).toBeGreaterThan(0);
  });

  it('keeps x exactly when it is not an integer, negative steps back, or too large to add exactly', () => {
    const runtime = stepBuckets(50, 7).map((b) => b && { ...b, first: [b.first[0] * 0.05, b.first[1]], last: [b.last[0] * 0.05, b.last[1]], min: [b.min[0] * 0.05, b.min[1]], max: [b.max[0] * 0.05, b.max[1]] } as M4Bucket);
    const timestamps = [point(1.7e9 + 0.123, 1), point(1.7e9 + 0.5, 2)];
    const beyondSafe = [point(2 ** 60, 1), point(2 ** 60 + 2 ** 8, 2)];
    const backwards = [point(10, 1), point(3, 2)];
    const negative = [point(-5, 1), point(-2, 2)];
    const runtimeSize = roundTrip([runtime]);
    roundTrip([timestamps, beyondSafe, backwards, negative]);
    // Float64 xs: 8 bytes per stored point.
    expect(runtimeSize).toBeGreaterThan(50 * 4 * 16);
  });

  it('stores float32 values in 4 bytes when every one of them is one, exactly', () => {
    const f32 = stepBuckets(100, 50).map((b) => b && ({ ...b, first: [b.first[0], Math.fround(b.first[1])], last: [b.last[0], Math.fround(b.last[1])], min: [b.min[0], Math.fround(b.min[1])], max: [b.max[0], Math.fround(b.max[1])] } as M4Bucket));
    const f32Size = roundTrip([f32]);
    const f64Size = roundTrip([stepBuckets(100, 50)]);
    expect(f64Size - f32Size).toBeGreaterThanOrEqual(100 * 4 * 4 - 8);
    // One value that is not a float32 keeps the whole series in float64.
    const mixed = [...f32, point(5000, 0.1)];
    expect(roundTrip([mixed])).toBeGreaterThan(f64Size);
    roundTrip([[point(0, Infinity), point(1, -0), point(2, Number.MAX_VALUE), point(3, 5e-324)]]);
  });

  it('round-trips random series', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 30; trial++) {
      const integral = trial % 2 === 0;
      let x = integral ? Math.floor(random() * 1000) - 500 : random() * 1e6;
      const buckets: Array<M4Bucket | null> = [];
      for (let k = 0; k < 40; k++) {
        const r = random();
        if (r < 0.2) {
          buckets.push(null);
          continue;
        }
        const span = integral ? 1 + Math.floor(random() * 300) : random() * 10;
        const y = () => (random() - 0.5) * 10 ** Math.floor(random() * 10 - 5);
        const first: [number, number] = [x, y()];
        if (r < 0.4) buckets.push({ count: 1, first, last: first, min: first, max: first });
        else buckets.push({ count: 2 + Math.floor(random() * 1e4), first, last: [x + span, y()], min: [x + span / 2, y()], max: [x + (integral ? 1 : span / 3), y()] });
        x += span + (integral ? 1 + Math.floor(random() * 5) : random());
      }
      roundTrip([buckets]);
    }
  });

  it('refuses bytes that are not the answer asked for', () => {
    const bytes = encodeSeriesBinary([seriesColumns([point(1, 2)]), undefined]);
    expect(() => readSeriesBinary(bytes, 3)).toThrow(/holds 2 series, not the 3/);
    expect(() => readSeriesBinary(bytes.slice(0, bytes.length - 8), 2)).toThrow(/ended inside/);
    const longer = new Uint8Array(bytes.length + 8);
    longer.set(bytes);
    expect(() => readSeriesBinary(longer, 2)).toThrow(/past its last series/);
    const old = new Float64Array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(() => readSeriesBinary(old.buffer, 1)).toThrow(new RegExp(`not ${SERIES_BINARY_VERSION}: reload`));
  });

  it('reads the series into one array, or into the memory passed in when it is large enough', () => {
    const many: M4Bucket = { count: 3, first: [0, 1.5], last: [2, 0.25], min: [2, 0.25], max: [1, 9] };
    const series = [[many, null, point(4, 2)], undefined, [null, point(6, 0.5)]];
    const bytes = encodeSeriesBinary(series.map((buckets) => buckets && seriesColumns(buckets)));
    const expected = series.map((buckets) => (buckets ?? []).flatMap((b) => (b ? [b.count, ...b.first, ...b.last, ...b.min, ...b.max] : Array<number>(SERIES_BUCKET_STRIDE).fill(0))));
    const fresh = readSeriesBinary(bytes, 3);
    expect(fresh.map((s) => [...s])).toEqual(expected);
    // Views back to back on one array for the whole answer.
    expect(new Set(fresh.map((s) => s.buffer)).size).toBe(1);
    expect(fresh.map((s) => s.byteOffset)).toEqual([0, 3, 3].map((k) => k * SERIES_BUCKET_STRIDE * 8));
    // Memory passed in is written over, empty buckets included, and what is past the answer is left alone.
    const into = new Float64Array(6 * SERIES_BUCKET_STRIDE).fill(7);
    const read = readSeriesBinary(bytes, 3, into);
    expect(read.map((s) => [...s])).toEqual(expected);
    expect(read.every((s) => s.buffer === into.buffer)).toBe(true);
    expect([...into.subarray(5 * SERIES_BUCKET_STRIDE)]).toEqual(Array(SERIES_BUCKET_STRIDE).fill(7));
    // Too little of it: a new array, and the memory untouched.
    const short = new Float64Array(4 * SERIES_BUCKET_STRIDE).fill(7);
    const instead = readSeriesBinary(bytes, 3, short);
    expect(instead.map((s) => [...s])).toEqual(expected);
    expect(instead[0]!.buffer).not.toBe(short.buffer);
    expect(short.every((v) => v === 7)).toBe(true);
  });

  it('writes nothing into the memory passed in when the bytes are not the answer asked for', () => {
    const bytes = encodeSeriesBinary([seriesColumns([point(1, 2), point(3, 4)]), seriesColumns([point(1, 2)])]);
    const into = new Float64Array(8 * SERIES_BUCKET_STRIDE).fill(7);
    expect(() => readSeriesBinary(bytes.slice(0, bytes.length - 8), 2, into)).toThrow(/ended inside/);
    const other = new Uint32Array(bytes.slice().buffer);
    other[0] = SERIES_BINARY_VERSION + 1;
    expect(() => readSeriesBinary(other.buffer, 2, into)).toThrow(`series answer has layout version ${SERIES_BINARY_VERSION + 1}, not ${SERIES_BINARY_VERSION}: reload the page`);
    expect(into.every((v) => v === 7)).toBe(true);
  });

  it('reads an answer that does not start on an 8-byte boundary', () => {
    const bytes = encodeSeriesBinary([seriesColumns([point(1, 2), null, point(9, 0.5)])]);
    const shifted = new Uint8Array(bytes.length + 4);
    shifted.set(bytes, 4);
    expect(readSeriesBinary(shifted.subarray(4), 1)).toEqual(readSeriesBinary(bytes, 1));
  });
});
