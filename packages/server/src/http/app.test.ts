import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiPaths, decodeSeriesBinary, RECORDS_CONTENT_TYPE, type HistoryPage, type IngestResult, type RunInfo, type RunPage, type SeriesResponse } from '@cairn/protocol';
import { engines, openTestServer, postgresSkipReason } from '../test-support/engines.js';
import { logBody, runRecords } from '../test-support/records.js';

if (postgresSkipReason) {
  console.warn(`\n*** ${postgresSkipReason} ***\n`);
  it.skip(postgresSkipReason, () => {});
}

describe.each(engines)('HTTP API on $name', (engine) => {
  let server: Awaited<ReturnType<typeof openTestServer>>;
  beforeEach(async () => {
    server = await openTestServer(engine);
  });
  afterEach(async () => {
    await server.dispose();
  });

  const post = (id: string, first: number, records: object[] | string, writer = 'w1', project = 'proj') =>
    server.app.request(`${apiPaths.records('local', project, id)}?writer=${writer}&first=${first}`, {
      method: 'POST',
      headers: { 'content-type': RECORDS_CONTENT_TYPE },
      body: typeof records === 'string' ? records : logBody(records),
    });
  const getJson = async <T>(path: string, expectStatus = 200): Promise<T> => {
    const response = await server.app.request(path);
    expect(response.status).toBe(expectStatus);
    return (await response.json()) as T;
  };
  const getRun = (id: string) => getJson<RunInfo>(apiPaths.run('local', 'proj', id));
  const history = (id: string) => getJson<HistoryPage>(apiPaths.history('local', 'proj', id));

  it('ingests a run and serves its summary, config, metrics, state and history', async () => {
    const records = runRecords('r1', [{ loss: 0.5 }, { loss: 0.25, acc: 0.9 }, { loss: NaN }], { exitCode: 0 });
    records.splice(2, 0, { t: 'config', update: { lr: 0.1 } }, { t: 'metric', definition: { name: 'loss', summary: ['min'] }, overwrite: false });
    const response = await post('r1', 0, records);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ nextIndex: records.length, applied: records.length });
    const run = await getRun('r1');
    expect(run).toMatchObject({ entity: 'local', project: 'proj', id: 'r1', name: 'run-r1', state: 'finished', exitCode: 0, lastStep: 2, historyRows: 3 });
    expect(run.config).toEqual({ lr: 0.1 });
    expect(run.summary.loss).toEqual({ min: 0.25 });
    expect(run.summary.acc).toBe(0.9);
    expect(run.metrics).toEqual([{ name: 'loss', summary: ['min'] }]);
    const page = await history('r1');
    expect(page.rows.map((r) => r._step)).toEqual([0, 1, 2]);
    // NaN travels as JSON null over the HTTP API (the record log keeps NaN itself).
    expect(page.rows[2]!.loss).toBeNull();
    expect(await getJson(apiPaths.projects())).toEqual([{ entity: 'local', name: 'proj', runCount: 1, lastActivity: expect.any(Number) }]);
  });

  it('applies each record index once: retries, overlaps and a second sync change nothing', async () => {
    const records = runRecords('r2', [{ a: 1 }, { a: 2 }, { a: 3 }, { a: 4 }], { exitCode: 0 });
    expect(await (await post('r2', 0, records.slice(0, 3))).json()).toEqual({ nextIndex: 3, applied: 3 });
    expect(await (await post('r2', 0, records.slice(0, 3))).json()).toEqual({ nextIndex: 3, applied: 0 });
    expect(await (await post('r2', 1, records.slice(1, 5))).json()).toEqual({ nextIndex: 5, applied: 2 });
    expect(await (await post('r2', 0, records)).json()).toEqual({ nextIndex: records.length, applied: records.length - 5 });
    expect(await (await post('r2', 0, records)).json()).toEqual({ nextIndex: records.length, applied: 0 });
    expect((await history('r2')).rows.map((r) => r.a)).toEqual([1, 2, 3, 4]);
    expect(await getJson(apiPaths.writer('local', 'proj', 'r2', 'w1'))).toEqual({ nextIndex: records.length });
  });

  it('answers a gap with 409 out_of_order and the index to resend from', async () => {
    const records = runRecords('r3', [{ a: 1 }, { a: 2 }]);
    await post('r3', 0, records.slice(0, 2));
    const response = await post('r3', 3, records.slice(3));
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ error: { code: 'out_of_order', nextIndex: 2 } });
    expect((await getRun('r3')).historyRows).toBe(0);
  });

  it('keeps one index sequence per writer of a shared run', async () => {
    const a = runRecords('shared', [{ rank0: 1 }, { rank0: 2 }], { writerId: 'rank-0' });
    const b = runRecords('shared', [{ rank1: 1 }], { writerId: 'rank-1' });
    await post('shared', 0, a, 'rank-0');
    await post('shared', 0, b, 'rank-1');
    await post('shared', 0, b, 'rank-1');
    expect((await history('shared')).rows).toHaveLength(3);
    expect(await getJson(apiPaths.writer('local', 'proj', 'shared', 'rank-1'))).toEqual({ nextIndex: b.length });
  });

  it('a crashed run is one whose heartbeats stopped; preempting makes it preempted', async () => {
    const quick = await openTestServer(engine, { heartbeatTimeoutSeconds: 0 });
    try {
      const request = (id: string, records: object[]) =>
        quick.app.request(`${apiPaths.records('local', 'proj', id)}?writer=w1&first=0`, { method: 'POST', body: logBody(records) });
      await request('c1', runRecords('c1', [{ a: 1 }]));
      await request('p1', [...runRecords('p1', [{ a: 1 }]), { t: 'preempting', time: 1 }]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const state = async (id: string) => ((await (await quick.app.request(apiPaths.run('local', 'proj', id))).json()) as RunInfo).state;
      expect(await state('c1')).toBe('crashed');
      expect(await state('p1')).toBe('preempted');
    } finally {
      await quick.dispose();
    }
  });

  describe('bad input gets a coded 4xx and changes nothing', () => {
    beforeEach(async () => {
      expect((await post('good', 0, runRecords('good', [{ a: 1 }]))).status).toBe(200);
    });

    it.each([
      ['a torn last line', (body: string) => body.slice(0, -5), 'corrupt_log'],
      ['a damaged line', (body: string) => body.replace('"a":2', '"a":3'), 'corrupt_log'],
      ['garbage', () => 'hello world\n', 'corrupt_log'],
    ])('rejects %s', async (_what, damage, code) => {
      const body = damage(logBody(runRecords('good', [{ a: 1 }, { a: 2 }])));
      const response = await post('good', 0, body);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code } });
      expect((await history('good')).rows).toHaveLength(1);
    });

    it('rejects bad writer and index parameters, and a run record for another run', async () => {
      const body = logBody(runRecords('good', [{ a: 1 }]));
      for (const query of ['writer=&first=0', 'writer=w1&first=-1', 'writer=w1&first=abc', 'writer=w1']) {
        const response = await server.app.request(`${apiPaths.records('local', 'proj', 'good')}?${query}`, { method: 'POST', body });
        expect(response.status).toBe(400);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_argument');
      }
      const wrongRun = await post('good', 0, runRecords('other', [{ a: 5 }]));
      expect(wrongRun.status).toBe(400);
      expect((await history('good')).rows).toHaveLength(1);
    });

    it('rejects an oversized batch with 413', async () => {
      const response = await server.app.request(`${apiPaths.records('local', 'proj', 'good')}?writer=w1&first=0`, {
        method: 'POST',
        headers: { 'content-length': String(64 * 1024 * 1024) },
        body: 'x',
      });
      expect(response.status).toBe(413);
    });

    it('answers unknown runs with 404 and invalid names with 400', async () => {
      expect((await server.app.request(apiPaths.run('local', 'proj', 'nope'))).status).toBe(404);
      expect((await server.app.request(apiPaths.history('local', 'proj', 'nope'))).status).toBe(404);
      expect((await server.app.request('/api/v1/projects/local/proj/runs/a%3Ab')).status).toBe(400);
      expect((await server.app.request('/api/v1/nothing')).status).toBe(404);
    });

    it('rejects invalid filters, sorts and series requests', async () => {
      const runs = apiPaths.runs('local', 'proj');
      for (const query of ['filter=notjson', 'filter=[{"field":"x","op":"=","value":1}]', 'filter=[{"field":"config.a","op":"~","value":1}]', 'sort=colour', 'order=up', 'limit=0', 'cursor=zzz']) {
        const response = await server.app.request(`${runs}?${query}`);
        expect(response.status, query).toBe(400);
      }
      for (const body of [
        '{',
        '{"runs":[],"keys":["a"],"buckets":10}',
        '{"runs":[{"entity":"local","project":"proj","id":"good"}],"keys":["a"],"buckets":0}',
        '{"runs":[{"entity":"local","project":"proj","id":"good","range":[5,1]}],"keys":["a"],"buckets":10}',
        '{"runs":[{"entity":"local","project":"proj","id":"good","buckets":10001}],"keys":["a"],"buckets":10}',
      ]) {
        const response = await server.app.request(apiPaths.series(), { method: 'POST', body, headers: { 'content-type': 'application/json' } });
        expect(response.status, body).toBe(400);
      }
    });
  });

  it('lists runs with filters, sorting and cursor pages', async () => {
    for (let i = 0; i < 5; i++) {
      const records = runRecords(`run${i}`, [{ acc: i / 10 }], { exitCode: i === 4 ? 1 : 0 });
      records.splice(2, 0, { t: 'config', update: { lr: i * 0.01, arch: i % 2 ? 'cnn' : 'mlp' } });
      if (i === 2) records.splice(2, 0, { t: 'run_update', tags: ['best'] });
      await post(`run${i}`, 0, records);
    }
    const list = (query: string) => getJson<RunPage>(`${apiPaths.runs('local', 'proj')}?${query}`);
    expect((await list('state=failed')).runs.map((r) => r.id)).toEqual(['run4']);
    expect((await list('tags=best')).runs.map((r) => r.id)).toEqual(['run2']);
    expect((await list('sort=summary.acc&order=asc')).runs.map((r) => r.id)).toEqual(['run0', 'run1', 'run2', 'run3', 'run4']);
    const filter = encodeURIComponent(JSON.stringify([{ field: 'config.lr', op: '>=', value: 0.02 }, { field: 'config.arch', op: '=', value: 'mlp' }]));
    expect((await list(`filter=${filter}&sort=config.lr&order=desc`)).runs.map((r) => r.id)).toEqual(['run4', 'run2']);
    expect((await list('search=RUN3')).runs.map((r) => r.id)).toEqual(['run3']);
    const first = await list('sort=name&order=asc&limit=2');
    expect(first.runs.map((r) => r.id)).toEqual(['run0', 'run1']);
    const second = await list(`sort=name&order=asc&limit=2&cursor=${first.nextCursor}`);
    expect(second.runs.map((r) => r.id)).toEqual(['run2', 'run3']);
    const third = await list(`sort=name&order=asc&limit=2&cursor=${second.nextCursor}`);
    expect(third.runs.map((r) => r.id)).toEqual(['run4']);
    expect(third.nextCursor).toBeNull();
  });

  it('edits and deletes runs', async () => {
    await post('e1', 0, runRecords('e1', [{ a: 1 }], { exitCode: 0 }));
    const edited = await server.app.request(apiPaths.run('local', 'proj', 'e1'), {
      method: 'PATCH',
      body: JSON.stringify({ name: 'renamed', tags: ['x'], notes: 'n' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(edited.status).toBe(200);
    expect(await getRun('e1')).toMatchObject({ name: 'renamed', tags: ['x'], notes: 'n' });
    const bad = await server.app.request(apiPaths.run('local', 'proj', 'e1'), { method: 'PATCH', body: JSON.stringify({ state: 'finished' }) });
    expect(bad.status).toBe(400);
    expect((await server.app.request(apiPaths.run('local', 'proj', 'e1'), { method: 'DELETE' })).status).toBe(204);
    expect((await server.app.request(apiPaths.run('local', 'proj', 'e1'))).status).toBe(404);
  });

  it('answers series queries with exact M4 buckets over _step and other axes', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({ loss: Math.sin(i / 50) + (i === 1234 ? 10 : 0), nested: { v: i } }));
    const records = runRecords('s1', rows);
    // Several batches, as an uploader sends them.
    for (let start = 0; start < records.length; start += 700) await post('s1', start, records.slice(start, start + 700));
    const query = async (body: object) => {
      const response = await server.app.request(apiPaths.series(), { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
      expect(response.status).toBe(200);
      return (await response.json()) as SeriesResponse;
    };
    const run = { entity: 'local', project: 'proj', id: 's1' };
    const full = await query({ runs: [run], keys: ['loss', 'nested.v'], buckets: 100 });
    const loss = full.series[0]!.buckets;
    expect(loss).toHaveLength(100);
    expect(loss.reduce((n, b) => n + (b?.count ?? 0), 0)).toBe(5000);
    expect(Math.max(...loss.map((b) => b!.max[1]))).toBeCloseTo(10 + Math.sin(1234 / 50), 10);
    expect(loss.find((b) => b!.max[1] > 5)!.max[0]).toBe(1234);
    expect(full.series[1]!.buckets[0]!.first).toEqual([0, 0]);
    expect(full.series[1]!.buckets[99]!.last).toEqual([4999, 4999]);
    const zoom = await query({ runs: [run], keys: ['loss'], buckets: 10, range: [1200, 1300] });
    expect(zoom.series[0]!.buckets.reduce((n, b) => n + (b?.count ?? 0), 0)).toBe(101);
    const byRuntime = await query({ runs: [run], keys: ['loss'], buckets: 50, x: '_runtime' });
    expect(byRuntime.series[0]!.buckets.reduce((n, b) => n + (b?.count ?? 0), 0)).toBe(5000);
    expect(byRuntime.series[0]!.buckets[49]!.last[0]).toBe(4999 * 0.5);
    const missing = await query({ runs: [{ ...run, id: 'nope' }], keys: ['loss'], buckets: 5 });
    expect(missing.series[0]!.buckets).toEqual([]);
    // The binary answer holds the same numbers, empty buckets and missing series included.
    const request = { runs: [run, { ...run, id: 'nope' }], keys: ['loss', 'nested.v'], buckets: 300, range: [0, 6000] as [number, number] };
    const json = await query(request);
    const binary = await server.app.request(apiPaths.series(), { method: 'POST', body: JSON.stringify({ ...request, format: 'binary' }), headers: { 'content-type': 'application/json' } });
    expect(binary.headers.get('content-type')).toBe('application/octet-stream');
    const decoded = decodeSeriesBinary(await binary.arrayBuffer(), request);
    expect(decoded).toEqual(json);
    expect(decoded.series[0]!.buckets.some((b) => b === null)).toBe(true);
    expect(((await getRun('s1')) as RunInfo).historyRows).toBe(5000);
  });
});

describe.each(engines)('ingest results match between batchings on $name', (engine) => {
  it('summary and series are the same whether a log arrives in one batch or many', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => ({ x: (i * 7919) % 101, y: { z: i } }));
    const records = runRecords('b', rows, { exitCode: 0 });
    records.splice(2, 0, { t: 'metric', definition: { name: 'x', summary: ['min', 'max', 'mean'] }, overwrite: false });
    const results: unknown[] = [];
    for (const size of [records.length, 1, 17]) {
      const server = await openTestServer(engine);
      try {
        for (let start = 0; start < records.length; start += size) {
          const response = await server.app.request(`${apiPaths.records('local', 'proj', 'b')}?writer=w1&first=${start}`, { method: 'POST', body: logBody(records.slice(start, start + size)) });
          expect(((await response.json()) as IngestResult).nextIndex).toBe(Math.min(start + size, records.length));
        }
        const run = (await (await server.app.request(apiPaths.run('local', 'proj', 'b'))).json()) as RunInfo;
        const series = await (await server.app.request(apiPaths.series(), { method: 'POST', body: JSON.stringify({ runs: [{ entity: 'local', project: 'proj', id: 'b' }], keys: ['x', 'y.z'], buckets: 7 }) })).json();
        results.push({ summary: run.summary, series });
      } finally {
        await server.dispose();
      }
    }
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
    expect((results[0] as { summary: { x: { min: number; max: number } } }).summary.x).toMatchObject({ min: 0, max: 100 });
  });
});
