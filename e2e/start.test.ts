import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import type { RunPage } from '@cairn/protocol';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

it("the README's start command serves an empty store and fills it with a live quickstart run", { timeout: 90_000 }, async () => {
  const data = mkdtempSync(path.join(os.tmpdir(), 'cairn-start-'));
  const work = mkdtempSync(path.join(os.tmpdir(), 'cairn-start-work-'));
  dirs.push(data, work);
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'scripts/start.ts'], {
    cwd: root,
    // The demo's length, shortened: 12 epochs (312 rows), 10 ms after each training step.
    env: { ...process.env, PORT: '0', CAIRN_DATA: data, CAIRN_DIR: work, CAIRN_SILENT: '1', QUICKSTART_EPOCHS: '12', QUICKSTART_STEP_MS: '10' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 60_000;
    // While the quickstart trains, the store shows it running with some of its rows: live.
    const seen: Array<{ state: string; rows: number }> = [];
    while (!/quickstart run is in the store/.test(output)) {
      if (Date.now() > deadline) throw new Error(`start did not finish the quickstart:\n${output}`);
      const running = /Cairn is running at (http:\/\/\S+)/.exec(output);
      if (running) {
        const page = (await (await fetch(`${running[1]}/api/v1/projects/local/quickstart/runs`)).json()) as RunPage;
        const run = page.runs[0];
        if (run) seen.push({ state: run.state, rows: run.historyRows });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(seen.some((s) => s.state === 'running' && s.rows > 0 && s.rows < 312), `the run as the store showed it meanwhile: ${JSON.stringify(seen)}`).toBe(true);
    const url = /Cairn is running at (http:\/\/\S+)/.exec(output)![1]!;
    const page = (await (await fetch(`${url}/api/v1/projects/local/quickstart/runs`)).json()) as RunPage;
    expect(page.runs).toHaveLength(1);
    expect(page.runs[0]).toMatchObject({ state: 'finished', historyRows: 312 });
  } finally {
    child.kill('SIGINT');
  }
  expect(await exited).toBe(0);
});
