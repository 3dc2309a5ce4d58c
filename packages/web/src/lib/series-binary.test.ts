import { describe, expect, it } from 'vitest';
import type { M4Bucket } from '@cairn/protocol';
import { packBuckets } from './buckets.js';
import { decodeSeries } from './series-binary.js';

const runs = [
  { entity: 'local', project: 'p', id: 'a' },
  { entity: 'local', project: 'p', id: 'b' },
];

/** Writes what the server writes, by the documented layout. */
function encode(series: Array<Array<M4Bucket | null>>): ArrayBuffer {
  const values: number[] = [];
  for (const buckets of series) {
    values.push(buckets.length);
    for (const b of buckets) values.push(...(b ? [b.count, ...b.first, ...b.last, ...b.min, ...b.max] : [0, 0, 0, 0, 0, 0, 0, 0, 0]));
  }
  return new Float64Array(values).buffer;
}

describe('decodeSeries', () => {
  it('reads buckets, empty buckets and empty series, runs outer and keys inner', () => {
    const bucket: M4Bucket = { count: 3, first: [0, 1.5], last: [2, 0.25], min: [2, 0.25], max: [1, 9] };
    const answer = decodeSeries(encode([[bucket, null], [], [null], [bucket]]), { runs, keys: ['loss', 'acc'], x: '_runtime' });
    expect(answer.x).toBe('_runtime');
    expect(answer.series.map((s) => `${s.run.id}/${s.key}`)).toEqual(['a/loss', 'a/acc', 'b/loss', 'b/acc']);
    expect(answer.series.map((s) => [...s.buckets])).toEqual([[bucket, null], [], [null], [bucket]].map((b) => [...packBuckets(b)]));
    // Views on the answer, not copies.
    expect(answer.series[0]!.buckets.buffer.byteLength).toBe(8 * (4 + 4 * 9));
  });

  it('refuses an answer that does not match the request', () => {
    expect(() => decodeSeries(encode([[]]), { runs, keys: ['loss'] })).toThrow(/ended early/);
    expect(() => decodeSeries(new Float64Array([2, 1, 0, 0]).buffer, { runs: runs.slice(0, 1), keys: ['loss'] })).toThrow(/inside a series/);
    expect(() => decodeSeries(new ArrayBuffer(12), { runs, keys: ['loss'] })).toThrow(/float64/);
  });
});
