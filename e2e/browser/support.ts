/**
 * What every browser journey shares: Debian's Chromium (or CAIRN_CHROMIUM), a production
 * build of the dashboard, a polling helper, and where screenshots go.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { runColor } from '../../packages/web/src/lib/colors.js';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const screenshots = path.join(repo, 'test-results', 'screenshots');
export const CHROMIUM = process.env.CAIRN_CHROMIUM ?? '/usr/bin/chromium';
/** Why the browser suites are skipped, or undefined when Chromium is there. */
export const chromiumMissing = existsSync(CHROMIUM)
  ? undefined
  : `no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium) or set CAIRN_CHROMIUM`;

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The dashboard as it ships: a production build into `outDir` (packages/web/dist is left alone). */
export function buildWeb(outDir: string): void {
  mkdirSync(screenshots, { recursive: true });
  execFileSync(process.execPath, [path.join(repo, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: path.join(repo, 'packages', 'web'),
    // vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: 'inherit',
  });
}

/** Headless Chromium with the flags this machine needs (no sandbox as root, no background networking). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * How many pixels of a panel's canvas have (nearly) `color` (`#rrggbb`): a run's drawn line;
 * with `faint`, those drawn see-through (alpha 0.1–0.5), as the raw line behind a smoothed one.
 */
export function linePixels(page: Page, key: string, color: string, faint = false): Promise<number> {
  return page.evaluate<number>(`(() => {
    const panel = document.querySelector(${JSON.stringify(`[data-testid="panel"][data-key="${key}"]`)});
    const canvas = panel && panel.querySelector('canvas');
    if (!canvas || canvas.width === 0) return 0;
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(${JSON.stringify(color)}.slice(i, i + 2), 16));
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      const alpha = data[i + 3];
      if ((${faint} ? alpha > 25 && alpha < 128 : alpha > 200) && Math.abs(data[i] - r) < 40 && Math.abs(data[i + 1] - g) < 40 && Math.abs(data[i + 2] - b) < 40) n++;
    }
    return n;
  })()`);
}

/**
 * The colour a run (or a group's line, `group:<key>`) is drawn in: its swatch in the runs
 * table, where the workspace shows the colours its charts use; on a run page, the swatch by
 * its title; else the run's own colour.
 */
export async function drawnColor(page: Page, id: string): Promise<string> {
  const hex = await page.evaluate<string | null>(`(() => {
    const id = ${JSON.stringify(id)};
    const rows = [...document.querySelectorAll('[data-testid="runs-table"] tbody tr')];
    const row = rows.find((r) => (id.startsWith('group:') ? r.getAttribute('data-group') === id.slice(6) : r.getAttribute('data-run') === id));
    // On a run page, its swatch by the title.
    const swatch = row ? row.querySelector('.swatch') : document.querySelector('[data-testid="run-swatch"]');
    if (!swatch) return null;
    const style = getComputedStyle(swatch);
    const [r, g, b] = (row ? style.borderColor : style.backgroundColor).match(/\\d+/g).map(Number);
    return '#' + [r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('');
  })()`);
  return hex ?? runColor(id);
}
