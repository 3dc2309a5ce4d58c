/**
 * Comparing runs and editing a run, in real headless Chromium (Debian's `chromium`, driven by
 * playwright-core) against the real server serving a production build of the dashboard:
 * three runs logged with the real SDK (their files upload when they finish), compared side by
 * side with differences highlighted; then one run's page: tags and notes edited (and kept
 * across a reload), a failed edit rolled back, its environment, and a file downloaded
 * byte for byte. Each step leaves a screenshot in test-results/screenshots/ (prefix c-).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb, chromiumMissing, launchChromium, screenshots, until } from './support.js';
import type { Browser, Page } from 'playwright-core';
import type { FileList, RunInfo } from '@cairn/protocol';
import { init, type Run } from '@cairn/sdk';
import { startServer, type RunningServer } from '@cairn/server';


if (chromiumMissing) it.skip(chromiumMissing, () => {});

const PROJECT = 'sweep';
const CHECKPOINT = 'checkpoints/model 1.bin';

describe.skipIf(chromiumMissing !== undefined)('comparing and editing runs in Chromium', { timeout: 240_000 }, () => {
  const temp = mkdtempSync(path.join(os.tmpdir(), 'cairn-compare-'));
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  /** Three runs of one small sweep: the learning rate, the optimizer and more vary. */
  const runs: Run[] = [];

  const shot = (name: string) => page.screenshot({ path: path.join(screenshots, `c-${name}.png`) });
  const runUrl = (run: Run) => `${server.url}/local/${PROJECT}/runs/${run.id}`;
  const compareUrl = (ids: readonly string[], query = '') => `${server.url}/local/${PROJECT}/compare?runs=${ids.join(',')}${query}`;
  const apiRun = async (id: string) => (await (await fetch(`${server.url}/api/v1/projects/local/${PROJECT}/runs/${id}`)).json()) as RunInfo;

  /** Logs and finishes one run (init() while a run is active would answer that run); its files upload at finish. */
  const logRun = async (name: string, config: Record<string, unknown>, options: { tags: string[]; notes?: string; scale: number; files?: Record<string, Uint8Array> }) => {
    const run = await init({ baseUrl: server.url, project: PROJECT, name, dir: path.join(temp, 'runs'), silent: true, config, tags: options.tags, notes: options.notes });
    for (let step = 0; step < 50; step++) run.log({ loss: options.scale * Math.exp(-step / 20) + 0.05, acc: 0.9 - options.scale * Math.exp(-step / 15) / 3 });
    for (const [file, bytes] of Object.entries(options.files ?? {})) {
      const target = path.join(run.dir, ...file.split('/'));
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, bytes);
    }
    await run.finish();
    return run;
  };

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    // The dashboard as it ships: a production build, into a temp dir (leaves packages/web/dist alone).
    const dist = path.join(temp, 'dist');
    buildWeb(dist);
    server = await startServer({ port: 0, dataDir: path.join(temp, 'data'), quiet: true, webRoot: dist });

    mkdirSync(path.join(temp, 'runs'));
    const base = { batch_size: 64, epochs: 10, layers: [64, 32] };
    // A saved file beside the SDK's own (config.yaml, summary, metadata): a name with a space, in a folder.
    const checkpoint = Uint8Array.from({ length: 5000 }, (_, i) => (i * 31 + 7) % 256);
    runs.push(await logRun('lr-0.1', { ...base, lr: 0.1, seed: 1, optimizer: { name: 'sgd', momentum: 0.9 } }, { tags: ['baseline', 'sgd'], notes: 'first try', scale: 2, files: { [CHECKPOINT]: checkpoint } }));
    runs.push(await logRun('lr-0.01', { ...base, lr: 0.01, seed: 1, warmup_steps: 100, optimizer: { name: 'adam', momentum: 0.9 } }, { tags: ['adam'], scale: 1.5 }));
    runs.push(await logRun('lr-0.001', { ...base, lr: 0.001, seed: 2, layers: [128, 64], optimizer: { name: 'adam', momentum: 0.9 } }, { tags: ['adam'], scale: 1 }));
    expect(new Set(runs.map((run) => run.id)).size).toBe(3);
    await until('the checkpoint on the server', async () => {
      const list = (await (await fetch(`${server.url}/api/v1/projects/local/${PROJECT}/runs/${runs[0]!.id}/files`)).json()) as FileList;
      return list.files.some((file) => file.path === CHECKPOINT) ? true : undefined;
    });

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', acceptDownloads: true });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (error) => console.error('page error:', error));
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(temp, { recursive: true, force: true });
  }, 60_000);

  const config = () => page.locator('[data-testid="compare-config"]');
  const configRow = (key: string) => config().locator(`tbody tr[data-key="${key}"]`);
  const cells = async (key: string) => (await configRow(key).locator('td').allTextContents()).map((text) => text.replace('no value', '').trim());

  it('shows the three runs\' config side by side, differing rows highlighted, missing values as —', async () => {
    await page.goto(compareUrl(runs.map((run) => run.id)));
    await configRow('lr').waitFor();
    // The columns come together, once every run is loaded.
    expect(await config().locator('thead th.compare-run').allTextContents()).toEqual(['lr-0.1', 'lr-0.01', 'lr-0.001']);

    expect(await cells('lr')).toEqual(['0.1', '0.01', '0.001']);
    expect(await cells('optimizer.name')).toEqual(['sgd', 'adam', 'adam']);
    expect(await cells('layers')).toEqual(['[64,32]', '[64,32]', '[128,64]']);
    expect(await cells('warmup_steps')).toEqual(['—', '100', '—']);
    expect(await cells('batch_size')).toEqual(['64', '64', '64']);
    const differs = async (key: string) => configRow(key).getAttribute('data-differs');
    for (const key of ['lr', 'seed', 'optimizer.name', 'layers', 'warmup_steps']) expect(await differs(key), key).toBe('true');
    for (const key of ['batch_size', 'epochs', 'optimizer.momentum']) expect(await differs(key), key).toBe('false');

    // Highlighted: a differing row's cells are tinted, an equal row's are not.
    // Runs in the page: the browser's getComputedStyle (this file is type-checked without DOM types).
    const background = (key: string) =>
      configRow(key)
        .locator('td')
        .first()
        .evaluate((cell) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(cell).backgroundColor);
    expect(await background('lr')).not.toBe(await background('batch_size'));
    expect(await background('lr')).not.toBe('rgba(0, 0, 0, 0)');

    const summary = page.locator('[data-testid="compare-summary"]');
    await summary.locator('tbody tr[data-key="loss"]').waitFor();
    expect(await summary.locator('tbody tr[data-key="loss"]').getAttribute('data-differs')).toBe('true');
    expect(await page.title()).toBe(`Compare · ${PROJECT} · Cairn`);
    await shot('01-compare');
  });

  it('shows only the differences with the toggle, kept in the URL', async () => {
    const toggle = page.getByLabel('Only differences');
    await toggle.check();
    await until('diff=1 in the URL', () => (page.url().includes('diff=1') ? true : undefined));
    await until('only differing rows', async () => ((await configRow('batch_size').count()) === 0 ? true : undefined));
    const flags = await config().locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-differs')));
    expect(flags.length).toBe(5);
    expect(flags.every((flag) => flag === 'true')).toBe(true);
    // The run list keeps its readable commas when another parameter changes.
    expect(page.url()).toContain(`runs=${runs.map((run) => run.id).join(',')}`);
    await shot('02-only-differences');

    await page.reload();
    await configRow('lr').waitFor();
    expect(await page.getByLabel('Only differences').isChecked()).toBe(true);
    expect(await configRow('epochs').count()).toBe(0);
    await page.getByLabel('Only differences').uncheck();
    await configRow('epochs').waitFor();
  });

  it('picks runs from a searchable list, by mouse and keyboard, and drops them again', async () => {
    await page.goto(`${server.url}/local/${PROJECT}/compare`);
    await page.getByText('Pick two or more runs above').waitFor();
    const box = page.getByRole('combobox', { name: 'Add runs to compare' });
    await box.fill('lr-0.0');
    const options = page.getByRole('option');
    await until('two matching runs', async () => ((await options.count()) === 2 ? true : undefined));
    expect((await options.allTextContents()).map((text) => text.slice(0, 12))).toEqual(expect.arrayContaining([expect.stringContaining('lr-0.01'), expect.stringContaining('lr-0.001')]));

    await page.getByRole('option', { name: /lr-0\.01\b/ }).click();
    await until('the first run in the URL', () => (page.url().endsWith(`runs=${runs[1]!.id}`) ? true : undefined));
    // The list stays open for the next pick; the keyboard picks too.
    await box.fill('lr-0.001');
    await until('one match', async () => ((await options.count()) === 1 ? true : undefined));
    await box.press('Enter');
    await until('both runs in the URL', () => (page.url().endsWith(`runs=${runs[1]!.id},${runs[2]!.id}`) ? true : undefined));
    expect(await page.getByRole('option', { name: /lr-0\.001/ }).getAttribute('aria-selected')).toBe('true');
    await configRow('lr').waitFor();
    expect(await cells('lr')).toEqual(['0.01', '0.001']);
    await box.fill('');
    await until('all runs listed', async () => ((await options.count()) === 3 ? true : undefined));
    await shot('03-picker');

    await box.press('Escape');
    await page.getByRole('button', { name: 'Remove lr-0.01 from the comparison' }).click();
    await until('one run left', () => (page.url().endsWith(`runs=${runs[2]!.id}`) ? true : undefined));
    expect(await config().locator('thead th.compare-run').allTextContents()).toEqual(['lr-0.001']);
    expect(await page.getByText('Add another run to see what differs.').count()).toBe(1);
  });

  it('edits a run\'s tags and notes on its page, and they persist across a reload', async () => {
    const run = runs[0]!;
    await page.goto(runUrl(run));
    const tags = page.locator('[data-testid="tags"]');
    await tags.waitFor();
    const tagNames = async () => (await tags.locator('li.tag').allTextContents()).map((text) => text.replace('×', '').trim());
    expect(await tagNames()).toEqual(['baseline', 'sgd']);

    const tagBox = page.getByLabel('Add tags, separated by commas');
    await tagBox.fill('promising, keep');
    await tagBox.press('Enter');
    await until('the new tags shown', async () => ((await tagNames()).join() === 'baseline,sgd,promising,keep' ? true : undefined));
    await page.getByRole('button', { name: 'Remove tag baseline' }).click();
    await until('the tags on the server', async () => ((await apiRun(run.id)).tags.join() === 'sgd,promising,keep' ? true : undefined));

    const notes = page.locator('[data-testid="notes"]');
    expect(await notes.textContent()).toContain('first try');
    await notes.getByRole('button', { name: 'Edit notes' }).click();
    await notes.getByRole('textbox').fill('Fast at first, then noisy.\nTry a lower lr with warm-up next.');
    await notes.getByRole('button', { name: 'Save notes' }).click();
    await until('the notes on the server', async () => ((await apiRun(run.id)).notes === 'Fast at first, then noisy.\nTry a lower lr with warm-up next.' ? true : undefined));

    await page.reload();
    await tags.waitFor();
    expect(await tagNames()).toEqual(['sgd', 'promising', 'keep']);
    expect(await notes.locator('.notes-text').textContent()).toBe('Fast at first, then noisy.\nTry a lower lr with warm-up next.');
    await shot('04-run-edited');
  });

  it('shows a failed edit at once, then rolls it back with the server\'s error', async () => {
    const run = runs[0]!;
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const runPath = `**/api/v1/projects/local/${PROJECT}/runs/${run.id}`;
    await page.route(runPath, async (route) => {
      if (route.request().method() !== 'PATCH') return route.continue();
      await released;
      return route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: { code: 'internal', message: 'the database is read-only' } }) });
    });
    const tags = page.locator('[data-testid="tags"]');
    const tagBox = page.getByLabel('Add tags, separated by commas');
    await tagBox.fill('doomed');
    await tagBox.press('Enter');
    // Optimistic: the tag shows while the request is in flight.
    await tags.locator('li.tag', { hasText: 'doomed' }).waitFor();
    expect(await tags.getByText('Saving…').count()).toBe(1);
    release();
    await tags.getByRole('alert').waitFor();
    expect(await tags.getByRole('alert').textContent()).toBe('Could not save the tags: the database is read-only');
    expect(await tags.locator('li.tag', { hasText: 'doomed' }).count()).toBe(0);
    await shot('05-edit-rolled-back');
    await page.unroute(runPath);
    expect((await apiRun(run.id)).tags).toEqual(['sgd', 'promising', 'keep']);
  });

  it('lists the run\'s files and environment, and downloads a file byte for byte', async () => {
    const run = runs[0]!;
    const files = page.locator('[data-testid="files"]');
    await files.locator(`tr[data-path="${CHECKPOINT}"]`).waitFor();
    const paths = await files.locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-path')));
    expect(paths).toEqual(['cairn-metadata.json', 'cairn-summary.json', CHECKPOINT, 'config.yaml']);
    expect(await files.locator(`tr[data-path="${CHECKPOINT}"] td.num`).textContent()).toBe('4.9 KiB');

    const [download] = await Promise.all([page.waitForEvent('download'), files.getByRole('link', { name: `Download ${CHECKPOINT}` }).click()]);
    expect(download.suggestedFilename()).toBe('model 1.bin');
    const saved = await download.path();
    expect(Buffer.compare(readFileSync(saved), readFileSync(path.join(run.dir, ...CHECKPOINT.split('/'))))).toBe(0);
    const [configDownload] = await Promise.all([page.waitForEvent('download'), files.getByRole('link', { name: 'Download config.yaml' }).click()]);
    expect(readFileSync(await configDownload.path(), 'utf8')).toBe(readFileSync(path.join(run.dir, 'config.yaml'), 'utf8'));

    const environment = page.locator('[data-testid="environment"]');
    const text = (await environment.textContent()) ?? '';
    expect(text).toContain(process.version);
    expect(text).toContain(os.hostname());
    const git = (await apiRun(run.id)).metadata?.git as { commit?: string } | undefined;
    if (git?.commit) expect(text).toContain(git.commit.slice(0, 12));
    await files.scrollIntoViewIfNeeded();
    await shot('06-run-files');
  });

  it('keeps the highlight readable in the dark theme', async () => {
    await page.goto(compareUrl(runs.map((run) => run.id)));
    await configRow('lr').waitFor();
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    await shot('07-compare-dark');
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
  });
});
