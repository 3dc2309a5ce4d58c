import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiPaths, isCairnError, type HistoryPage, type RunInfo } from '@cairn/protocol';
import { finish, init, run as activeRun, storeApiKey, uploadRunDirectory } from '@cairn/sdk';
import { createApiKey, startServer, type RunningServer } from '@cairn/server';

const here = path.dirname(fileURLToPath(import.meta.url));
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-online-'));
  dirs.push(dir);
  return dir;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function serverRun(server: RunningServer, id: string, project = 'e2e'): Promise<RunInfo | undefined> {
  const response = await fetch(`${server.url}${apiPaths.run('local', project, id)}`);
  return response.status === 200 ? ((await response.json()) as RunInfo) : undefined;
}

async function serverSteps(server: RunningServer, id: string, project = 'e2e'): Promise<number[]> {
  const page = (await (await fetch(`${server.url}${apiPaths.history('local', project, id)}?limit=100000`)).json()) as HistoryPage;
  return page.rows.map((row) => row._step as number);
}

const contiguous = (n: number) => Array.from({ length: n }, (_, i) => i);

let servers: RunningServer[] = [];
beforeEach(() => {
  servers = [];
});
afterEach(async () => {
  if (activeRun) await finish();
  for (const server of servers) await server.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start(options: { port?: number; heartbeatTimeoutSeconds?: number } = {}): Promise<RunningServer> {
  const server = await startServer({ port: options.port ?? 0, dataDir: tempDir(), quiet: true, heartbeatTimeoutSeconds: options.heartbeatTimeoutSeconds });
  servers.push(server);
  return server;
}

describe('online runs', () => {
  it('stream to the server while they train, and finish synced with a URL', async () => {
    const server = await start();
    const run = await init({ baseUrl: server.url, project: 'e2e', dir: tempDir(), silent: true, config: { lr: 0.1 } });
    expect(run.mode).toBe('online');
    expect(run.entity).toBe('local');
    expect(run.url).toBe(`${server.url}/local/e2e/runs/${run.id}`);
    expect(run.getSweepUrl()).toBe('');
    for (let i = 0; i < 50; i++) run.log({ loss: 1 / (i + 1) });
    // Before finish: the rows arrive on their own.
    const live = await until('rows on the server', async () => ((await serverRun(server, run.id))?.historyRows === 50 ? true : undefined));
    expect(live).toBe(true);
    expect((await serverRun(server, run.id))!.state).toBe('running');
    run.log({ loss: 0.01 });
    await run.finish();
    const done = (await serverRun(server, run.id))!;
    expect(done).toMatchObject({ state: 'finished', exitCode: 0, historyRows: 51, config: { lr: 0.1 }, summary: { loss: 0.01 } });
    expect(await serverSteps(server, run.id)).toEqual(contiguous(51));
    expect(readdirSync(run.runDir!).some((f) => f.endsWith('.synced'))).toBe(true);
  });

  it('keep logging while the server is down, and catch up when it returns', async () => {
    const port = await freePort();
    const run = await init({ baseUrl: `http://127.0.0.1:${port}`, project: 'e2e', dir: tempDir(), silent: true });
    for (let i = 0; i < 30; i++) run.log({ x: i });
    const server = await start({ port });
    for (let i = 30; i < 60; i++) run.log({ x: i });
    await until('the upload to catch up', async () => ((await serverRun(server, run.id))?.historyRows === 60 ? true : undefined));
    await run.finish();
    expect(await serverSteps(server, run.id)).toEqual(contiguous(60));
    expect((await serverRun(server, run.id))!.state).toBe('finished');
  });

  it('finish() gives up after its timeout, says to sync, and a later sync completes without duplicates', async () => {
    const port = await freePort();
    const messages: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (messages.push(String(chunk)), true)) as typeof process.stderr.write;
    let runDir: string;
    let id: string;
    try {
      const run = await init({ baseUrl: `http://127.0.0.1:${port}`, project: 'e2e', dir: tempDir(), finishTimeout: 0.5 });
      for (let i = 0; i < 10; i++) run.log({ x: i });
      await run.finish();
      runDir = run.runDir!;
      id = run.id;
    } finally {
      process.stderr.write = write;
    }
    expect(messages.join('')).toMatch(/did not finish within 0\.5s.*npx cairn sync/);
    const server = await start({ port });
    const result = await uploadRunDirectory(runDir, { baseUrl: server.url });
    expect(result.finished).toBe(true);
    expect(await serverSteps(server, id)).toEqual(contiguous(10));
    expect((await uploadRunDirectory(runDir, { baseUrl: server.url })).records).toBe(0);
  });

  it("resume: 'must' continues a run the server has, from another machine's directory", async () => {
    const server = await start();
    const first = await init({ baseUrl: server.url, project: 'e2e', dir: tempDir(), silent: true, id: 'shared-run', config: { lr: 0.1 } });
    for (let i = 0; i < 5; i++) first.log({ loss: 5 - i });
    await first.finish(1);
    const second = await init({ baseUrl: server.url, project: 'e2e', dir: tempDir(), silent: true, id: 'shared-run', resume: 'must' });
    expect(second.resumed).toBe(true);
    expect(second.startingStep).toBe(5);
    expect(second.config.lr).toBe(0.1);
    expect(second.summary.loss).toBe(1);
    second.log({ loss: 0.5 });
    await second.finish();
    expect(await serverSteps(server, 'shared-run')).toEqual(contiguous(6));
    expect((await serverRun(server, 'shared-run'))!.state).toBe('finished');
    const error = await init({ baseUrl: server.url, project: 'e2e', dir: tempDir(), silent: true, id: 'nobody', resume: 'must' }).catch((e: unknown) => e);
    expect(isCairnError(error, 'run_not_found')).toBe(true);
    expect((error as Error).message).toMatch(/nobody.*on http/);
  });
});

describe('online runs against a server that requires API keys', () => {
  it('use the key cairn login stored for that server, and log under its user', async () => {
    const server = await start();
    const { key } = await createApiKey(server.store.db, 'alice');
    const config = tempDir();
    storeApiKey(server.url, key, 'alice', { CAIRN_CONFIG_DIR: config });
    const saved = process.env.CAIRN_CONFIG_DIR;
    process.env.CAIRN_CONFIG_DIR = config;
    try {
      const run = await init({ baseUrl: server.url, project: 'e2e', dir: tempDir(), silent: true });
      expect(run.entity).toBe('alice');
      run.log({ loss: 1 });
      await run.finish();
      const answer = await fetch(`${server.url}${apiPaths.run('alice', 'e2e', run.id)}`, { headers: { authorization: `Bearer ${key}` } });
      expect(((await answer.json()) as RunInfo).historyRows).toBe(1);
      expect((await fetch(`${server.url}${apiPaths.run('alice', 'e2e', run.id)}`)).status).toBe(401);
    } finally {
      if (saved === undefined) delete process.env.CAIRN_CONFIG_DIR;
      else process.env.CAIRN_CONFIG_DIR = saved;
    }
  });
});

describe('online runs in their own process', () => {
  function startChild(server: RunningServer, env: Record<string, string> = {}): { child: ChildProcess; lines: Array<Record<string, unknown>>; exited: Promise<{ code: number | null; signal: string | null }> } {
    const cwd = tempDir();
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', path.join(here, 'fixtures', 'online-child.ts')], {
      cwd: path.join(here, '..'),
      env: { ...process.env, CAIRN_BASE_URL: server.url, CAIRN_DIR: cwd, CAIRN_MODE: 'online', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines: Array<Record<string, unknown>> = [];
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        lines.push(JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>);
        buffer = buffer.slice(nl + 1);
      }
    });
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    return { child, lines, exited };
  }

  it('a script that ends without finish() still uploads everything before it exits', async () => {
    const server = await start();
    const { lines, exited } = startChild(server, { FIXTURE_ROWS: '40' });
    const { code } = await exited;
    expect(code).toBe(0);
    const id = lines[0]!.id as string;
    expect(await serverRun(server, id)).toMatchObject({ state: 'finished', exitCode: 0, historyRows: 40 });
    expect(await serverSteps(server, id)).toEqual(contiguous(40));
  });

  it('a run stopped from the API is interrupted and ends killed', async () => {
    const server = await start();
    const { lines, exited } = startChild(server);
    const id = await until('the child to start', async () => lines[0]?.id as string | undefined);
    await until('rows on the server', async () => (((await serverRun(server, id))?.historyRows ?? 0) > 10 ? true : undefined));
    const stop = await fetch(`${server.url}${apiPaths.stop('local', 'e2e', id)}`, { method: 'POST' });
    expect(stop.status).toBe(200);
    const { signal } = await exited;
    expect(signal).toBe('SIGINT');
    const run = (await serverRun(server, id))!;
    expect(run.state).toBe('killed');
    expect(run.exitCode).toBe(255);
    expect(await serverSteps(server, id)).toEqual(contiguous(run.historyRows));
  });

  it('kill -9 leaves the run crashed with what was uploaded, and cairn sync adds the rest once', async () => {
    const server = await start({ heartbeatTimeoutSeconds: 1 });
    const { child, lines, exited } = startChild(server);
    const id = await until('the child to start', async () => lines[0]?.id as string | undefined);
    await until('rows on the server', async () => (((await serverRun(server, id))?.historyRows ?? 0) > 20 ? true : undefined));
    child.kill('SIGKILL');
    await exited;
    const crashed = await until('the run to read as crashed', async () => ((await serverRun(server, id))?.state === 'crashed' ? true : undefined));
    expect(crashed).toBe(true);
    const onServer = await serverSteps(server, id);
    expect(onServer).toEqual(contiguous(onServer.length));
    const dir = lines[0]!.dir as string;
    expect(existsSync(dir)).toBe(true);
    await uploadRunDirectory(dir, { baseUrl: server.url });
    const after = await serverSteps(server, id);
    expect(after.length).toBeGreaterThanOrEqual(onServer.length);
    expect(after).toEqual(contiguous(after.length));
  });
});
