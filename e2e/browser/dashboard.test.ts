/**
 * The dashboard in real headless Chromium (Debian's `chromium`, driven by playwright-core):
 * two runs logged with the real SDK into a real server — one finished, one still running —
 * then a person's first minute: projects, the workspace (table, panels, sorting, smoothing,
 * live growth of the running run's charts), and the run pages. Each step leaves a
 * screenshot in test-results/screenshots/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb, chromiumMissing, launchChromium, screenshots, until as waitFor, drawnColor, linePixels } from './support.js';
import type { Browser, Page } from 'playwright-core';
import type { RunInfo, SeriesRequest } from '@cairn/protocol';
import { finish, init, type Run } from '@cairn/sdk';
import { startServer, type RunningServer } from '@cairn/server';


if (chromiumMissing) it.skip(chromiumMissing, () => {});

/** This journey follows a run that is still logging, so it waits longer than the others. */
function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  return waitFor(what, check, timeoutMs, 150);
}

/** A deterministic noisy decay: loss-like values. */
function lossAt(step: number, scale: number): number {
  return scale * Math.exp(-step / 80) + 0.05 + 0.04 * Math.sin(step * 1.7) * Math.cos(step * 0.37);
}

describe.skipIf(chromiumMissing !== undefined)('the dashboard in Chromium', { timeout: 240_000 }, () => {
  const temp = mkdtempSync(path.join(os.tmpdir(), 'cairn-browser-'));
  let api: RunningServer;
  /** The dashboard's origin: `cairn server` serving the build beside its API. */
  let webUrl: string;
  let browser: Browser;
  let page: Page;
  let finished: Run;
  let running: Run;
  let runningSteps = 0;
  const seriesRequests: string[] = [];

  const shot = async (name: string) => {
    await page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: false });
  };

  const serverRun = async (id: string): Promise<RunInfo> => (await (await fetch(`${api.url}/api/v1/projects/local/demo/runs/${id}`)).json()) as RunInfo;

  /** Logs `count` more steps of the running run and waits until the server holds them. */
  const logRunning = async (count: number, last?: Record<string, number>) => {
    for (let i = 0; i < count; i++, runningSteps++) {
      const step = runningSteps;
      const row: Record<string, number> = { loss: lossAt(step, 1.6), 'train/acc': 1 - lossAt(step, 0.9), 'debug/grad_norm': 3 + Math.sin(step) };
      if (step % 20 === 19) Object.assign(row, { epoch: (step + 1) / 20, 'val/loss': lossAt(step, 1.4) + 0.05, 'val/acc': 0.95 - lossAt(step, 0.8) });
      if (i === count - 1 && last) Object.assign(row, last);
      running.log(row);
    }
    await until('the running run on the server', async () => ((await serverRun(running.id)).historyRows >= runningSteps ? true : undefined));
  };

  const legendValue = async (key: string, runId: string) =>
    (await page.locator(`[data-testid="panel"][data-key="${key}"] [data-testid="legend"] [data-run="${runId}"] .legend-value`).textContent())?.trim();

  /** The two runs of the journey: `baseline` finished, `wider` still running. */
  const logRuns = async () => {
    const dir = path.join(temp, 'runs');
    mkdirSync(dir);
    finished = await init({
      baseUrl: api.url,
      project: 'demo',
      name: 'baseline',
      dir,
      silent: true,
      tags: ['baseline', 'sgd'],
      notes: 'the reference run',
      config: { lr: 0.1, batch_size: 64, optimizer: { name: 'sgd', momentum: 0.9 } },
    });
    finished.defineMetric('val/*', { stepMetric: 'epoch' });
    finished.defineMetric('debug/*', { hidden: true });
    for (let step = 0; step < 300; step++) {
      const row: Record<string, number> = { loss: lossAt(step, 2), 'train/acc': 1 - lossAt(step, 1), 'debug/grad_norm': 2 + Math.cos(step) };
      if (step % 20 === 19) Object.assign(row, { epoch: (step + 1) / 20, 'val/loss': lossAt(step, 1.8) + 0.08, 'val/acc': 0.9 - lossAt(step, 1) });
      finished.log(row);
    }
    await finished.finish();

    running = await init({
      baseUrl: api.url,
      project: 'demo',
      name: 'wider',
      dir,
      silent: true,
      tags: ['adam'],
      group: 'sweep-1',
      jobType: 'train',
      config: { lr: 0.003, batch_size: 128, optimizer: { name: 'adam', betas: [0.9, 0.999] } },
    });
    running.defineMetric('val/*', { stepMetric: 'epoch' });
    running.defineMetric('debug/*', { hidden: true });
    await logRunning(120);
  };

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    // The dashboard as it ships: a production build, into a temp dir (leaves packages/web/dist alone).
    const dist = path.join(temp, 'dist');
    buildWeb(dist);

    api = await startServer({ port: 0, dataDir: path.join(temp, 'data'), quiet: true, webRoot: dist });
    webUrl = api.url;

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('request', (request) => {
      if (request.url().endsWith('/api/v1/series')) seriesRequests.push(request.postData() ?? '');
    });
    page.on('pageerror', (error) => console.error('page error:', error));
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    if (running) await finish();
    await api?.close();
    rmSync(temp, { recursive: true, force: true });
  }, 120_000);

  it('greets a newcomer with the three lines that log a first run', async () => {
    await page.goto(`${webUrl}/`);
    const empty = page.locator('[data-testid="empty-projects"]');
    await empty.waitFor();
    const code = await empty.locator('pre').textContent();
    expect(code).toContain("import { init } from '@cairn/sdk';");
    expect(code).toContain("const run = await init({ project: 'demo' });");
    expect(code).toContain('run.log({ loss: 0.5 });');
    await shot('00-empty');
  });

  it("shows an empty project's workspace the same three lines, for that project", async () => {
    await page.goto(`${webUrl}/local/nothing-here`);
    const empty = page.locator('[data-testid="empty-project"]');
    await empty.waitFor();
    expect(await empty.textContent()).toContain('This project has no runs yet.');
    expect(await empty.locator('pre').textContent()).toContain("const run = await init({ project: 'nothing-here' });");
    await shot('00-empty-project');
  });

  it('lists the project with its run count', async () => {
    await logRuns();
    await page.goto(`${webUrl}/`);
    const row = page.locator('[data-testid="projects"] tbody tr', { hasText: 'demo' });
    await row.waitFor();
    expect(await row.locator('td').nth(2).textContent()).toBe('2');
    // Last activity: how long ago, the date and time in its title.
    const lastActivity = row.locator('td').nth(3);
    expect(await lastActivity.textContent()).toMatch(/just now|ago/);
    expect(await lastActivity.getAttribute('title')).toMatch(/\d{1,2}:\d{2}/);
    await shot('01-projects');
  });

  it('opens the workspace: both runs in the table, one drawn panel per visible key', async () => {
    await page.getByRole('link', { name: 'demo' }).click();
    await page.waitForURL(`${webUrl}/local/demo`);
    const rows = page.locator('[data-testid="runs-table"] tbody tr');
    await until('two runs in the table', async () => ((await rows.count()) === 2 ? true : undefined));
    expect(await page.locator('[data-testid="runs-table"] tbody tr[data-run] [data-state="running"]').count()).toBe(1);

    const panels = page.locator('[data-testid="panel"]');
    await until('the panels', async () => ((await panels.count()) === 5 ? true : undefined));
    const keys = await panels.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-key')));
    // debug/* is hidden by its definition; _runtime and _timestamp are axes, not panels.
    expect(keys).toEqual(['epoch', 'loss', 'train/acc', 'val/acc', 'val/loss']);
    expect(await page.locator('[data-testid="section"]').evaluateAll((elements) => elements.map((e) => e.getAttribute('data-section')))).toEqual(['Charts', 'train', 'val']);
    // A key whose definition names a step metric is drawn against it by default.
    expect(await page.locator('[data-testid="panel"][data-key="val/loss"]').getAttribute('data-x')).toBe('epoch');
    expect(await page.locator('[data-testid="panel"][data-key="loss"]').getAttribute('data-x')).toBe('_step');

    for (const key of ['loss', 'train/acc', 'val/loss']) {
      for (const run of [finished, running]) {
        await until(`${key} of ${run.name} drawn`, async () => ((await linePixels(page, key, await drawnColor(page, run.id))) > 30 ? true : undefined));
      }
    }
    expect(await legendValue('loss', finished.id)).toBeTruthy();
    await shot('02-workspace');
  });

  it('sorts the runs table by a clicked column', async () => {
    const names = () => page.locator('[data-testid="runs-table"] tbody tr td.name-col').allTextContents();
    const header = page.locator('[data-testid="runs-table"] th', { hasText: 'Name' });
    await header.getByRole('button').click();
    await until('ascending by name', async () => ((await names()).join() === 'baseline,wider' ? true : undefined));
    expect(await header.getAttribute('aria-sort')).toBe('ascending');
    expect(page.url()).toContain('sort=name');
    await header.getByRole('button').click();
    await until('descending by name', async () => ((await names()).join() === 'wider,baseline' ? true : undefined));
    expect(await header.getAttribute('aria-sort')).toBe('descending');
    await shot('03-sorted');
  });

  it('filters the runs by text, and the panels by key', async () => {
    const names = () => page.locator('[data-testid="runs-table"] tbody tr td.name-col').allTextContents();
    await page.getByPlaceholder('Filter runs by name or id').fill('wid');
    await until('only wider', async () => ((await names()).join() === 'wider' ? true : undefined));
    expect(page.url()).toContain('q=wid');
    await shot('05a-filtered');
    await page.getByPlaceholder('Filter runs by name or id').fill('');
    await until('both runs again', async () => ((await names()).length === 2 ? true : undefined));

    await page.getByPlaceholder('Search panels').fill('val');
    await until('only the val panels', async () => ((await page.locator('[data-testid="panel"]').count()) === 2 ? true : undefined));
    await shot('05b-panel-search');
    await page.getByPlaceholder('Search panels').fill('');
    await until('every panel again', async () => ((await page.locator('[data-testid="panel"]').count()) === 5 ? true : undefined));
  });

  it('grows the running run\'s charts live, without reloading the page', async () => {
    await page.evaluate('window.__sameDocument = true');
    // No flicker: the chart is drawn again on the canvas it has, not replaced.
    await page.locator('[data-testid="panel"][data-key="loss"] canvas').waitFor();
    await page.evaluate(`document.querySelector('[data-testid="panel"][data-key="loss"] canvas').__kept = true`);
    const before = await legendValue('loss', running.id);
    const requestsBefore = seriesRequests.length;
    await logRunning(60, { loss: 0.0123 });
    await until('the live legend value', async () => ((await legendValue('loss', running.id)) === '0.0123' ? true : undefined));
    const row = page.locator(`[data-testid="runs-table"] tr[data-run="${running.id}"]`);
    await until('the live table row', async () => ((await row.textContent())?.includes('0.0123') ? true : undefined));
    expect(before).not.toBe('0.0123');
    expect(seriesRequests.length).toBeGreaterThan(requestsBefore);
    // Only the running run's new points are asked for: its tail, from its last bucket on, with
    // its whole series in one bucket (the count that checks the tail); never the finished run.
    const live = seriesRequests.slice(requestsBefore).map((body) => JSON.parse(body) as SeriesRequest);
    expect(live.every((request) => request.runs.every((entry) => entry.id === running.id))).toBe(true);
    expect(live.some((request) => request.runs.some((entry) => entry.range !== undefined) && request.runs.some((entry) => entry.buckets === 1))).toBe(true);
    expect(await page.evaluate('window.__sameDocument === true')).toBe(true);
    expect(await page.evaluate(`document.querySelector('[data-testid="panel"][data-key="loss"] canvas').__kept === true`)).toBe(true);
    await shot('04-live');
  });

  it('keeps the table in order and filtered while the running run changes', async () => {
    const names = () => page.locator('[data-testid="runs-table"] tbody tr td.name-col').allTextContents();
    const baselineLoss = (await serverRun(finished.id)).summary.loss as number;
    await page.goto(`${webUrl}/local/demo?sort=summary.loss&order=asc`);
    await until('sorted by loss', async () => ((await names()).join() === 'wider,baseline' ? true : undefined));
    // The running run's loss passes the finished run's: its row moves, without a reload.
    await page.evaluate('window.__sameDocument = true');
    await logRunning(1, { loss: baselineLoss + 1 });
    await until('the running run moved down', async () => ((await names()).join() === 'baseline,wider' ? true : undefined));
    await logRunning(1, { loss: 0.0123 });
    await until('the running run moved up', async () => ((await names()).join() === 'wider,baseline' ? true : undefined));
    // Filtered by its loss: it leaves the table when the loss passes the bound, and comes back.
    await page.getByPlaceholder('Filter runs by name or id').fill(`summary.loss < ${baselineLoss + 0.5}`);
    await until('both runs under the bound', async () => ((await names()).length === 2 ? true : undefined));
    await logRunning(1, { loss: baselineLoss + 1 });
    await until('the running run out of the filter', async () => ((await names()).join() === 'baseline' ? true : undefined));
    await shot('04b-live-filter');
    await logRunning(1, { loss: 0.0123 });
    await until('the running run back in the filter', async () => ((await names()).join() === 'wider,baseline' ? true : undefined));
    expect(await page.evaluate('window.__sameDocument === true')).toBe(true);
    await page.getByPlaceholder('Filter runs by name or id').fill('');
    await page.goto(`${webUrl}/local/demo`);
  });

  it('smooths the lines with the slider, keeping the raw line faint behind', async () => {
    const color = await drawnColor(page, finished.id);
    const raw = await legendValue('loss', finished.id);
    const faintBefore = await linePixels(page, 'loss', color, true);
    await page.locator('input[type="range"]').fill('0.8');
    await until('smoothing in the URL', async () => (page.url().includes('smooth=0.8') ? true : undefined));
    // The legend reads the smoothed line; the raw one is drawn faint behind it.
    await until('smoothed legend', async () => ((await legendValue('loss', finished.id)) !== raw ? true : undefined));
    await until('the faint raw line', async () => ((await linePixels(page, 'loss', color, true)) > faintBefore + 50 ? true : undefined));
    expect(await linePixels(page, 'loss', color)).toBeGreaterThan(30);
    await shot('05-smoothing');
    await page.locator('input[type="range"]').fill('0');
    await until('raw legend again', async () => ((await legendValue('loss', finished.id)) === raw ? true : undefined));
  });

  it('switches a panel\'s x-axis, keeping the choice in the URL', async () => {
    const panel = page.locator('[data-testid="panel"][data-key="loss"]');
    await panel.getByRole('combobox').selectOption('_runtime');
    await until('the runtime axis', async () => ((await panel.getAttribute('data-x')) === '_runtime' ? true : undefined));
    expect(decodeURIComponent(page.url())).toContain('x:loss=_runtime');
    await until('loss against runtime drawn', async () => ((await linePixels(page, 'loss', await drawnColor(page, finished.id))) > 30 ? true : undefined));
    await shot('06-x-axis-runtime');
    await panel.getByRole('combobox').selectOption('_timestamp');
    await until('the wall-time axis', async () => ((await panel.getAttribute('data-x')) === '_timestamp' ? true : undefined));
    expect(decodeURIComponent(page.url())).toContain('x:loss=_timestamp');
    await until('loss against wall time drawn', async () => ((await linePixels(page, 'loss', await drawnColor(page, finished.id))) > 30 ? true : undefined));
    await shot('06-x-axis-wall-time');
    await panel.getByRole('combobox').selectOption('_step');
    await until('the step axis again', async () => (!decodeURIComponent(page.url()).includes('x:loss') ? true : undefined));
  });

  it('hides a run from the charts with its toggle', async () => {
    const toggle = page.getByRole('button', { name: 'Hide baseline in charts' });
    await toggle.click();
    await until('the legend without baseline', async () => ((await page.locator(`[data-testid="panel"][data-key="loss"] [data-run="${finished.id}"]`).count()) === 0 ? true : undefined));
    expect(page.url()).toContain(`hide=${finished.id}`);
    await shot('06b-hidden-run');
    await page.getByRole('button', { name: 'Show baseline in charts' }).click();
    await until('baseline back', async () => ((await page.locator(`[data-testid="panel"][data-key="loss"] [data-run="${finished.id}"]`).count()) === 1 ? true : undefined));
  });

  it('opens the running run\'s page: overview, config, summary, charts and a Stop button', async () => {
    await page.locator('[data-testid="runs-table"] a', { hasText: 'wider' }).click();
    await page.waitForURL(`${webUrl}/local/demo/runs/${running.id}`);
    const overview = page.locator('[data-testid="overview"]');
    await overview.waitFor();
    expect(await overview.textContent()).toContain(os.hostname());
    expect(await overview.textContent()).toContain('sweep-1');
    const item = (label: string) => overview.locator('.overview-item', { has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) }).locator('dd');
    expect(await item('Job type').textContent()).toBe('train');
    expect(await item('Start time').textContent()).toMatch(/\d{1,2}:\d{2}/);
    expect(await item('Duration').textContent()).toMatch(/\d/);
    // The command that started the run: here, the test runner's worker; the commit checked out.
    expect(await item('Command').textContent()).toMatch(/vitest/);
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    expect(await item('Git commit').textContent()).toContain(head.slice(0, 12));
    const config = page.locator('[data-testid="config"]');
    await config.locator('tr', { hasText: 'optimizer.name' }).waitFor();
    expect(await config.locator('tr', { hasText: 'optimizer.name' }).textContent()).toContain('adam');
    await config.getByRole('searchbox').fill('batch');
    await until('config search', async () => ((await config.locator('tbody tr').count()) === 1 ? true : undefined));
    expect(await config.locator('tbody tr').textContent()).toContain('128');
    const summary = page.locator('[data-testid="summary"]');
    expect(await summary.locator('tr', { hasText: /^loss/ }).textContent()).toContain('0.0123');
    expect(await page.getByRole('button', { name: 'Stop run' }).isEnabled()).toBe(true);
    await shot('07-run-running');
    // Panels below the fold fetch nothing until they come near the screen.
    expect(await page.locator('[data-testid="panel"]').count()).toBe(5);
    const valLossRequests = () => seriesRequests.filter((body) => body.includes('"keys":["val/loss"]')).length;
    const before = valLossRequests();
    await page.waitForTimeout(500);
    expect(valLossRequests()).toBe(before);
    await page.locator('[data-testid="panel"][data-key="val/loss"]').scrollIntoViewIfNeeded();
    await until('val/loss fetched once on screen', async () => (valLossRequests() > before ? true : undefined));
    await until('the run\'s val/loss chart', async () => ((await linePixels(page, 'val/loss', await drawnColor(page, running.id))) > 10 ? true : undefined));
    await shot('08-run-charts');

    // Live on the run page too: the summary follows the run.
    await logRunning(20, { loss: 0.0042 });
    await until('live summary', async () => ((await summary.locator('tr', { hasText: /^loss/ }).textContent())?.includes('0.0042') ? true : undefined));
  });

  it('opens the finished run by its URL (as the SDK prints it): no Stop button, exit code 0', async () => {
    expect(finished.url).toBe(`${webUrl}/local/demo/runs/${finished.id}`);
    await page.goto(finished.url!);
    const overview = page.locator('[data-testid="overview"]');
    await overview.waitFor();
    expect(await page.locator('.run-head [data-state]').getAttribute('data-state')).toBe('finished');
    expect(await overview.locator('.overview-item', { hasText: 'Exit code' }).textContent()).toContain('0');
    expect(await overview.locator('.overview-item', { hasText: 'Notes' }).textContent()).toContain('the reference run');
    expect(await page.getByRole('button', { name: 'Stop run' }).count()).toBe(0);
    await shot('09-run-finished');
    await page.locator('[data-testid="panel"][data-key="loss"]').scrollIntoViewIfNeeded();
    await until('the finished run\'s chart', async () => ((await linePixels(page, 'loss', await drawnColor(page, finished.id))) > 30 ? true : undefined));
  });

  it('switches to the dark theme and back, and remembers it', async () => {
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    await page.goto(`${webUrl}/local/demo`);
    await page.locator('[data-testid="panel"][data-key="loss"] canvas').waitFor();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    await until('dark charts drawn', async () => ((await linePixels(page, 'loss', await drawnColor(page, running.id))) > 30 ? true : undefined));
    await shot('10-workspace-dark');
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('light');
  });
});
