/**
 * The SDK's query client against the real server: runs made by the SDK offline, uploaded
 * with the uploader into a server on port 0, then read back, filtered, paged, sampled,
 * scanned, edited and deleted through `Api`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, ApiRun, CairnError, init, uploadRunDirectory } from '@cairn/sdk';
import { startServer, type RunningServer } from '@cairn/server';

let server: RunningServer;
let tempRoot: string;
let api: Api;

interface RunSpec {
  project: string;
  id: string;
  name: string;
  config: Record<string, unknown>;
  tags?: string[];
  group?: string;
  jobType?: string;
  rows: Array<Record<string, unknown>>;
  exitCode?: number;
}

/** A real SDK run, offline in its own directory, then uploaded to the test server. */
async function makeRun(spec: RunSpec): Promise<void> {
  const run = await init({
    mode: 'offline',
    silent: true,
    dir: mkdtempSync(path.join(tempRoot, `${spec.id}-`)),
    project: spec.project,
    id: spec.id,
    name: spec.name,
    config: spec.config,
    tags: spec.tags,
    group: spec.group,
    jobType: spec.jobType,
  });
  for (const row of spec.rows) run.log(row);
  await run.finish(spec.exitCode ?? 0);
  const result = await uploadRunDirectory(run.runDir!, { baseUrl: server.url });
  expect(result.finished).toBe(true);
}

/** `loss` on every step, `acc` on every tenth. */
const curve = (n: number, scale = 1) => Array.from({ length: n }, (_, i) => (i % 10 === 0 ? { loss: scale / (i + 1), acc: i / n } : { loss: scale / (i + 1) }));

/** A fetch that records the routes it was asked for (and their headers). */
function recordingFetch() {
  const calls: Array<{ url: string; method: string; headers: Record<string, string> }> = [];
  const fetchFn: typeof fetch = (input, init) => {
    calls.push({ url: String(input), method: init?.method ?? 'GET', headers: (init?.headers ?? {}) as Record<string, string> });
    return fetch(input, init);
  };
  return { calls, fetch: fetchFn };
}

beforeAll(async () => {
  tempRoot = mkdtempSync(path.join(os.tmpdir(), 'cairn-e2e-api-'));
  server = await startServer({ port: 0, dataDir: path.join(tempRoot, 'server'), quiet: true });
  api = new Api({ baseUrl: server.url });
  // Ids sort in creation order, so the created-order assertions hold even on a clock tie.
  await makeRun({ project: 'vision', id: 'v1', name: 'alpha', config: { lr: 0.1, opt: 'sgd' }, tags: ['baseline'], group: 'g1', jobType: 'train', rows: curve(30) });
  await makeRun({ project: 'vision', id: 'v2', name: 'beta', config: { lr: 0.01, opt: 'adam' }, tags: ['baseline', 'sweep'], group: 'g1', jobType: 'train', rows: curve(40, 0.5) });
  await makeRun({ project: 'vision', id: 'v3', name: 'gamma', config: { lr: 0.001, opt: 'adam' }, tags: ['sweep'], group: 'g2', jobType: 'eval', rows: curve(20, 2) });
  await makeRun({ project: 'vision', id: 'v4', name: 'delta', config: { lr: 0.05, opt: 'sgd' }, group: 'g2', jobType: 'train', rows: curve(10, 1.5), exitCode: 1 });
  await makeRun({ project: 'vision', id: 'v5', name: 'long', config: { lr: 0.2, opt: 'sgd' }, jobType: 'train', rows: curve(1001) });
  await makeRun({ project: 'nlp', id: 'n1', name: 'bert', config: { lr: 0.3 }, rows: curve(5) });
  await makeRun({ project: 'scratch', id: 's1', name: 'to-edit', config: {}, tags: ['old'], rows: curve(3) });
  await makeRun({ project: 'scratch', id: 's2', name: 'to-delete', config: {}, rows: curve(3) });
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (tempRoot) rmSync(tempRoot, { recursive: true, force: true });
});

const ids = (runs: ApiRun[]) => runs.map((run) => run.id);

describe('Api against a real server', () => {
  it('lists projects with their run counts', async () => {
    const projects = await api.projects();
    expect(projects.map(({ entity, name, runCount }) => ({ entity, name, runCount })).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { entity: 'local', name: 'nlp', runCount: 1 },
      { entity: 'local', name: 'scratch', runCount: 2 },
      { entity: 'local', name: 'vision', runCount: 5 },
    ]);
    expect((await api.projects('local')).length).toBe(3);
    expect(await api.projects('someone-else')).toEqual([]);
  });

  it('pages runs lazily, perPage at a time, oldest first by default', async () => {
    const recording = recordingFetch();
    const client = new Api({ baseUrl: server.url, fetch: recording.fetch });
    const runs = client.runs('local/vision', { perPage: 2 });
    expect(recording.calls).toHaveLength(0);

    const firstTwo: string[] = [];
    for await (const run of runs) {
      firstTwo.push(run.id);
      if (firstTwo.length === 2) break;
    }
    expect(firstTwo).toEqual(['v1', 'v2']);
    expect(recording.calls).toHaveLength(1);

    recording.calls.length = 0;
    const all = await runs.toArray();
    expect(ids(all)).toEqual(['v1', 'v2', 'v3', 'v4', 'v5']);
    expect(recording.calls.map((call) => new URL(call.url).searchParams.get('limit'))).toEqual(['2', '2', '2']);
    expect(recording.calls.filter((call) => new URL(call.url).searchParams.has('cursor'))).toHaveLength(2);
    expect(all.every((run) => run instanceof ApiRun)).toBe(true);

    expect(ids(await client.runs('local/vision', { order: '-created', perPage: 2 }).toArray())).toEqual(['v5', 'v4', 'v3', 'v2', 'v1']);
    // 'project' alone means the server's default entity.
    expect(ids(await client.runs('vision', { perPage: 3 }).toArray())).toEqual(['v1', 'v2', 'v3', 'v4', 'v5']);
  });

  it('filters by state, tags, group, job type, name search and config/summary conditions', async () => {
    const find = async (filters: Parameters<Api['runs']>[1]) => ids(await api.runs('local/vision', { perPage: 2, ...filters }).toArray());
    expect(await find({ filters: { state: 'failed' } })).toEqual(['v4']);
    expect(await find({ filters: { state: ['finished'] } })).toEqual(['v1', 'v2', 'v3', 'v5']);
    expect(await find({ filters: { tags: ['baseline'] } })).toEqual(['v1', 'v2']);
    expect(await find({ filters: { tags: ['baseline', 'sweep'] } })).toEqual(['v2']);
    expect(await find({ filters: { group: 'g2' } })).toEqual(['v3', 'v4']);
    expect(await find({ filters: { jobType: 'eval' } })).toEqual(['v3']);
    expect(await find({ filters: { search: 'AMM' } })).toEqual(['v3']);
    expect(await find({ filters: { where: [{ field: 'config.lr', op: '<', value: 0.05 }] } })).toEqual(['v2', 'v3']);
    expect(await find({ filters: { where: [{ field: 'config.opt', op: '=', value: 'sgd' }, { field: 'config.lr', op: '>=', value: 0.1 }] } })).toEqual(['v1', 'v5']);
    expect(await find({ filters: { jobType: 'train', where: [{ field: 'summary.loss', op: '<', value: 0.02 }] } })).toEqual(['v2', 'v5']);
    // The reference's snake_case option names.
    expect(ids(await api.runs('local/vision', { per_page: 1, filters: { job_type: 'eval' } } as never).toArray())).toEqual(['v3']);
  });

  it('orders by config and summary values, either way', async () => {
    const order = async (by: string) => ids(await api.runs('local/vision', { order: by, perPage: 2 }).toArray());
    expect(await order('config.lr')).toEqual(['v3', 'v2', 'v4', 'v1', 'v5']);
    expect(await order('-config.lr')).toEqual(['v5', 'v1', 'v4', 'v2', 'v3']);
    // The summary holds each run's last logged loss.
    const lastLoss = { v1: 1 / 30, v2: 0.5 / 40, v3: 2 / 20, v4: 1.5 / 10, v5: 1 / 1001 };
    const byLoss = Object.entries(lastLoss).sort((a, b) => a[1] - b[1]).map(([id]) => id);
    expect(await order('+summary.loss')).toEqual(byLoss);
    expect(await order('-summary_metrics.loss')).toEqual([...byLoss].reverse());
    expect(await order('+created_at')).toEqual(['v1', 'v2', 'v3', 'v4', 'v5']);
    expect(await order('name')).toEqual(['v1', 'v2', 'v4', 'v3', 'v5']);
  });

  it('reads one run with all its fields, by any path form', async () => {
    const run = await api.run('local/vision/v2');
    expect(run).toBeInstanceOf(ApiRun);
    expect(run).toMatchObject({
      entity: 'local',
      project: 'vision',
      id: 'v2',
      name: 'beta',
      state: 'finished',
      exitCode: 0,
      tags: ['baseline', 'sweep'],
      group: 'g1',
      jobType: 'train',
      notes: null,
      lastStep: 39,
      historyRows: 40,
      path: ['local', 'vision', 'v2'],
      url: `${server.url}/local/vision/runs/v2`,
    });
    expect(run.config).toMatchObject({ lr: 0.01, opt: 'adam' });
    expect(run.summary).toMatchObject({ loss: 0.5 / 40, acc: 30 / 40, _step: 39 });
    expect(run.createdAt).toBeGreaterThan(1_600_000_000);
    expect(run.runtime).toBeGreaterThanOrEqual(0);
    // The reference's spellings.
    const aliased = run as unknown as Record<string, unknown>;
    expect(aliased.job_type).toBe('train');
    expect(aliased.created_at).toBe(run.createdAt);
    expect(aliased.last_step).toBe(39);

    for (const path of ['local/vision/runs/v2', 'vision/v2', run.url]) expect((await api.run(path)).id).toBe('v2');
    expect((await api.run('local/vision/v4')).state).toBe('failed');
    expect((await api.run('local/vision/v4')).exitCode).toBe(1);
  });

  it('samples history on the server: the count, the first and last row, the key restriction', async () => {
    const run = await api.run('local/vision/v5');
    const sampled = await run.history();
    expect(sampled).toHaveLength(500);
    expect(sampled[0]).toMatchObject({ _step: 0, loss: 1, acc: 0 });
    expect(sampled.at(-1)).toMatchObject({ _step: 1000, loss: 1 / 1001, acc: 1000 / 1001 });
    const steps = sampled.map((row) => row._step as number);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(new Set(steps).size).toBe(500);

    const eleven = await run.history({ samples: 11 });
    expect(eleven.map((row) => row._step)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(Object.keys(eleven[1]!).sort()).toEqual(['_runtime', '_step', '_timestamp', 'acc', 'loss']);

    const acc = await run.history({ keys: ['acc'], samples: 6 });
    expect(acc).toEqual([0, 200, 400, 600, 800, 1000].map((step) => ({ _step: step, acc: step / 1001 })));
    expect(await run.history({ keys: ['acc'] })).toHaveLength(101);
    // Fewer rows than samples: all of them.
    expect((await (await api.run('local/nlp/n1')).history()).map((row) => row.loss)).toEqual([1, 1 / 2, 1 / 3, 1 / 4, 1 / 5]);
  });

  it('scans every history row once, in step order, across pages', async () => {
    const recording = recordingFetch();
    const run = await new Api({ baseUrl: server.url, fetch: recording.fetch }).run('local/vision/v5');
    recording.calls.length = 0;
    const steps: number[] = [];
    for await (const row of run.scanHistory({ pageSize: 100 })) {
      steps.push(row._step as number);
      expect(row.loss).toBe(1 / ((row._step as number) + 1));
    }
    expect(steps).toEqual(Array.from({ length: 1001 }, (_, i) => i));
    expect(recording.calls.length).toBeGreaterThan(1);

    const accRows = await run.scanHistory({ keys: ['acc'] }).toArray();
    expect(accRows).toHaveLength(101);
    expect(accRows[7]).toEqual({ _step: 70, acc: 70 / 1001 });
    // As the reference: with several keys, only rows that have all of them.
    const both = await run.scanHistory({ keys: ['acc', 'loss'], pageSize: 250 }).toArray();
    expect(both.map((row) => row._step)).toEqual(Array.from({ length: 101 }, (_, i) => i * 10));
    const snake = (run as unknown as { scan_history(options: object): { toArray(): Promise<unknown[]> } }).scan_history({ page_size: 500 });
    expect(await snake.toArray()).toHaveLength(1001);
  });

  it('updates a run on the server and refreshes the object', async () => {
    const run = await api.run('local/scratch/s1');
    const returned = await run.update({ name: 'edited', notes: 'a note', tags: ['new', 'kept'], group: 'grp', jobType: 'jt' });
    expect(returned).toBe(run);
    expect(run).toMatchObject({ name: 'edited', notes: 'a note', tags: ['new', 'kept'], group: 'grp', jobType: 'jt' });
    expect(await api.run('local/scratch/s1')).toMatchObject({ name: 'edited', notes: 'a note', tags: ['new', 'kept'], group: 'grp', jobType: 'jt' });

    // The reference's way: set the fields, then update().
    run.name = 'edited again';
    run.tags = ['only'];
    await run.update();
    const fresh = await api.run('local/scratch/s1');
    expect(fresh).toMatchObject({ name: 'edited again', tags: ['only'], notes: 'a note', group: 'grp' });

    // refresh() picks up another client's edit.
    await fresh.update({ job_type: 'other' } as never);
    expect(run.jobType).toBe('jt');
    await run.refresh();
    expect(run.jobType).toBe('other');

    await expect(run.update({ state: 'killed' } as never)).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringContaining("'state' cannot be edited") });
  });

  it('deletes a run', async () => {
    const run = await api.run('local/scratch/s2');
    await run.delete();
    await expect(api.run('local/scratch/s2')).rejects.toMatchObject({ code: 'run_not_found' });
    expect(ids(await api.runs('local/scratch').toArray())).toEqual(['s1']);
    await expect(run.delete()).rejects.toMatchObject({ code: 'run_not_found' });
    await expect(run.history()).rejects.toMatchObject({ code: 'run_not_found' });
  });

  it("turns the server's coded errors into CairnErrors", async () => {
    const missing = await api.run('local/vision/nope').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(CairnError);
    expect(missing).toMatchObject({ code: 'run_not_found', message: 'no run local/vision/nope' });

    await expect(api.runs('local/vision', { order: '-heartbeat_count' }).toArray()).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('sort must be') });
    await expect(api.runs('local/vision', { filters: { where: [{ field: 'lr', op: '<', value: 1 }] } }).toArray()).rejects.toMatchObject({
      code: 'invalid_argument',
      message: expect.stringContaining('config.<key> or summary.<key>'),
    });
    // Bad arguments are thrown before any request.
    expect(() => api.runs('a/b/c')).toThrow(CairnError);
    await expect(api.run('just-one-part')).rejects.toMatchObject({ code: 'invalid_argument' });
    const run = await api.run('local/vision/v1');
    await expect(run.history({ samples: 0 })).rejects.toMatchObject({ code: 'invalid_argument' });
    expect(() => run.scanHistory({ pageSize: -1 })).toThrow(/pageSize/);
  });

  it('reports a server that is not there as not_available', async () => {
    const gone = await startServer({ port: 0, dataDir: path.join(tempRoot, 'gone'), quiet: true });
    await gone.close();
    const offline = new Api({ baseUrl: gone.url });
    const error = await offline.run('local/vision/v1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CairnError);
    expect(error).toMatchObject({ code: 'not_available', message: expect.stringContaining(`cannot reach the Cairn server at ${gone.url}`) });
    await expect(offline.projects()).rejects.toMatchObject({ code: 'not_available' });
    await expect(offline.runs('local/vision').toArray()).rejects.toMatchObject({ code: 'not_available' });
  });

  it('reads CAIRN_BASE_URL and CAIRN_API_KEY, and sends the key as a bearer token', async () => {
    const saved = { url: process.env.CAIRN_BASE_URL, key: process.env.CAIRN_API_KEY };
    try {
      process.env.CAIRN_BASE_URL = `${server.url}/`;
      process.env.CAIRN_API_KEY = 'secret-key';
      const recording = recordingFetch();
      const client = new Api({ fetch: recording.fetch });
      expect(client.baseUrl).toBe(server.url);
      expect((await client.run('local/vision/v1')).url).toBe(`${server.url}/local/vision/runs/v1`);
      expect(recording.calls[0]!.headers.authorization).toBe('Bearer secret-key');

      delete process.env.CAIRN_BASE_URL;
      delete process.env.CAIRN_API_KEY;
      const defaults = new Api({ fetch: recording.fetch });
      expect(defaults.baseUrl).toBe('http://127.0.0.1:8080');
      recording.calls.length = 0;
      await new Api({ baseUrl: server.url, fetch: recording.fetch }).projects();
      expect(recording.calls[0]!.headers.authorization).toBeUndefined();
    } finally {
      for (const [name, value] of [['CAIRN_BASE_URL', saved.url], ['CAIRN_API_KEY', saved.key]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
