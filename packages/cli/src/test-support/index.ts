/** Helpers of the CLI's tests: captured output, temp directories, real runs, a real server. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { apiPaths, type HistoryPage, type RunInfo } from '@cairn/protocol';
import { init, type Run } from '@cairn/sdk';
import { startServer } from '@cairn/server';
import { main, type CliContext } from '../index.js';

const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A fresh temp directory, removed after the test. */
export function tempDir(prefix = 'cairn-cli-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `cairn <argv>` in-process with captured output; `context` overrides cwd, env, signal… */
export async function cairn(argv: string[], context: Partial<CliContext> = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    env: {},
    ...context,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

/**
 * The real tracking server on a free port over a temp data directory (returned, for commands
 * that open it directly), closed after the test before the directory is removed.
 */
export async function startTestServer(): Promise<{ url: string; dataDir: string; getJson: <T>(route: string) => Promise<T> }> {
  const dataDir = tempDir('cairn-cli-data-');
  const server = await startServer({ port: 0, host: '127.0.0.1', dataDir, quiet: true });
  cleanups.push(() => server.close());
  const getJson = async <T>(route: string): Promise<T> => {
    const response = await fetch(server.url + route);
    if (!response.ok) throw new Error(`GET ${route}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  return { url: server.url, dataDir, getJson };
}

/** An offline run under `root/cairn` with `rows` history rows and a summary value; finished unless told. */
export async function offlineRun(root: string, rows: number, options: { finish?: boolean; project?: string } = {}): Promise<Run> {
  const run = await init({ mode: 'offline', dir: root, silent: true, project: options.project ?? 'cli-test', reinit: true });
  for (let step = 0; step < rows; step++) run.log({ loss: 1 / (step + 1), text: 'x'.repeat(64) });
  run.summary.best = 0.25;
  if (options.finish ?? true) await run.finish();
  else run.flush();
  return run;
}

/** Every history row of a run on the server, following cursors. */
export async function serverHistory(
  getJson: <T>(route: string) => Promise<T>,
  entity: string,
  project: string,
  id: string,
): Promise<Array<Record<string, unknown>>> {
  const rows: Array<Record<string, unknown>> = [];
  let cursor: string | null = '0';
  while (cursor !== null) {
    const page: HistoryPage = await getJson<HistoryPage>(`${apiPaths.history(entity, project, id)}?cursor=${cursor}&limit=100`);
    rows.push(...page.rows);
    cursor = page.nextCursor;
  }
  return rows;
}

export function serverRun(getJson: <T>(route: string) => Promise<T>, entity: string, project: string, id: string): Promise<RunInfo> {
  return getJson<RunInfo>(apiPaths.run(entity, project, id));
}
