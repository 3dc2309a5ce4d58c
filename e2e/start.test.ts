import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { RunPage, SeriesRequest, SeriesResponse } from '@cairn/protocol';
import { chromiumMissing, launchChromium, screenshots } from './browser/support.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The x-range's end of a panel's chart, or undefined before it is drawn. */
async function chartEnd(page: Page, key: string): Promise<number | undefined> {
  const end = await page.locator(`[data-testid="panel"][data-key="${key}"] [data-testid="chart"]`).getAttribute('data-x-max', { timeout: 100 }).catch(() => null);
  return end === null ? undefined : Number(end);
}

it("the README's start command serves an empty store and fills it with a live quickstart run, whose charts grow in the browser", { timeout: 120_000 }, async () => {
  const data = mkdtempSync(path.join(os.tmpdir(), 'cairn-start-'));
  const work = mkdtempSync(path.join(os.tmpdir(), 'cairn-start-work-'));
  dirs.push(data, work);
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'scripts/start.ts'], {
    cwd: root,
    // The demo's length, shortened: 30 epochs (780 rows), 10 ms after each training step.
    env: { ...process.env, PORT: '0', CAIRN_DATA: data, CAIRN_DIR: work, CAIRN_SILENT: '1', QUICKSTART_EPOCHS: '30', QUICKSTART_STEP_MS: '10' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let browser: Browser | undefined;
  try {
    const deadline = Date.now() + 90_000;
    // While the quickstart trains, the store shows it running with some of its rows, and the
    // dashboard, opened as the start command says, draws its train/loss further and further.
    const seen: Array<{ state: string; rows: number }> = [];
    const drawnTo: number[] = [];
    let page: Page | undefined;
    while (!/quickstart run is in the store/.test(output)) {
      if (Date.now() > deadline) throw new Error(`start did not finish the quickstart:\n${output}`);
      const running = /Cairn is running at (http:\/\/\S+)/.exec(output);
      if (running) {
        const list = (await (await fetch(`${running[1]}/api/v1/projects/local/quickstart/runs`)).json()) as RunPage;
        const run = list.runs[0];
        if (run) seen.push({ state: run.state, rows: run.historyRows });
        if (!page && !chromiumMissing && /open (http:\/\/\S+\/local\/quickstart)/.test(output)) {
          browser = await launchChromium();
          page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
          await page.goto(/open (http:\/\/\S+\/local\/quickstart)/.exec(output)![1]!);
        }
        const end = page && run?.state === 'running' ? await chartEnd(page, 'train/loss') : undefined;
        if (end !== undefined && end !== drawnTo.at(-1)) {
          drawnTo.push(end);
          if (drawnTo.length === 2) await page!.screenshot({ path: path.join(screenshots, 'start-01-growing.png') });
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(seen.some((s) => s.state === 'running' && s.rows > 0 && s.rows < 780), `the run as the store showed it meanwhile: ${JSON.stringify(seen)}`).toBe(true);
    const url = /Cairn is running at (http:\/\/\S+)/.exec(output)![1]!;
    const list = (await (await fetch(`${url}/api/v1/projects/local/quickstart/runs`)).json()) as RunPage;
    expect(list.runs).toHaveLength(1);
    expect(list.runs[0]).toMatchObject({ state: 'finished', historyRows: 780 });
    if (chromiumMissing) console.warn(`the dashboard part of the start journey is skipped: ${chromiumMissing}`);
    else expect(page, 'the dashboard opened at the URL the start command printed').toBeDefined();
    if (page) {
      // Drawn further at least twice while it ran, without reloading the page; then to its last step.
      expect(drawnTo.length, `where the chart ended while the run was running: ${drawnTo.join(', ')}`).toBeGreaterThanOrEqual(3);
      expect(drawnTo).toEqual([...drawnTo].sort((a, b) => a - b));
      // train/loss's last step, as the server has it (the run's last row is a validation row).
      const request: SeriesRequest = { runs: [{ entity: 'local', project: 'quickstart', id: list.runs[0]!.id }], keys: ['train/loss'], buckets: 1 };
      const whole = (await (await fetch(`${url}/api/v1/series`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) })).json()) as SeriesResponse;
      const lastStep = whole.series[0]!.buckets[0]!.last[0];
      const deadlineDrawn = Date.now() + 10_000;
      while ((await chartEnd(page, 'train/loss')) !== lastStep) {
        if (Date.now() > deadlineDrawn) throw new Error(`the chart never reached step ${lastStep}: it ends at ${await chartEnd(page, 'train/loss')}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await page.screenshot({ path: path.join(screenshots, 'start-02-finished.png') });
    }
  } finally {
    await browser?.close();
    child.kill('SIGINT');
  }
  expect(await exited).toBe(0);
});
