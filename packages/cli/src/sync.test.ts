import { cpSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSynced, uploadRunDirectory } from '@cairn/sdk';
import { cairn, offlineRun, serverHistory, serverRun, startTestServer, tempDir } from './test-support/index.js';

/** Steps of rows, to check each arrived exactly once. */
function steps(rows: Array<Record<string, unknown>>): unknown[] {
  return rows.map((row) => row._step);
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('cairn sync against the real server', () => {
  it('uploads an offline run once; a second sync sends nothing and says so', async () => {
    const { url, getJson } = await startTestServer();
    const root = tempDir();
    const run = await offlineRun(root, 50);
    const dir = path.join(root, 'cairn');

    const first = await cairn(['sync', dir, '--base-url', url]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const records = first.stdout.match(/: (\d+) new records → /)?.[1];
    expect(Number(records)).toBeGreaterThan(50);
    expect(first.stdout).toContain(`${url}/local/cli-test/runs/${run.id}\n`);
    expect(first.stdout).toMatch(new RegExp(`sync to ${url}: 1 run uploaded \\(${records} new records\\)\\n$`));
    expect(isSynced(run.runDir!)).toBe(true);

    const second = await cairn(['sync', dir, '--base-url', url]);
    expect(second).toEqual({ code: 0, stdout: `sync to ${url}: nothing new to upload; 1 run skipped as already synced (--include-synced checks them again)\n`, stderr: '' });
    const forced = await cairn(['sync', dir, '--base-url', url, '--include-synced']);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/: up to date → .*\nsync to .*: nothing new to upload; 1 run already up to date\n$/);

    const info = await serverRun(getJson, 'local', 'cli-test', run.id);
    expect(info).toMatchObject({ state: 'finished', exitCode: 0, historyRows: 50, lastStep: 49 });
    expect(info.summary).toMatchObject({ best: 0.25, loss: 1 / 50, _step: 49 });
    const rows = await serverHistory(getJson, 'local', 'cli-test', run.id);
    expect(steps(rows)).toEqual(range(50));
    expect(rows[7]).toMatchObject({ loss: 1 / 8, text: 'x'.repeat(64) });
  });

  it('a run killed mid-upload and synced again has every row exactly once', async () => {
    const { url, getJson } = await startTestServer();
    const root = tempDir();
    const run = await offlineRun(root, 400);
    const controller = new AbortController();
    const aborted = uploadRunDirectory(run.runDir!, {
      baseUrl: url,
      batchBytes: 4096,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.nextIndex > 0) controller.abort();
      },
    });
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    const partial = await serverRun(getJson, 'local', 'cli-test', run.id);
    expect(partial.historyRows).toBeGreaterThan(0);
    expect(partial.historyRows).toBeLessThan(400);
    expect(isSynced(run.runDir!)).toBe(false);

    const result = await cairn(['sync', run.runDir!, '--base-url', url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/: \d+ new records → /);
    const rows = await serverHistory(getJson, 'local', 'cli-test', run.id);
    expect(steps(rows)).toEqual(range(400));
    expect(await serverRun(getJson, 'local', 'cli-test', run.id)).toMatchObject({ historyRows: 400, state: 'finished' });
  });

  it('an unfinished run is uploaded but not marked synced, and its rest follows later', async () => {
    const { url, getJson } = await startTestServer();
    const root = tempDir();
    // A copy of the run directory taken while the run is still going: its log has no exit record.
    const run = await offlineRun(root, 20, { finish: false });
    const snapshot = tempDir();
    cpSync(run.runDir!, path.join(snapshot, path.basename(run.runDir!)), { recursive: true });
    for (let step = 20; step < 30; step++) run.log({ loss: 1 / (step + 1) });
    await run.finish();

    const early = await cairn(['sync', snapshot, '--base-url', url]);
    expect(early.code).toBe(0);
    expect(early.stdout).toMatch(/new records → .* \(not finished yet: sync again after it ends\)\n.*1 run not finished yet\n$/);
    expect(isSynced(path.join(snapshot, path.basename(run.runDir!)))).toBe(false);
    expect(await serverRun(getJson, 'local', 'cli-test', run.id)).toMatchObject({ historyRows: 20, state: 'running' });

    const late = await cairn(['sync', root, '--base-url', url]);
    expect(late.code).toBe(0);
    expect(isSynced(run.runDir!)).toBe(true);
    expect(steps(await serverHistory(getJson, 'local', 'cli-test', run.id))).toEqual(range(30));
    expect(await serverRun(getJson, 'local', 'cli-test', run.id)).toMatchObject({ historyRows: 30, state: 'finished' });
  });

  it('syncs every run under ./cairn by default, oldest first', async () => {
    const { url, getJson } = await startTestServer();
    const root = tempDir();
    const older = await offlineRun(root, 3, { project: 'a' });
    const newer = await offlineRun(root, 4, { project: 'b' });
    const result = await cairn(['sync'], { cwd: root, env: { CAIRN_BASE_URL: url } });
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain(`/a/runs/${older.id}`);
    expect(lines[1]).toContain(`/b/runs/${newer.id}`);
    expect(lines[0]).toMatch(/^cairn\/offline-run-/);
    expect(lines[2]).toMatch(/: 2 runs uploaded/);
    expect((await serverRun(getJson, 'local', 'b', newer.id)).historyRows).toBe(4);
  });

  it('draws a progress line on a terminal and clears it before the result', async () => {
    const { url } = await startTestServer();
    const root = tempDir();
    await offlineRun(root, 5);
    let stderr = '';
    let stdout = '';
    const { main } = await import('./index.js');
    const code = await main(['sync', '--base-url', url], {
      cwd: root,
      env: {},
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text), isTTY: true, columns: 100 },
    });
    expect(code).toBe(0);
    // Each frame starts with a carriage return and erase-line; the last one only erases.
    const frames = stderr.split('\r\u001b[K');
    expect(frames[0]).toBe('');
    expect(frames.at(-1)).toBe('');
    expect(frames[1]).toMatch(/^cairn\/offline-run-\S+ ░{24} {3}0% 0 B\/\d+\.\d KB$/);
    expect(frames.at(-2)).toMatch(/^cairn\/offline-run-\S+ █{24} 100% (\d+\.\d KB)\/\1$/);
    expect(stdout).toMatch(/new records/);
  });
});
