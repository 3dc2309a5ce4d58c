import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeSeriesBinary, type SeriesRequest } from '@cairn/protocol';
import { engines, openTestServer } from '../test-support/engines.js';
import { runRecords } from '../test-support/records.js';
import { answerKey } from '../store/series-reader.js';
import { querySeries, querySeriesBinary } from './series-query.js';

describe.each(engines)('series queries on $name', (engine) => {
  let server: Awaited<ReturnType<typeof openTestServer>>;
  beforeEach(async () => {
    server = await openTestServer(engine);
  });
  afterEach(async () => {
    await server.dispose();
  });

  const run = (id: string) => ({ entity: 'local', project: 'proj', id });

  async function ingest(id: string, values: number[]): Promise<void> {
    await server.store.applyBatch(run(id), 'w1', 0, runRecords(id, values.map((v) => ({ v }))) as Array<Record<string, unknown>>);
  }

  it('answers a repeated query from the answers kept, and a run that got rows since afresh', async () => {
    await ingest('a', Array.from({ length: 3000 }, (_, i) => Math.sin(i / 40)));
    await ingest('b', [1, 2, 3]);
    const request: SeriesRequest = { runs: [run('a'), run('b'), run('missing')], keys: ['v'], buckets: 50 };
    const first = await querySeries(server.store, request);
    const [a, b] = (await server.store.runRefs([run('a'), run('b')])).map((ref) => ref!) as [{ pk: number; historyRows: number }, { pk: number; historyRows: number }];
    const kept = (ref: { pk: number; historyRows: number }, buckets = 50, x = '_step') => server.store.series.cachedAnswer(answerKey(ref.pk, ref.historyRows, 'v', x, undefined, buckets));
    expect(kept(a)).toBeDefined();
    expect(kept(b)).toBeDefined();
    // The same numbers again, as JSON and in binary.
    expect(await querySeries(server.store, request)).toEqual(first);
    expect(decodeSeriesBinary(await querySeriesBinary(server.store, request), request)).toEqual(first);

    // Run b gets a point: its next answer has it (a new version, so not the kept answer); a's is kept.
    await server.store.applyBatch(run('b'), 'w1', 5, [{ t: 'history', row: { v: 40, _step: 3 } }]);
    const next = await querySeries(server.store, request);
    expect(next.series[0]).toEqual(first.series[0]);
    const bBuckets = next.series[1]!.buckets.filter((bucket) => bucket !== null);
    expect(bBuckets.reduce((n, bucket) => n + bucket.count, 0)).toBe(4);
    expect(Math.max(...bBuckets.map((bucket) => bucket.max[1]))).toBe(40);
    expect(next.series[2]!.buckets).toEqual([]);
  });

  it('keeps answers apart by bucket count, range and axis', async () => {
    await ingest('a', Array.from({ length: 1000 }, (_, i) => i % 17));
    const base = { runs: [run('a')], keys: ['v'] };
    const counts = async (request: SeriesRequest) => (await querySeries(server.store, request)).series[0]!.buckets.map((bucket) => bucket?.count ?? 0);
    for (let round = 0; round < 2; round++) {
      expect(await counts({ ...base, buckets: 10 })).toEqual(Array(10).fill(100));
      expect(await counts({ ...base, buckets: 4 })).toEqual(Array(4).fill(250));
      expect(await counts({ ...base, buckets: 2, range: [0, 99] })).toEqual([50, 50]);
      expect(await counts({ ...base, buckets: 2, range: [100, 199] })).toEqual([50, 50]);
      const runtime = (await querySeries(server.store, { ...base, buckets: 2, x: '_runtime' })).series[0]!.buckets;
      expect(runtime[1]!.last[0]).toBe(999 * 0.5);
    }
  });

  it('answers each run entry for its own range and bucket count, the same run listed twice', async () => {
    await ingest('a', Array.from({ length: 1000 }, (_, i) => i % 17));
    await ingest('b', [1, 2, 3]);
    const total = (buckets: ReadonlyArray<{ count: number } | null>) => buckets.reduce((n, bucket) => n + (bucket?.count ?? 0), 0);
    for (const x of ['_step', '_runtime']) {
      // runRecords stamps step i at runtime i/2 seconds.
      const scale = x === '_step' ? 1 : 0.5;
      const request: SeriesRequest = {
        runs: [{ ...run('a'), range: [900 * scale, 1100 * scale], buckets: 4 }, { ...run('a'), buckets: 1 }, run('b'), { ...run('missing'), buckets: 3 }],
        keys: ['v'],
        x,
        buckets: 10,
      };
      const answer = await querySeries(server.store, request);
      const [tail, whole, b, missing] = answer.series.map((s) => s.buckets);
      // The newest points on a grid of their own, 50 steps a bucket; beyond the run, empty buckets.
      expect(tail!.map((bucket) => bucket?.count ?? 0), x).toEqual([50, 50, 0, 0]);
      expect(tail![1]!.last, x).toEqual([999 * scale, 999 % 17]);
      // The whole run in one bucket: its count and extent.
      expect(whole, x).toEqual([{ count: 1000, first: [0, 0], last: [999 * scale, 999 % 17], min: [0, 0], max: [16 * scale, 16] }]);
      // The request's own range (none) and bucket count for a run without its own.
      expect(b!.length, x).toBe(10);
      expect(total(b!), x).toBe(3);
      expect(missing, x).toEqual([]);
      expect(decodeSeriesBinary(await querySeriesBinary(server.store, request), request), x).toEqual(answer);
      // A run with a range of its own (a live chart's tail and its count): its answers are
      // computed together, and not kept; another run's are.
      const [a, bRef] = (await server.store.runRefs([run('a'), run('b')])) as Array<{ pk: number; historyRows: number }>;
      expect(server.store.series.cachedAnswer(answerKey(a!.pk, a!.historyRows, 'v', x, [900 * scale, 1100 * scale], 4)), x).toBeUndefined();
      expect(server.store.series.cachedAnswer(answerKey(a!.pk, a!.historyRows, 'v', x, undefined, 1)), x).toBeUndefined();
      expect(server.store.series.cachedAnswer(answerKey(bRef!.pk, bRef!.historyRows, 'v', x, undefined, 10)), x).toBeDefined();
    }
  });

  it('charts against wall time (_timestamp), whole and zoomed, in JSON and in binary', async () => {
    // runRecords stamps step i at 1000 + i/2 seconds.
    await ingest('a', Array.from({ length: 1000 }, (_, i) => i % 17));
    const request: SeriesRequest = { runs: [run('a')], keys: ['v'], buckets: 4, x: '_timestamp' };
    const whole = await querySeries(server.store, request);
    expect(whole.x).toBe('_timestamp');
    const buckets = whole.series[0]!.buckets.map((bucket) => bucket!);
    expect(buckets.map((bucket) => bucket.count)).toEqual([250, 250, 250, 250]);
    expect(buckets[0]!.first).toEqual([1000, 0]);
    expect(buckets[3]!.last).toEqual([1000 + 999 * 0.5, 999 % 17]);
    expect(decodeSeriesBinary(await querySeriesBinary(server.store, request), request)).toEqual(whole);
    // Zoomed to a minute of wall time: 120 steps, at full resolution within it.
    const zoomed = await querySeries(server.store, { ...request, buckets: 120, range: [1100, 1159.5] });
    const inRange = zoomed.series[0]!.buckets.filter((bucket) => bucket !== null);
    expect(inRange.reduce((n, bucket) => n + bucket.count, 0)).toBe(120);
    expect(inRange[0]!.first[0]).toBe(1100);
    expect(inRange[inRange.length - 1]!.last[0]).toBe(1159.5);
  });
});
