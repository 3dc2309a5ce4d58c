/**
 * A run's console output on its run page, in real headless Chromium (Debian's `chromium`,
 * driven by playwright-core) against the real server serving a production build of the
 * dashboard. Real training processes (e2e/fixtures/console-child.ts) print to stdout and
 * stderr through the SDK: the page shows the lines of a running run as they arrive, stderr
 * marked, colours stripped, filtered on request, and the tail of a long log with "show all";
 * a run started with CAIRN_CONSOLE=off gets the empty state. The Stop button, confirmed,
 * interrupts a running script and leaves its run killed. Screenshots: test-results/screenshots/console-*.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { RunInfo } from '@cairn/protocol';
import { startServer, type RunningServer } from '@cairn/server';
import { buildWeb, chromiumMissing, launchChromium, repo, screenshots, until } from './support.js';

if (chromiumMissing) it.skip(chromiumMissing, () => {});

const PROJECT = 'console';

interface Child {
  id: string;
  stop(): void;
  exited: Promise<number | null>;
  kill(): void;
}

describe.skipIf(chromiumMissing !== undefined)('console output on the run page in Chromium', { timeout: 240_000 }, () => {
  const temp = mkdtempSync(path.join(os.tmpdir(), 'cairn-console-browser-'));
  const children: Child[] = [];
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  const shot = (name: string) => page.screenshot({ path: path.join(screenshots, `console-${name}.png`) });
  const runUrl = (id: string) => `${server.url}/local/${PROJECT}/runs/${id}`;
  const apiRun = async (id: string) => (await (await fetch(`${server.url}/api/v1/projects/local/${PROJECT}/runs/${id}`)).json()) as RunInfo;
  const consoleSection = () => page.locator('[data-testid="console"]');
  const consoleTexts = () => consoleSection().locator('.console-line .console-text').allTextContents();

  /** Starts e2e/fixtures/console-child.ts against the server; resolves once it has said its run id. */
  const startChild = async (env: Record<string, string>): Promise<Child> => {
    const dir = mkdtempSync(path.join(temp, 'runs-'));
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', path.join(repo, 'e2e', 'fixtures', 'console-child.ts')], {
      cwd: repo,
      env: { ...process.env, CAIRN_DIR: dir, CAIRN_BASE_URL: server.url, CAIRN_MODE: 'online', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.resume();
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const id = await until('the child to say its run', () => (stdout.includes('\n') ? (JSON.parse(stdout.split('\n')[0]!) as { id: string }).id : undefined));
    const started = { id, exited, stop: () => void child.stdin!.write('stop\n'), kill: () => void child.kill('SIGKILL') };
    children.push(started);
    return started;
  };

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    const dist = path.join(temp, 'dist');
    buildWeb(dist);
    server = await startServer({ port: 0, dataDir: path.join(temp, 'data'), quiet: true, webRoot: dist });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (error) => console.error('page error:', error));
  }, 240_000);

  afterAll(async () => {
    for (const child of children) child.kill();
    await browser?.close();
    await server?.close();
    rmSync(temp, { recursive: true, force: true });
  }, 60_000);

  it('shows a running run\'s console as it prints: stderr marked, colours stripped, new lines without a reload', async () => {
    const child = await startChild({ FIXTURE_BANNER: '1' });
    await page.goto(runUrl(child.id));
    const section = consoleSection();
    await section.locator('.console-line').first().waitFor();
    const texts = await consoleTexts();
    // The colour codes are gone, the text stays.
    expect(texts).toContain('training on 4 GPUs');
    expect(texts.join('\n')).not.toContain('\x1b');
    expect(texts.join('\n')).not.toContain('[0m');

    // stderr lines are marked for the eye (red, with a bar) and for screen readers.
    const stderrLine = section.locator('.console-line[data-stderr]').first();
    expect(await stderrLine.locator('.console-text').textContent()).toBe('stderr: Traceback-like warning:');
    const colour = (locator: ReturnType<Page['locator']>) =>
      locator.evaluate((element) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(element).color);
    const stdoutLine = section.locator('.console-line:not([data-stderr])').first();
    expect(await colour(stderrLine)).not.toBe(await colour(stdoutLine));
    expect(await section.locator('.console-line[data-stderr]').count()).toBeGreaterThanOrEqual(3);

    // Live: later ticks appear while the page stays open.
    const firstTicks = texts.filter((text) => text.startsWith('tick ')).length;
    await until('more ticks on the page', async () => {
      const ticks = (await consoleTexts()).filter((text) => text.startsWith('tick '));
      return ticks.length >= firstTicks + 20 ? ticks : undefined;
    }, 60_000, 300);
    expect((await apiRun(child.id)).state).toBe('running');
    // Following the output: the newest line is in view.
    expect(await section.locator('.console-line').last().isVisible()).toBe(true);
    await section.scrollIntoViewIfNeeded();
    await shot('01-live');

    // The filter keeps only the matching lines, numbered as in the file.
    await section.getByLabel('Filter console lines').fill('was slow');
    await until('only the slow-tick warnings', async () => {
      const shown = await consoleTexts();
      return shown.length > 0 && shown.every((text) => /^stderr: warning: tick \d+ was slow$/.test(text)) ? true : undefined;
    });
    expect(await section.locator('[data-testid="console-status"]').textContent()).toMatch(/^\d+ of \d+ lines match/);
    await shot('02-filtered');
    await section.getByLabel('Filter console lines').fill('');

    child.stop();
    expect(await child.exited).toBe(0);
    await until('the goodbye line once the run finished', async () => ((await consoleTexts()).at(-1) === 'goodbye' ? true : undefined), 60_000, 300);
    expect(await section.locator('a', { hasText: 'Download' }).getAttribute('href')).toBe(`/api/v1/projects/local/${PROJECT}/runs/${child.id}/files/output.log`);
  });

  it('shows the tail of a long log, and all of it on request', async () => {
    const child = await startChild({ FIXTURE_BURST: '2500', FIXTURE_TICKS: '3' });
    expect(await child.exited).toBe(0);
    await page.goto(runUrl(child.id));
    const section = consoleSection();
    const status = section.locator('[data-testid="console-status"]');
    await status.waitFor();
    // 1 JSON line + 2,500 burst lines + 3 ticks + 1 warning + goodbye.
    expect(await status.textContent()).toBe('2,506 lines; showing the last 1,000. Show all');
    expect(await section.locator('.console-line').count()).toBe(1000);
    expect(await section.locator('.console-line .console-number').first().textContent()).toBe('1507');
    expect((await consoleTexts()).at(-1)).toBe('goodbye');
    await section.scrollIntoViewIfNeeded();
    await shot('03-tail');

    await section.getByRole('button', { name: 'Show all' }).click();
    await until('every line', async () => ((await section.locator('.console-line').count()) === 2506 ? true : undefined));
    expect((await consoleTexts())[1]).toBe('burst line 1');
  });

  it("says how console output is recorded when a run has none (CAIRN_CONSOLE=off)", async () => {
    const child = await startChild({ CAIRN_CONSOLE: 'off', FIXTURE_TICKS: '3' });
    expect(await child.exited).toBe(0);
    await page.goto(runUrl(child.id));
    // The files are there (uploaded at finish), output.log is not.
    await page.locator('[data-testid="files"] [data-path="cairn-metadata.json"]').waitFor();
    const empty = consoleSection().locator('[data-testid="console-empty"]');
    await empty.waitFor();
    expect(await empty.textContent()).toContain("init({ console: 'off' })");
    expect(await empty.textContent()).toContain('This run recorded no console output.');
    await consoleSection().scrollIntoViewIfNeeded();
    await shot('04-empty');
  });

  it('stops a running run from its page: asked to confirm, the script interrupted, the run killed', async () => {
    const child = await startChild({});
    await page.goto(runUrl(child.id));
    const stopButton = page.getByRole('button', { name: 'Stop run' });
    await stopButton.waitFor();
    await until('ticks in its console', async () => ((await consoleTexts()).length > 3 ? true : undefined));
    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.accept();
    });
    await stopButton.click();
    expect(asked).toMatch(/^Stop run .+\? Its script is interrupted and the run ends as killed\.$/);
    // The SDK finishes the run (exit code 255) and interrupts its script with SIGINT: no exit code.
    expect(await child.exited).toBeNull();
    await until('killed on the server', async () => ((await apiRun(child.id)).state === 'killed' ? true : undefined));
    expect((await apiRun(child.id)).exitCode).toBe(255);
    await until('the page showing it killed', async () => ((await page.locator('.run-head [data-state]').getAttribute('data-state')) === 'killed' ? true : undefined));
    expect(await page.getByRole('button', { name: 'Stop run' }).count()).toBe(0);
    await shot('05-stopped');
  });
});
