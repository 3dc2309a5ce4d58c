/**
 * A run's alerts on its run page, in real headless Chromium (Debian's `chromium`, driven by
 * playwright-core) against the real server serving a production build of the dashboard. Runs
 * logged with the real SDK raise alerts with run.alert(): the page lists them newest first
 * at the top with level badges, a title repeated inside its wait folded under the alert people
 * were notified of (expandable from the keyboard); a live run's new alerts appear without a
 * reload, and its Files card lists output.log (growing) while it runs.
 * Screenshots: test-results/screenshots/alerts-*.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import type { AlertList, RunInfo } from '@cairn/protocol';
import { finish, init } from '@cairn/sdk';
import { startServer, type RunningServer } from '@cairn/server';
import { buildWeb, chromiumMissing, launchChromium, screenshots, until } from './support.js';

if (chromiumMissing) it.skip(chromiumMissing, () => {});

const PROJECT = 'alerts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(chromiumMissing !== undefined)('alerts on the run page in Chromium', { timeout: 240_000 }, () => {
  const temp = mkdtempSync(path.join(os.tmpdir(), 'cairn-alerts-browser-'));
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  const shot = (name: string) => page.screenshot({ path: path.join(screenshots, `alerts-${name}.png`) });
  const runUrl = (id: string) => `${server.url}/local/${PROJECT}/runs/${id}`;
  const apiGet = async <T>(id: string, rest = '') => (await (await fetch(`${server.url}/api/v1/projects/local/${PROJECT}/runs/${id}${rest}`)).json()) as T;
  const alertsSection = () => page.locator('[data-testid="alerts"]');
  /** The listed alerts (not their repeats), top to bottom. */
  const alertItems = () => alertsSection().locator('[data-testid="alert"]');
  const titles = () => alertItems().locator('.alert-title').allTextContents();
  const badgeLevels = () => alertItems().locator(':scope > .alert-level').evaluateAll((badges) => badges.map((badge) => badge.getAttribute('data-level')));
  const colour = (locator: Locator) =>
    locator.evaluate((element) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(element).color);

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    mkdirSync(path.join(temp, 'runs'));
    const dist = path.join(temp, 'dist');
    buildWeb(dist);
    server = await startServer({ port: 0, dataDir: path.join(temp, 'data'), quiet: true, webRoot: dist });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (error) => console.error('page error:', error));
  }, 240_000);

  afterAll(async () => {
    await finish();
    await browser?.close();
    await server?.close();
    rmSync(temp, { recursive: true, force: true });
  }, 60_000);

  it('lists a run\'s alerts newest first at the top, badges by level, repeats inside the wait folded and expandable', async () => {
    const run = await init({ baseUrl: server.url, project: PROJECT, name: 'diverging', dir: path.join(temp, 'runs'), silent: true, console: 'off' });
    run.log({ loss: 0.9 });
    run.alert('training started', 'lr 0.01, batch 64 on 4 GPUs');
    await pause(30);
    run.alert('loss diverged', 'loss is NaN at step 1200', 'WARN', 300);
    // Three repeats of the title inside its 300 s wait: kept, not notified.
    for (const step of [1210, 1220, 1230]) {
      await pause(30);
      run.alert('loss diverged', `loss is NaN at step ${step}`, 'WARN', 300);
    }
    await pause(30);
    run.alert({ title: 'out of memory', text: 'CUDA out of memory at step 1300 (tried to allocate 2.0 GiB)', level: 'ERROR' });
    await run.finish();
    const stored = await apiGet<AlertList>(run.id, '/alerts');
    expect(stored.alerts.map((alert) => [alert.title, alert.suppressed])).toEqual([
      ['training started', false],
      ['loss diverged', false],
      ['loss diverged', true],
      ['loss diverged', true],
      ['loss diverged', true],
      ['out of memory', false],
    ]);

    await page.goto(runUrl(run.id));
    await alertItems().first().waitFor();
    expect(await titles()).toEqual(['out of memory', 'loss diverged', 'training started']);
    expect(await badgeLevels()).toEqual(['ERROR', 'WARN', 'INFO']);
    expect(await alertsSection().locator('.section-title .count').textContent()).toBe('3');
    expect(await alertsSection().locator('.alerts-meta').textContent()).toBe('3 repeats suppressed');

    // Each level has its own colour.
    const badges = alertItems().locator(':scope > .alert-level');
    const colours = await Promise.all([0, 1, 2].map((i) => colour(badges.nth(i))));
    expect(new Set(colours).size).toBe(3);

    // Right after the overview, and on screen at 1280×800 without scrolling.
    expect(await page.locator('.run-page > *').nth(1).getAttribute('data-testid')).toBe('alerts');
    const box = (await alertsSection().boundingBox())!;
    expect(box.y + box.height).toBeLessThan(800);

    // Relative time, the date and time on hover.
    const time = alertItems().first().locator('.alert-time');
    expect(await time.getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(the script's clock\)$/);
    expect(await time.textContent()).toContain('just now');

    // The repeats are folded under the WARN people were notified of; the keyboard opens them.
    const diverged = alertItems().nth(1);
    expect(await alertItems().nth(0).locator('[data-testid="alert-repeats-toggle"]').count()).toBe(0);
    const toggle = diverged.getByRole('button', { name: '+3 repeats suppressed' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await diverged.locator('.alert-wait').textContent()).toBe('same title within 5m 00s: kept, not notified');
    await shot('01-folded');
    await toggle.focus();
    await page.keyboard.press('Enter');
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    const repeats = diverged.locator('[data-testid="alert-repeat"]');
    expect(await repeats.locator('.alert-text').allTextContents()).toEqual(['loss is NaN at step 1230', 'loss is NaN at step 1220', 'loss is NaN at step 1210']);
    // Repeats are faint: not the colour of the alert's own text.
    expect(await colour(repeats.first())).not.toBe(await colour(diverged.locator(':scope > .alert-body > .alert-text')));
    await shot('02-expanded');
    await page.keyboard.press('Enter');
    expect(await repeats.count()).toBe(0);

    // The dark theme keeps the levels apart.
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    const dark = await Promise.all([0, 1, 2].map((i) => colour(badges.nth(i))));
    expect(new Set(dark).size).toBe(3);
    expect(dark).not.toEqual(colours);
    await shot('03-dark');
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
  });

  it('keeps a long list compact: the newest five, all of them on request', async () => {
    const run = await init({ baseUrl: server.url, project: PROJECT, name: 'chatty', dir: path.join(temp, 'runs'), silent: true, console: 'off' });
    for (let epoch = 1; epoch <= 7; epoch++) {
      run.alert(`epoch ${epoch} done`, `val/acc ${(0.8 + epoch / 100).toFixed(2)}`);
      await pause(20);
    }
    await run.finish();
    await page.goto(runUrl(run.id));
    await alertItems().first().waitFor();
    expect(await titles()).toEqual(['epoch 7 done', 'epoch 6 done', 'epoch 5 done', 'epoch 4 done', 'epoch 3 done']);
    await shot('compact');
    await alertsSection().getByRole('button', { name: 'Show all 7 alerts' }).click();
    expect((await titles()).at(-1)).toBe('epoch 1 done');
    await shot('all');
    await alertsSection().getByRole('button', { name: 'Show the newest 5' }).click();
    expect(await alertItems().count()).toBe(5);
  });

  it('shows a live run\'s new alerts without a reload, and its output.log in the Files card while it runs', async () => {
    const run = await init({ baseUrl: server.url, project: PROJECT, name: 'live', dir: path.join(temp, 'runs'), silent: true, settings: { heartbeatSeconds: 0.2, liveFilesSeconds: 0.3 } });
    run.log({ loss: 0.7 });
    process.stdout.write('epoch 1: loss 0.7\n');
    await page.goto(runUrl(run.id));
    // No alerts yet: the empty section says how to raise one, below the console.
    const empty = page.locator('[data-testid="alerts-empty"]');
    await empty.waitFor();
    expect(await empty.textContent()).toContain("run.alert('loss diverged', 'loss is NaN at step 1200', 'WARN')");
    expect(await empty.textContent()).toContain('cairn server --alert-webhook URL');
    expect(await page.locator('.run-page > *').nth(1).getAttribute('data-testid')).not.toBe('alerts');
    await page.locator('[data-testid="alerts"]').scrollIntoViewIfNeeded();
    await shot('04-empty');

    // The Files card lists output.log while the run is running, and follows it as it grows.
    const outputLog = page.locator('[data-testid="files"] tr[data-path="output.log"]');
    await outputLog.waitFor();
    const sizeCell = outputLog.locator('td.num');
    const firstSize = await sizeCell.getAttribute('title');
    process.stdout.write(`epoch 2: loss 0.35 ${'.'.repeat(200)}\n`);
    await until('output.log to grow on the page', async () => ((await sizeCell.getAttribute('title')) !== firstSize ? true : undefined), 30_000, 200);
    expect((await apiGet<RunInfo>(run.id)).state).toBe('running');
    await page.locator('[data-testid="files"]').scrollIntoViewIfNeeded();
    await shot('05-live-files');

    // A new alert appears at the top, with no reload (the marker survives).
    await page.evaluate(() => ((globalThis as unknown as { alertsMarker: number }).alertsMarker = 1));
    run.alert('gpu temperature', 'GPU 0 at 91 °C', 'WARN');
    await until('the new alert on the page', async () => ((await titles()).length === 1 ? true : undefined), 30_000, 200);
    expect(await page.locator('.run-page > *').nth(1).getAttribute('data-testid')).toBe('alerts');
    expect(await badgeLevels()).toEqual(['WARN']);
    await pause(50);
    run.alert('loss diverged', 'loss is NaN at step 80', 'ERROR');
    await until('the second alert, newest first', async () => ((await titles()).join() === 'loss diverged,gpu temperature' ? true : undefined), 30_000, 200);
    expect(await badgeLevels()).toEqual(['ERROR', 'WARN']);
    expect(await page.evaluate(() => (globalThis as unknown as { alertsMarker?: number }).alertsMarker)).toBe(1);
    expect((await apiGet<RunInfo>(run.id)).state).toBe('running');
    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await shot('06-live-alert');
    await run.finish();
  });
});
