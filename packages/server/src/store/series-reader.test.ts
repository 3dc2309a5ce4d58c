import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestServer } from '../test-support/engines.js';
import { runRecords } from '../test-support/records.js';
import { decodeChunk } from '../series/series-chunk.js';
import { SeriesReader } from './series-reader.js';

describe.each(engines)('SeriesReader on $name', (engine) => {
  let server: Awaited<ReturnType<typeof openTestServer>>;
  beforeEach(async () => {
    server = await openTestServer(engine);
  });
  afterEach(async () => {
    await server.dispose();
  });

  const points = (chunks: ReturnType<typeof decodeChunk>[]) => chunks.flatMap((c) => Array.from(c.values));

  async function ingest(id: string, values: number[]): Promise<number> {
    const records = runRecords(id, values.map((v) => ({ v }))) as Array<Record<string, unknown>>;
    await server.store.applyBatch({ entity: 'local', project: 'proj', id }, 'w1', 0, records);
    return (await server.store.runPk({ entity: 'local', project: 'proj', id }))!;
  }

  it('answers the same with a cache too small to hold one request', async () => {
    const values = Array.from({ length: 20_000 }, (_, i) => Math.sin(i));
    const pk = await ingest('r', values);
    const tiny = new SeriesReader(server.store.db, 1);
    const roomy = new SeriesReader(server.store.db);
    for (const reader of [tiny, roomy, tiny, roomy]) {
      const chunks = (await reader.chunks([pk], 'v')).get(pk)!;
      expect(points(chunks.map(decodeChunk))).toEqual(values);
    }
    expect(tiny.heldBytes).toBeLessThan(200_000);
  });

  it('sees points appended after a chunk was cached', async () => {
    const pk = await ingest('grow', [1, 2, 3]);
    const reader = new SeriesReader(server.store.db);
    expect(points((await reader.chunks([pk], 'v')).get(pk)!.map(decodeChunk))).toEqual([1, 2, 3]);
    await server.store.applyBatch({ entity: 'local', project: 'proj', id: 'grow' }, 'w1', 5, [{ t: 'history', row: { v: 4, _step: 3 } }]);
    const chunks = (await reader.chunks([pk], 'v')).get(pk)!;
    expect(points(chunks.map(decodeChunk))).toEqual([1, 2, 3, 4]);
    expect(chunks[0]!.count).toBe(4);
  });

  it('keeps chunk lists by the run version the caller read, and reads again when it changes', async () => {
    const a = await ingest('va', Array.from({ length: 10_000 }, (_, i) => i));
    const b = await ingest('vb', [7, 8]);
    const reader = new SeriesReader(server.store.db);
    const versionsNow = async () => new Map((await server.store.runRefs([{ entity: 'local', project: 'proj', id: 'va' }, { entity: 'local', project: 'proj', id: 'vb' }])).map((ref) => [ref!.pk, ref!.historyRows]));
    const versions = await versionsNow();
    expect(versions.get(a)).toBe(10_000);
    const first = await reader.chunks([a, b, a], 'v', undefined, undefined, versions);
    expect(first.get(a)!.map((c) => c.count)).toEqual([4096, 4096, 1808]);
    // Behind the reader's back, a chunk row goes: at the same version the cached list is
    // still what it answers from (a run's series never change without new history rows)...
    await server.store.db.deleteFrom('series_chunks').where('run_pk', '=', b).execute();
    expect((await reader.chunks([a, b], 'v', undefined, undefined, versions)).get(b)!.map((c) => c.count)).toEqual([2]);
    // ...with a range applied to the cached list as the database would.
    const ranged = (await reader.chunks([a], 'v', 5000, 8200, versions)).get(a)!;
    expect(ranged.map((c) => [c.firstStep, c.lastStep])).toEqual([[4096, 8191], [8192, 9999]]);
    // New history rows make a new version: the list is read again.
    await server.store.applyBatch({ entity: 'local', project: 'proj', id: 'vb' }, 'w1', 4, [{ t: 'history', row: { v: 9, _step: 2 } }]);
    const next = await versionsNow();
    expect(next.get(b)).toBe(3);
    expect(points((await reader.chunks([b], 'v', undefined, undefined, next)).get(b)!.map(decodeChunk))).toEqual([9]);
  });

  it('reads several runs at once, restricted to a range, and leaves out runs without the series', async () => {
    const a = await ingest('a', Array.from({ length: 10_000 }, (_, i) => i));
    const b = await ingest('b', [7, 8]);
    const reader = new SeriesReader(server.store.db);
    const all = await reader.chunks([a, b, 999_999], 'v');
    expect([...all.keys()].sort()).toEqual([a, b].sort());
    const ranged = await reader.chunks([a], 'v', 9000, 9500);
    for (const chunk of ranged.get(a)!) {
      expect(chunk.lastStep).toBeGreaterThanOrEqual(9000);
      expect(chunk.firstStep).toBeLessThanOrEqual(9500);
    }
    expect((await reader.chunks([a], 'missing')).size).toBe(0);
  });
});
