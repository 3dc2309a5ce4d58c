import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiPaths, RECORDS_CONTENT_TYPE, type ApiErrorBody, type HistoryPage } from '@cairn/protocol';
import { engines, openTestServer, postgresSkipReason } from '../test-support/engines.js';
import { logBody, runRecords } from '../test-support/records.js';
import { evenlySpacedIndices, restrictToKeys, sampleHistory } from './history-query.js';

if (postgresSkipReason) it.skip(postgresSkipReason, () => {});

describe('evenlySpacedIndices', () => {
  it('keeps everything up to the sample count, then spreads from the first to the last', () => {
    expect(evenlySpacedIndices(0, 5)).toEqual([]);
    expect(evenlySpacedIndices(3, 5)).toEqual([0, 1, 2]);
    expect(evenlySpacedIndices(5, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(evenlySpacedIndices(11, 3)).toEqual([0, 5, 10]);
    expect(evenlySpacedIndices(10, 1)).toEqual([0]);
    expect(evenlySpacedIndices(10, 2)).toEqual([0, 9]);
  });

  it('never repeats an index, whatever the sizes', () => {
    for (let total = 2; total < 60; total++) {
      for (let count = 2; count < total; count++) {
        const indices = evenlySpacedIndices(total, count);
        expect(indices).toHaveLength(count);
        expect(indices[0]).toBe(0);
        expect(indices.at(-1)).toBe(total - 1);
        for (let i = 1; i < count; i++) expect(indices[i]!).toBeGreaterThan(indices[i - 1]!);
      }
    }
  });
});

describe('restrictToKeys', () => {
  it('keeps _step and the keys, reads nested paths, drops rows with none of the keys', () => {
    const rows = [
      { _step: 0, loss: 1, acc: 0.1, train: { f1: 0.5 } },
      { _step: 1, other: 3 },
      { _step: 2, 'a.b': 7, train: { f1: 0.6 } },
    ];
    expect(restrictToKeys(rows, ['loss', 'train.f1'])).toEqual([
      { _step: 0, loss: 1, 'train.f1': 0.5 },
      { _step: 2, 'train.f1': 0.6 },
    ]);
    expect(restrictToKeys(rows, ['a.b'])).toEqual([{ _step: 2, 'a.b': 7 }]);
    expect(restrictToKeys(rows, ['missing'])).toEqual([]);
  });
});

describe.each(engines)('sampled and key-restricted history on $name', (engine) => {
  let server: Awaited<ReturnType<typeof openTestServer>>;
  beforeEach(async () => {
    server = await openTestServer(engine);
  });
  afterEach(async () => {
    await server.dispose();
  });

  /** Posts the records in batches of `batch`, so the rows land in several history chunks. */
  const ingest = async (id: string, records: object[], batch = records.length, writer = 'w1') => {
    for (let first = 0; first < records.length; first += batch) {
      const response = await server.app.request(`${apiPaths.records('local', 'proj', id)}?writer=${writer}&first=${first}`, {
        method: 'POST',
        headers: { 'content-type': RECORDS_CONTENT_TYPE },
        body: logBody(records.slice(first, first + batch)),
      });
      expect(response.status).toBe(200);
    }
  };
  const history = async (id: string, query: string, expectStatus = 200) => {
    const response = await server.app.request(`${apiPaths.history('local', 'proj', id)}?${query}`);
    expect(response.status).toBe(expectStatus);
    return (await response.json()) as HistoryPage & ApiErrorBody;
  };
  /** Rows 0…n-1 with `loss` on every row and `acc` on every tenth. */
  const rows = (n: number) => Array.from({ length: n }, (_, i) => (i % 10 === 0 ? { loss: 1 / (i + 1), acc: i / n } : { loss: 1 / (i + 1) }));

  it('returns every row when the run has no more than `samples`', async () => {
    await ingest('small', runRecords('small', [{ a: 1, nested: { b: 'x' } }, { a: 2 }, { a: 3 }], { exitCode: 0 }));
    const page = await history('small', 'samples=3');
    expect(page.nextCursor).toBeNull();
    expect(page.rows).toEqual([
      { a: 1, nested: { b: 'x' }, _step: 0, _runtime: 0, _timestamp: 1000 },
      { a: 2, _step: 1, _runtime: 0.5, _timestamp: 1000.5 },
      { a: 3, _step: 2, _runtime: 1, _timestamp: 1001 },
    ]);
    expect((await history('small', 'samples=500')).rows).toHaveLength(3);
  });

  it('spreads `samples` rows evenly over many chunks, keeping the first and the last row', async () => {
    // 1001 rows arriving in batches of 37 records: about 28 history chunks.
    await ingest('big', runRecords('big', rows(1001), { exitCode: 0 }), 37);
    const page = await history('big', 'samples=11');
    expect(page.rows.map((r) => r._step)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    // Full-fidelity rows: every column of the sampled row.
    expect(page.rows[5]).toEqual({ loss: 1 / 501, acc: 500 / 1001, _step: 500, _runtime: 250, _timestamp: 1250 });

    const many = await history('big', 'samples=500');
    expect(many.rows).toHaveLength(500);
    expect(many.rows[0]!._step).toBe(0);
    expect(many.rows.at(-1)!._step).toBe(1000);
    const steps = many.rows.map((r) => r._step as number);
    expect(new Set(steps).size).toBe(500);
    for (let i = 1; i < steps.length; i++) expect(steps[i]! - steps[i - 1]!).toBeGreaterThanOrEqual(1);
    for (let i = 1; i < steps.length; i++) expect(steps[i]! - steps[i - 1]!).toBeLessThanOrEqual(3);

    expect((await history('big', 'samples=1')).rows.map((r) => r._step)).toEqual([0]);
    expect((await history('big', 'samples=2')).rows.map((r) => r._step)).toEqual([0, 1000]);
  });

  it('with keys, samples only the rows that hold them and returns only those columns', async () => {
    await ingest('sparse', runRecords('sparse', rows(1001), { exitCode: 0 }), 50);
    // `acc` is on steps 0, 10, …, 1000: 101 rows.
    const all = await history('sparse', 'samples=500&keys=acc');
    expect(all.rows).toHaveLength(101);
    expect(all.rows[3]).toEqual({ _step: 30, acc: 30 / 1001 });
    const sampled = await history('sparse', 'samples=6&keys=acc');
    expect(sampled.rows).toEqual([0, 200, 400, 600, 800, 1000].map((step) => ({ _step: step, acc: step / 1001 })));
    // A row with any of the keys counts; the columns it lacks are absent.
    const both = await history('sparse', 'samples=3&keys=loss,acc');
    expect(both.rows).toEqual([
      { _step: 0, loss: 1, acc: 0 },
      { _step: 500, loss: 1 / 501, acc: 500 / 1001 },
      { _step: 1000, loss: 1 / 1001, acc: 1000 / 1001 },
    ]);
    expect((await history('sparse', 'samples=10&keys=nothing')).rows).toEqual([]);
  });

  it('restricts the columns of the cursor scan too, page by page', async () => {
    await ingest('scan', runRecords('scan', rows(95), { exitCode: 0 }), 10);
    const seen: Array<Record<string, unknown>> = [];
    let cursor: string | null = '0';
    let pages = 0;
    while (cursor !== null) {
      const page = await history('scan', `keys=acc&limit=20&cursor=${cursor}`);
      seen.push(...page.rows);
      cursor = page.nextCursor;
      pages++;
    }
    expect(pages).toBeGreaterThan(1);
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => ({ _step: i * 10, acc: (i * 10) / 95 })));
    // Repeated keys parameters add up.
    const page = await history('scan', 'keys=acc&keys=_runtime&limit=1000');
    expect(page.rows).toHaveLength(95);
    expect(page.rows[10]).toEqual({ _step: 10, acc: 10 / 95, _runtime: 5 });
  });

  it('sorts the sample of a shared run whose writers interleave steps', async () => {
    const respace = (records: object[], offset: number) =>
      records.map((record) => {
        const r = record as { t: string; row?: Record<string, unknown> };
        return r.t === 'history' ? { ...r, row: { ...r.row, _step: (r.row!._step as number) * 2 + offset } } : r;
      });
    const even = respace(runRecords('shared', [{ a: 0 }, { a: 2 }, { a: 4 }], { writerId: 'w-even' }), 0);
    const odd = respace(runRecords('shared', [{ b: 1 }, { b: 3 }], { writerId: 'w-odd' }), 1);
    await ingest('shared', even, even.length, 'w-even');
    await ingest('shared', odd, odd.length, 'w-odd');
    // Stored in arrival order 0 2 4 1 3; answered in step order.
    expect((await history('shared', 'limit=1000')).rows.map((r) => r._step)).toEqual([0, 2, 4, 1, 3]);
    expect((await history('shared', 'samples=100')).rows.map((r) => r._step)).toEqual([0, 1, 2, 3, 4]);
    // With keys every matching row is read, so the sample is spread over step order.
    expect((await history('shared', 'samples=3&keys=a,b')).rows).toEqual([
      { _step: 0, a: 0 },
      { _step: 2, a: 2 },
      { _step: 4, a: 4 },
    ]);
  });

  it('the sampler itself answers unknown runs with run_not_found', async () => {
    await expect(sampleHistory(server.store, { entity: 'local', project: 'proj', id: 'ghost' }, { samples: 5 })).rejects.toMatchObject({ code: 'run_not_found' });
    await expect(sampleHistory(server.store, { entity: 'local', project: 'proj', id: 'ghost' }, { samples: 5, keys: ['a'] })).rejects.toMatchObject({ code: 'run_not_found' });
  });

  describe('bad parameters get a coded 4xx', () => {
    beforeEach(async () => {
      await ingest('r', runRecords('r', [{ a: 1 }, { a: 2 }]));
    });

    it.each(['samples=0', 'samples=100001', 'samples=1.5', 'samples=ten', 'samples=', 'samples=-3'])('%s → 400 invalid_argument', async (query) => {
      const body = await history('r', query, 400);
      expect(body.error.code).toBe('invalid_argument');
      expect(body.error.message).toMatch(/samples/);
    });

    it.each([
      ['keys=', 'keys='],
      ['keys=a,,b', 'keys=a,,b'],
      ['samples=5&keys=', 'samples=5&keys='],
      ['a 257-character key', `keys=${'k'.repeat(257)}`],
    ])('%s → 400 invalid_argument', async (_label, query) => {
      const body = await history('r', query, 400);
      expect(body.error).toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(/keys/) });
    });

    it('rejects samples combined with cursor or limit', async () => {
      expect((await history('r', 'samples=5&cursor=0', 400)).error.code).toBe('invalid_argument');
      expect((await history('r', 'samples=5&limit=10', 400)).error.code).toBe('invalid_argument');
    });

    it('answers an unknown run with 404 run_not_found, sampled or not', async () => {
      expect((await history('nope', 'samples=5', 404)).error.code).toBe('run_not_found');
      expect((await history('nope', 'samples=5&keys=a', 404)).error.code).toBe('run_not_found');
      expect((await history('nope', 'keys=a', 404)).error.code).toBe('run_not_found');
      // The server kept serving, and the good run is intact.
      expect((await history('r', 'samples=100000')).rows.map((row) => row.a)).toEqual([1, 2]);
    });
  });
});
