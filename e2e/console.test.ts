/**
 * A run's console output, end to end: real child processes print to stdout and stderr; their
 * files/output.log reaches a real server while the run is live (re-sent as it grows), whole
 * at finish, and through `cairn sync`'s upload for an offline run; `Api` downloads it equal to
 * the local file.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileList, RunInfo } from '@cairn/protocol';
import { Api, uploadRunDirectory } from '@cairn/sdk';
import { startServer, type RunningServer } from '@cairn/server';

const here = path.dirname(fileURLToPath(import.meta.url));
let server: RunningServer;
let tempRoot: string;

beforeAll(async () => {
  tempRoot = mkdtempSync(path.join(os.tmpdir(), 'cairn-e2e-console-'));
  server = await startServer({ port: 0, dataDir: path.join(tempRoot, 'server'), quiet: true });
});

afterAll(async () => {
  await server?.close();
  if (tempRoot) rmSync(tempRoot, { recursive: true, force: true });
});

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts e2e/fixtures/console-child.ts; resolves its run once it has said which one. */
function startChild(env: Record<string, string>) {
  const dir = mkdtempSync(path.join(tempRoot, 'runs-'));
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', path.join(here, 'fixtures', 'console-child.ts')], {
    cwd: path.join(here, '..'),
    env: { ...process.env, CAIRN_DIR: dir, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.resume();
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const started = until('the child to start its run', async () => {
    const first = stdout.split('\n')[0];
    return stdout.includes('\n') && first ? (JSON.parse(first) as { id: string; dir: string }) : undefined;
  });
  return { started, exited, stop: () => child.stdin!.write('stop\n'), kill: () => child.kill('SIGKILL') };
}

const localLog = (runDir: string) => readFileSync(path.join(runDir, 'files', 'output.log'), 'utf8');

async function serverText(id: string, file: string): Promise<string | undefined> {
  const response = await fetch(`${server.url}/api/v1/projects/local/console/runs/${id}/files/${file}`);
  return response.status === 200 ? response.text() : undefined;
}

describe('console output', { timeout: 90_000 }, () => {
  it('an online run sends output.log while it runs, as it grows, and whole at finish', async () => {
    const child = startChild({ CAIRN_BASE_URL: server.url, CAIRN_MODE: 'online' });
    try {
      const { id, dir } = await child.started;
      // Live: the first ticks arrive while the run is still running, stderr lines marked.
      const early = await until('output.log with tick 3 on the server', async () => {
        const text = await serverText(id, 'output.log');
        return text?.includes('tick 3\n') ? text : undefined;
      });
      // Everything the program printed, from its first line on.
      expect(early.startsWith(`${JSON.stringify({ id, dir })}\ntick 0\ntick 1\ntick 2\nERROR warning: tick 2 was slow\ntick 3\n`)).toBe(true);
      const runInfo = (await (await fetch(`${server.url}/api/v1/projects/local/console/runs/${id}`)).json()) as RunInfo;
      expect(runInfo.state).toBe('running');
      // …and again as it grows.
      const later = await until('a longer output.log on the server', async () => {
        const text = await serverText(id, 'output.log');
        return text && text.length > early.length + 40 ? text : undefined;
      });
      expect(later.startsWith(early)).toBe(true);

      child.stop();
      expect(await child.exited).toBe(0);
      const local = localLog(dir);
      expect(local).toMatch(/\ngoodbye\n$/);
      expect(await serverText(id, 'output.log')).toBe(local);
      const files = (await (await fetch(`${server.url}/api/v1/projects/local/console/runs/${id}/files`)).json()) as FileList;
      expect(files.files.map((file) => file.path)).toContain('output.log');
      // Nothing left for `cairn sync` to send.
      expect(await uploadRunDirectory(dir, { baseUrl: server.url })).toMatchObject({ records: 0, files: 0, finished: true });
    } finally {
      child.kill();
    }
  });

  it("an offline run's output.log is uploaded by cairn sync's upload, and Api downloads it", async () => {
    const child = startChild({ CAIRN_MODE: 'offline', FIXTURE_TICKS: '6' });
    const { id, dir } = await child.started;
    expect(await child.exited).toBe(0);
    const local = localLog(dir);
    expect(local).toBe(
      [JSON.stringify({ id, dir }), 'tick 0', 'tick 1', 'tick 2', 'ERROR warning: tick 2 was slow', 'tick 3', 'tick 4', 'tick 5', 'ERROR warning: tick 5 was slow', 'goodbye', ''].join('\n'),
    );
    const result = await uploadRunDirectory(dir, { baseUrl: server.url });
    expect(result).toMatchObject({ finished: true, filesNotSent: [] });
    const file = await (await new Api({ baseUrl: server.url }).run(`local/console/${id}`)).file('output.log');
    expect(await file.text()).toBe(local);
  });
});
