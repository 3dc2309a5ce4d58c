/**
 * The workspace in real headless Chromium (Debian's `chromium`, driven by playwright-core),
 * against the real server serving the real dashboard build: six runs logged with the SDK in
 * two groups, then zoom (synced across panels, in the URL, surviving a reload), log scale,
 * the tooltip, an enlarged panel, grouping, the column picker, filters and "show N runs";
 * and a project of 2,000 runs, written straight into the ingest endpoint, for the
 * virtualised table. Each step leaves a screenshot (w-*) in test-results/screenshots/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb, chromiumMissing, launchChromium, screenshots, until, drawnColor, linePixels } from './support.js';
import type { Browser, Page } from 'playwright-core';
import { encodeRecordLine, RECORDS_CONTENT_TYPE, type SeriesRequest } from '@cairn/protocol';
import { init, type Run } from '@cairn/sdk';
import { startServer, type RunningServer } from '@cairn/server';
import { hashString, RUN_PALETTE, runColor } from '../../packages/web/src/lib/colors.js';
import { formatNumber } from '../../packages/web/src/lib/format.js';


if (chromiumMissing) it.skip(chromiumMissing, () => {});

const STEPS = 3000;
/** a-1's loss jumps to SPIKE for SPIKE_WIDTH steps: a couple of pixels, far above the rest. */
const SPIKE_STEP = 1500;
const SPIKE_WIDTH = 16;
const SPIKE = 8;

/** The six runs: two groups of three, with their learning rate, final accuracy and tags. */
const RUNS = [
  { name: 'a-1', group: 'sweep-a', lr: 0.1, acc: 0.95, scale: 2.0, tags: ['baseline'], spike: true },
  { name: 'a-2', group: 'sweep-a', lr: 0.05, acc: 0.91, scale: 2.3, tags: [], spike: false },
  { name: 'a-3', group: 'sweep-a', lr: 0.02, acc: 0.8, scale: 2.6, tags: [], spike: false },
  { name: 'b-1', group: 'sweep-b', lr: 0.01, acc: 0.7, scale: 1.2, tags: ['baseline'], spike: false },
  { name: 'b-2', group: 'sweep-b', lr: 0.005, acc: 0.85, scale: 1.4, tags: [], spike: false },
  { name: 'b-3', group: 'sweep-b', lr: 0.001, acc: 0.6, scale: 1.6, tags: [], spike: false },
];

/** Loss-like: a decay to a floor that differs per run, with noise. */
function lossAt(step: number, scale: number): number {
  return scale * Math.exp(-step / 700) + 0.1 * scale + 0.03 * Math.sin(step * 1.3) * Math.cos(step * 0.07);
}

const BULK_RUNS = 2000;

/** One bulk run's record log: what the SDK would write for a tiny finished run. */
function bulkRunBody(i: number): string {
  const id = `bulk${String(i).padStart(4, '0')}`;
  const records: object[] = [
    { t: 'header', version: 1, writer: 'workspace-test', writerId: 'w1', pid: 1, time: 1_700_000_000 },
    {
      t: 'run', id, project: 'big', entity: null, name: `bulk-${String(i).padStart(4, '0')}`, group: `g${i % 7}`, jobType: 'train', tags: i % 2 === 0 ? ['even'] : [],
      notes: null, startTime: 1_700_000_000 + i, startingStep: 0, resumed: false, sweepId: null, mode: 'online',
    },
    { t: 'config', update: { lr: (i % 100) / 1000, seed: i } },
  ];
  for (let step = 0; step < 3; step++) {
    records.push({ t: 'history', row: { loss: 1 / (step + 1 + (i % 10)), _step: step, _runtime: step, _timestamp: 1_700_000_000 + i + step } });
  }
  records.push({ t: 'exit', exitCode: 0, runtime: 3, time: 1_700_000_003 + i });
  return records.map((record) => encodeRecordLine(record, crc32)).join('');
}

describe.skipIf(chromiumMissing !== undefined)('the workspace in Chromium', { timeout: 300_000 }, () => {
  const temp = mkdtempSync(path.join(os.tmpdir(), 'cairn-workspace-'));
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const runs = new Map<string, Run>();
  const seriesRequests: SeriesRequest[] = [];
  const runListRequests: URL[] = [];

  const shot = async (name: string) => {
    await page.screenshot({ path: path.join(screenshots, `w-${name}.png`), fullPage: false });
  };
  const panel = (key: string) => page.locator(`[data-testid="panel"][data-key="${key}"]`);
  const runId = (name: string) => runs.get(name)!.id;

  /** The x-range a panel's chart shows (the axis is canvas; the chart mirrors its scale in the DOM). */
  const xScale = async (key: string): Promise<[number, number]> => {
    const chart = panel(key).locator('[data-testid="chart"]');
    return [Number(await chart.getAttribute('data-x-min')), Number(await chart.getAttribute('data-x-max'))];
  };

  /** The plot area of a panel (uPlot's overlay, where the mouse works). */
  const plotBox = async (key: string) => {
    const box = await panel(key).locator('.u-over').boundingBox();
    if (!box) throw new Error(`no plot for ${key}`);
    return box;
  };

  const tableNames = () => page.locator('[data-testid="runs-table"] tbody tr[data-run] td.name-col').allTextContents();
  /** The header labels (without the sort marks). */
  const headers = () =>
    page.locator('[data-testid="runs-table"] thead th').evaluateAll((cells) => cells.map((cell) => (cell.querySelector('.sort-label') ?? cell).textContent ?? ''));

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    // The dashboard as it ships: a production build, into a temp dir (leaves packages/web/dist alone).
    const webRoot = path.join(temp, 'web');
    buildWeb(webRoot);
    server = await startServer({ port: 0, dataDir: path.join(temp, 'data'), quiet: true, webRoot });

    const dir = path.join(temp, 'runs');
    mkdirSync(dir);
    for (const spec of RUNS) {
      const run = await init({
        baseUrl: server.url,
        project: 'ws',
        name: spec.name,
        group: spec.group,
        jobType: 'train',
        tags: spec.tags,
        dir,
        silent: true,
        config: { lr: spec.lr, optimizer: spec.group === 'sweep-a' ? 'sgd' : 'adam' },
      });
      for (let step = 0; step < STEPS; step++) {
        const loss = spec.spike && step >= SPIKE_STEP && step < SPIKE_STEP + SPIKE_WIDTH ? SPIKE : lossAt(step, spec.scale);
        run.log({ loss, acc: step === STEPS - 1 ? spec.acc : Math.min(0.99, spec.acc * (1 - Math.exp(-step / 60))) });
      }
      await run.finish();
      runs.set(spec.name, run);
    }

    // 2,000 runs straight into the ingest endpoint, a few at a time.
    const queue = Array.from({ length: BULK_RUNS }, (_, i) => i);
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
          const id = `bulk${String(i).padStart(4, '0')}`;
          const response = await fetch(`${server.url}/api/v1/projects/local/big/runs/${id}/records?writer=w1&first=0`, {
            method: 'POST',
            headers: { 'content-type': RECORDS_CONTENT_TYPE },
            body: bulkRunBody(i),
          });
          if (!response.ok) throw new Error(`ingest of ${id}: ${response.status} ${await response.text()}`);
        }
      }),
    );

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/api/v1/series') seriesRequests.push(JSON.parse(request.postData() ?? '{}') as SeriesRequest);
      if (url.pathname.endsWith('/runs') && request.method() === 'GET') runListRequests.push(url);
    });
    page.on('pageerror', (error) => console.error('page error:', error));
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(temp, { recursive: true, force: true });
  }, 120_000);

  it('opens the workspace: six runs, their panels drawn', async () => {
    await page.goto(`${server.url}/local/ws`);
    await until('six runs', async () => ((await tableNames()).length === 6 ? true : undefined));
    for (const key of ['loss', 'acc']) {
      await until(`${key} drawn`, async () => ((await linePixels(page, key, await drawnColor(page, runId('a-1')))) > 30 ? true : undefined));
    }
    expect(await page.getByTestId('run-count').textContent()).toContain('6 of 6 runs visible · 6 runs charted');
    await shot('01-workspace');
  });

  it('fits a wide monitor: the page capped at 1800 px and centred, the panels side by side', async () => {
    await page.setViewportSize({ width: 2560, height: 1440 });
    try {
      await page.goto(`${server.url}/local/ws`);
      await until('six runs', async () => ((await tableNames()).length === 6 ? true : undefined));
      for (const key of ['loss', 'acc']) {
        await until(`${key} drawn`, async () => ((await linePixels(page, key, await drawnColor(page, runId('a-1')))) > 30 ? true : undefined));
      }
      const main = (await page.locator('main.page').boundingBox())!;
      expect(main.width).toBe(1800);
      expect(Math.abs(main.x - (2560 - main.x - main.width))).toBeLessThanOrEqual(1);
      const [loss, acc] = await Promise.all(['loss', 'acc'].map(async (key) => (await page.locator(`[data-testid="panel"][data-key="${key}"]`).boundingBox())!));
      expect(acc!.y).toBe(loss!.y);
      const [left, right] = acc!.x < loss!.x ? [acc!, loss!] : [loss!, acc!];
      expect(right.x).toBeGreaterThanOrEqual(left.x + left.width);
      // The runs table spans the card: no column is squeezed into a horizontal scroll.
      const scroller = page.getByTestId('runs-scroll');
      expect(await scroller.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
      await shot('01b-wide-monitor');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('zooms by dragging: the range is re-queried at full resolution, synced across panels, kept in the URL', async () => {
    const [fullFrom, fullTo] = await xScale('loss');
    expect(fullFrom).toBe(0);
    expect(fullTo).toBe(STEPS - 1);
    const box = await plotBox('loss');
    const before = seriesRequests.length;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.45, box.y + box.height / 2, { steps: 4 });
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();

    const zoom = await until('the zoom in the URL', () => new URL(page.url()).searchParams.get('zoom:_step') ?? undefined);
    const [from, to] = zoom.split(',').map(Number) as [number, number];
    expect(from).toBeGreaterThan(STEPS * 0.25);
    expect(to).toBeLessThan(STEPS * 0.65);
    const zoomed = await until('a zoomed series request', () =>
      seriesRequests.slice(before).find((r) => r.keys[0] === 'loss' && r.range?.[0] === from && r.range[1] === to),
    );
    expect(zoomed.buckets).toBeGreaterThan(200);
    await until('the loss axis zoomed', async () => ((await xScale('loss')).join() === `${from},${to}` ? true : undefined));
    // The acc panel is on the same x-axis: its zoom follows.
    await until('the acc axis zoomed too', async () => ((await xScale('acc')).join() === `${from},${to}` ? true : undefined));
    expect(await panel('acc').getAttribute('data-zoom')).toBe(zoom);
    await shot('02-zoomed');

    await page.reload();
    await until('the zoom after a reload', async () => ((await xScale('loss')).join() === `${from},${to}` ? true : undefined));

    const again = await plotBox('loss');
    await page.mouse.dblclick(again.x + again.width / 2, again.y + again.height / 2);
    await until('the zoom reset', async () => (!new URL(page.url()).searchParams.has('zoom:_step') ? true : undefined));
    await until('the full range again', async () => ((await xScale('loss')).join() === `0,${STEPS - 1}` ? true : undefined));
    expect(await panel('acc').getAttribute('data-zoom')).toBeNull();
  });

  it('switches a panel to a logarithmic y-axis, kept in the URL', async () => {
    const toggle = panel('loss').getByRole('button', { name: 'Logarithmic y-axis for loss' });
    await toggle.click();
    await until('log in the URL', () => (new URL(page.url()).searchParams.get('log') === 'loss' ? true : undefined));
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    expect(await panel('loss').getAttribute('data-log')).toBe('true');
    expect(await panel('acc').getAttribute('data-log')).toBeNull();
    await until('the log chart drawn', async () => ((await linePixels(page, 'loss', await drawnColor(page, runId('a-1')))) > 30 ? true : undefined));
    await shot('03-log-scale');
    await toggle.click();
    await until('log off', () => (!new URL(page.url()).searchParams.has('log') ? true : undefined));
  });

  it('shows each run\'s value under the cursor, with min and max where a bucket holds many points', async () => {
    const [from, to] = await xScale('loss');
    const box = await plotBox('loss');
    const x = box.x + ((SPIKE_STEP + SPIKE_WIDTH / 2 - from) / (to - from)) * box.width;
    await page.mouse.move(x, box.y + box.height * 0.7);
    const tooltip = panel('loss').getByTestId('tooltip');
    await tooltip.waitFor();
    const text = (await tooltip.textContent()) ?? '';
    for (const spec of RUNS) expect(text).toContain(spec.name);
    expect(text).toContain('step');
    // 3,000 steps over about 340 pixels: the bucket under the cursor holds several points.
    expect(text).toMatch(/min [\d.]+ · max [\d.]+ · \d+ pts/);
    // The spike is a couple of pixels wide; the bucket under the cursor reports it.
    const spiky = (await tooltip.locator(`[data-line="${runId('a-1')}"]`).textContent()) ?? '';
    expect(spiky).toContain(`max ${SPIKE}`);
    await shot('04-tooltip');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height + 120);
    await until('the tooltip gone', async () => ((await tooltip.count()) === 0 ? true : undefined));
  });

  it('works from the keyboard: arrows move the cursor and its tooltip, + and − zoom, 0 resets', async () => {
    const chart = panel('loss').getByTestId('chart');
    expect(await chart.getAttribute('aria-label')).toMatch(/arrow keys move the cursor, \+ and − zoom, 0 resets the zoom$/);
    await chart.focus();
    const tooltip = panel('loss').getByTestId('tooltip');
    for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowRight');
    await tooltip.waitFor();
    expect(await tooltip.textContent()).toContain('step');
    // The cursor is a fifth of the way in: + halves the range around it.
    await page.keyboard.press('+');
    const zoom = await until('a zoom in the URL', () => new URL(page.url()).searchParams.get('zoom:_step') ?? undefined);
    const [from, to] = zoom.split(',').map(Number) as [number, number];
    expect(to - from).toBeCloseTo((STEPS - 1) / 2, 0);
    expect(from).toBe(0);
    await until('the loss axis zoomed', async () => ((await xScale('loss')).join() === `${from},${to}` ? true : undefined));
    await shot('04b-keyboard-zoom');
    // − from half the range reaches the whole series: the zoom goes.
    await page.keyboard.press('-');
    await until('the zoom gone', async () => (!new URL(page.url()).searchParams.has('zoom:_step') ? true : undefined));
    await page.keyboard.press('+');
    await until('zoomed again', () => new URL(page.url()).searchParams.get('zoom:_step') ?? undefined);
    await page.keyboard.press('0');
    await until('reset with 0', async () => (!new URL(page.url()).searchParams.has('zoom:_step') ? true : undefined));
    // The cursor leaves with the focus.
    await page.keyboard.press('Tab');
    await until('the tooltip gone', async () => ((await tooltip.count()) === 0 ? true : undefined));
  });

  it('enlarges a panel to the full width, fetching for its new width; Escape closes it', async () => {
    const before = seriesRequests.length;
    const narrow = (await plotBox('loss')).width;
    await panel('loss').getByRole('button', { name: 'Enlarge loss' }).click();
    const dialog = page.getByRole('dialog', { name: 'loss, enlarged' });
    await dialog.waitFor();
    const wide = await until('the wide plot', async () => {
      const width = (await plotBox('loss')).width;
      return width > 1000 ? width : undefined;
    });
    expect(wide).toBeGreaterThan(narrow * 2);
    const request = await until('a request for the wide plot', () => seriesRequests.slice(before).find((r) => r.keys[0] === 'loss' && r.buckets > 1000));
    expect(request.runs).toHaveLength(6);
    await until('the enlarged chart drawn', async () => ((await linePixels(page, 'loss', await drawnColor(page, runId('b-1')))) > 100 ? true : undefined));
    await shot('05-enlarged');
    await page.keyboard.press('Escape');
    await until('the dialog closed', async () => ((await dialog.count()) === 0 ? true : undefined));
    expect(await panel('loss').getAttribute('class')).toBe('panel');
  });

  it('groups runs: group rows that expand, each group drawn as its mean with a min–max band', async () => {
    const before = seriesRequests.length;
    await page.getByTestId('group-by').selectOption('group');
    await until('groupby in the URL', () => (new URL(page.url()).searchParams.get('groupby') === 'group' ? true : undefined));
    const groupRows = page.locator('[data-testid="runs-table"] tbody tr[data-group]');
    await until('two group rows', async () => ((await groupRows.count()) === 2 ? true : undefined));
    expect((await groupRows.locator('.group-label').allTextContents()).sort()).toEqual(['sweep-a', 'sweep-b']);
    expect(await tableNames()).toEqual([]);

    // One grid for every run: the extent first (one bucket each), then that range.
    const grouped = await until('the grouped loss request', () => seriesRequests.slice(before).find((r) => r.keys[0] === 'loss' && r.range !== undefined && r.runs.length === 6));
    expect(grouped.range).toEqual([0, STEPS - 1]);
    expect(seriesRequests.slice(before).some((r) => r.keys[0] === 'loss' && r.buckets === 1)).toBe(true);

    const sweepA = 'group:"sweep-a"';
    const legend = panel('loss').locator(`[data-testid="legend"] [data-group='${sweepA}']`);
    await legend.waitFor();
    expect(await legend.locator('.legend-name').textContent()).toBe('sweep-a (3)');
    const meanLast = RUNS.filter((r) => r.group === 'sweep-a').reduce((sum, r) => sum + lossAt(STEPS - 1, r.scale), 0) / 3;
    expect(await legend.locator('.legend-value').textContent()).toBe(formatNumber(meanLast));
    await until('the mean line drawn', async () => ((await linePixels(page, 'loss', await drawnColor(page, sweepA))) > 30 ? true : undefined));

    const box = await plotBox('loss');
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
    const tooltip = panel('loss').getByTestId('tooltip');
    await tooltip.waitFor();
    expect(await tooltip.textContent()).toContain('mean of 3 runs');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height + 120);

    const expand = groupRows.filter({ hasText: 'sweep-a' }).locator('.group-toggle');
    expect(await expand.getAttribute('aria-expanded')).toBe('false');
    await expand.click();
    await until('the group\'s runs', async () => ((await tableNames()).sort().join() === 'a-1,a-2,a-3' ? true : undefined));
    await shot('06-grouped');
    expect(await expand.getAttribute('aria-expanded')).toBe('true');
    await expand.click();
    await page.getByTestId('group-by').selectOption('');
    await until('ungrouped', async () => ((await tableNames()).length === 6 ? true : undefined));
  });

  it('picks and orders the table\'s columns, keeping the choice in the URL', async () => {
    await page.getByRole('button', { name: /^Columns/ }).click();
    const picker = page.getByTestId('column-picker');
    await picker.waitFor();
    await picker.getByRole('searchbox').fill('lr');
    await picker.getByRole('button', { name: 'Add config.lr' }).click();
    await until('config.lr shown last', async () => ((await headers()).at(-1) === 'config.lr' ? true : undefined));
    await picker.getByRole('button', { name: 'Move config.lr left' }).click();
    await picker.getByRole('button', { name: 'Remove Tags' }).click();
    await picker.getByRole('searchbox').fill('job');
    await picker.getByRole('button', { name: 'Add Job type' }).click();
    const shown = await until('the new columns', async () => {
      const texts = await headers();
      return texts.includes('Job type') && !texts.includes('Tags') ? texts : undefined;
    });
    expect(shown.indexOf('config.lr')).toBe(shown.length - 3);
    const cols = new URL(page.url()).searchParams.get('cols')!.split(',');
    expect(cols.slice(-3)).toEqual(['config.lr', 'summary.loss', 'jobType']);
    const row = page.locator(`[data-testid="runs-table"] tr[data-run="${runId('b-2')}"]`);
    expect(await row.locator('td').nth(shown.indexOf('config.lr')).textContent()).toBe('0.005');
    expect(await row.locator('td').nth(shown.indexOf('Job type')).textContent()).toBe('train');
    await shot('07-columns');
    await page.keyboard.press('Escape');
    await until('the picker closed', async () => ((await picker.count()) === 0 ? true : undefined));

    // Sorting by a config column: every run is loaded, so the browser sorts them as the server would.
    await page.locator('[data-testid="runs-table"] th', { hasText: 'config.lr' }).getByRole('button').click();
    await until('sorted by lr, largest first', async () => ((await tableNames()).join() === 'a-1,a-2,a-3,b-1,b-2,b-3' ? true : undefined));
    expect(new URL(page.url()).searchParams.get('sort')).toBe('config.lr');
  });

  it('filters by numeric comparisons, state and tags, sent as the server\'s filter parameters', async () => {
    const filter = page.getByPlaceholder('Filter runs by name or id');
    await filter.focus();
    await page.locator('.filter-help').waitFor();
    await shot('08-filter-help');
    await filter.fill('summary.acc > 0.9');
    await until('the accurate runs', async () => ((await tableNames()).sort().join() === 'a-1,a-2' ? true : undefined));
    const request = runListRequests.filter((url) => url.searchParams.has('filter')).at(-1)!;
    expect(JSON.parse(request.searchParams.get('filter')!)).toEqual([{ field: 'summary.acc', op: '>', value: 0.9 }]);
    expect(await page.getByTestId('filter-chips').textContent()).toContain('summary.acc > 0.9');
    await shot('08-filter-numeric');

    await filter.fill('config.lr <= 0.01 state:finished');
    await until('the small learning rates', async () => ((await tableNames()).sort().join() === 'b-1,b-2,b-3' ? true : undefined));
    await filter.fill('tag:baseline');
    await until('the baselines', async () => ((await tableNames()).sort().join() === 'a-1,b-1' ? true : undefined));
    await filter.fill('summary.acc >');
    await until('the unfinished comparison reported', async () => ((await page.getByTestId('filter-chips').textContent())?.includes('“summary.acc >” needs a value') ? true : undefined));
    // An unfinished comparison filters nothing: every run comes back (after the table refetches).
    await until('every run while the comparison is unfinished', async () => ((await tableNames()).length === 6 ? true : undefined));
    await filter.fill('');
    await until('every run again', async () => ((await tableNames()).length === 6 ? true : undefined));
  });

  it('charts the first N visible runs, hiding and showing in the URL', async () => {
    await page.getByTestId('shown-count').selectOption('1');
    const legendRuns = () => panel('loss').locator('[data-testid="legend"] [data-run]').evaluateAll((items) => items.map((item) => item.getAttribute('data-run')));
    // Sorted by lr, largest first: a-1 is the first visible run.
    await until('one run charted', async () => ((await legendRuns()).join() === runId('a-1') ? true : undefined));
    expect(new URL(page.url()).searchParams.get('show')).toBe('1');
    await page.getByRole('button', { name: 'Hide a-1 in charts' }).click();
    await until('the next visible run charted', async () => ((await legendRuns()).join() === runId('a-2') ? true : undefined));
    expect(new URL(page.url()).searchParams.get('hide')).toBe(runId('a-1'));
    await shot('09-show-n');
    await page.reload();
    await until('the same runs after a reload', async () => ((await legendRuns()).join() === runId('a-2') ? true : undefined));
    await page.getByRole('button', { name: 'Show all runs' }).click();
    await page.getByTestId('shown-count').selectOption('10');
    await until('every run charted', async () => ((await legendRuns()).length === 6 ? true : undefined));
  });

  it('reads well in the dark theme: groups, tooltip, column picker', async () => {
    await page.goto(`${server.url}/local/ws?groupby=group&log=loss`);
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    await page.locator('[data-testid="runs-table"] tbody tr[data-group]').first().waitFor();
    await until('the mean lines drawn', async () => ((await linePixels(page, 'acc', await drawnColor(page, 'group:"sweep-a"'))) > 30 ? true : undefined));
    const box = await plotBox('loss');
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    await panel('loss').getByTestId('tooltip').waitFor();
    await shot('12-dark');
    await page.getByRole('button', { name: /^Columns/ }).click();
    await page.getByTestId('column-picker').waitFor();
    await shot('13-dark-columns');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
  });

  it('loads 2,000 runs page by page into a virtualised table that scrolls to the last one', async () => {
    await page.goto(`${server.url}/local/big?sort=name&order=asc`);
    await until('every run loaded', async () => ((await page.getByTestId('run-count').textContent())?.includes('of 2,000 runs visible') ? true : undefined));
    expect(runListRequests.filter((url) => url.pathname.includes('/big/') && url.searchParams.has('cursor')).length).toBeGreaterThanOrEqual(1);
    const rows = page.locator('[data-testid="runs-table"] tbody tr');
    const rendered = await rows.count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(60);
    expect((await tableNames())[0]).toBe('bulk-0000');
    expect(await page.getByTestId('runs-table').getAttribute('aria-rowcount')).toBe(String(BULK_RUNS + 1));
    await shot('10-virtual-top');

    const scroller = page.getByTestId('runs-scroll');
    await scroller.evaluate((element) => element.scrollTo({ top: element.scrollHeight / 2 }));
    await until('the middle rows', async () => ((await tableNames()).includes('bulk-1000') ? true : undefined));
    await scroller.evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
    await until('the last run', async () => ((await tableNames()).at(-1) === 'bulk-1999' ? true : undefined));
    expect(await rows.count()).toBeLessThan(60);
    // The last row is really in view, not just in the DOM.
    const last = page.locator('[data-testid="runs-table"] tr', { hasText: 'bulk-1999' });
    const [rowBox, scrollBox] = await Promise.all([last.boundingBox(), scroller.boundingBox()]);
    expect(rowBox!.y + rowBox!.height).toBeLessThanOrEqual(scrollBox!.y + scrollBox!.height + 1);
    expect(rowBox!.y).toBeGreaterThanOrEqual(scrollBox!.y);
    await shot('11-virtual-end');

    // Every run is loaded: a new sort is the browser's, without fetching 2,000 runs again.
    const requestsBefore = runListRequests.length;
    await page.locator('[data-testid="runs-table"] th', { hasText: 'Name' }).getByRole('button').click();
    await until('descending by name', async () => ((await tableNames()).at(-1) === 'bulk-0000' ? true : undefined));
    expect(new URL(page.url()).searchParams.get('order')).toBeNull();
    expect(runListRequests.length).toBe(requestsBefore);
  });

  it('lists every charted run in a long legend: the first entries with the chart, the rest after', async () => {
    await page.goto(`${server.url}/local/big?sort=name&order=asc&show=40`);
    const entries = page.locator('[data-testid="panel"][data-key="loss"] [data-testid="legend"] [data-run]');
    await until('all 40 legend entries', async () => ((await entries.count()) === 40 ? true : undefined));
    const names = await entries.locator('.legend-name').allTextContents();
    expect(names[0]).toBe('bulk-0000');
    expect(names.at(-1)).toBe('bulk-0039');
    await shot('long-legend');
  });
  it('shows a run in the colour the workspace gave it on its run page, in another tab too', async () => {
    // Two runs whose own colours are the same: the second, in id order, is displaced.
    const slot = (id: string) => hashString(id) % RUN_PALETTE.length;
    const candidates = Array.from({ length: 64 }, (_, i) => `colour${String(i).padStart(2, '0')}`);
    const first = candidates[0]!;
    const displaced = candidates.find((id) => id !== first && slot(id) === slot(first))!;
    for (const [n, id] of [first, displaced].entries()) {
      const run = await init({ baseUrl: server.url, project: 'colours', id, name: id, dir: path.join(temp, 'runs'), silent: true });
      // Lines that cross, so that each shows.
      run.log({ loss: n === 0 ? 1 : 0.2 });
      run.log({ loss: n === 0 ? 0.5 : 0.9 });
      await run.finish();
    }
    await page.goto(`${server.url}/local/colours`);
    await until('both runs', async () => ((await tableNames()).length === 2 ? true : undefined));
    const color = await drawnColor(page, displaced);
    expect(color).not.toBe(runColor(displaced));
    await until('the displaced run drawn in its colour', async () => ((await linePixels(page, 'loss', color)) > 10 ? true : undefined));

    await page.locator('[data-testid="runs-table"] a', { hasText: displaced }).click();
    await page.waitForURL(`${server.url}/local/colours/runs/${displaced}`);
    await page.getByTestId('run-swatch').waitFor();
    expect(await drawnColor(page, displaced)).toBe(color);
    await until('the run page\'s chart in that colour', async () => ((await linePixels(page, 'loss', color)) > 10 ? true : undefined));
    await shot('14-run-page-colour');
    // Opened in another tab of the same browser, as from a link: the same colour.
    const tab = await page.context().newPage();
    await tab.goto(`${server.url}/local/colours/runs/${displaced}`);
    await tab.getByTestId('run-swatch').waitFor();
    expect(await drawnColor(tab, displaced)).toBe(color);
    await tab.close();
  });
});
