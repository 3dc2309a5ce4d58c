/**
 * One chart panel of many long runs, in headless Chromium: from opening the panel to its
 * lines on screen, warm (the server's chunk cache holds the data: every open after the
 * first), with the draw (uPlot alone) timed apart.
 *
 * Data: 100 runs × 1,000,000 steps of `loss`. Loading 100,000,000 rows through
 * store.applyBatch would take 4–15 minutes here, so 10 runs are loaded that way and each is
 * copied 9 times in the store's SQLite file (its row in `runs` under a new id and name, and
 * its series chunks; not its history rows, which no chart reads): 100 runs whose series the
 * server reads like any other, in 10 shapes.
 *
 * Opening the panel: the workspace is loaded with a panel search matching no key; the
 * search box is then set to `loss` (an input event, as typing would), and the time runs
 * from that event until the frame that shows a line in the panel's canvas has been painted.
 * The page's resource timing of the POST /series splits it: before the request (React,
 * mounting, measuring), the request, and the answer until pixels (parse, chart data, React,
 * uPlot). The draw alone: uPlot's setData on its own data, synchronously (`batch`), then a
 * 1-pixel getImageData, which makes Chromium rasterise what was drawn.
 *
 * The workspace charts the first 10 runs by default; the same opens are then timed with all
 * 100 charted (`?show=100`), the chart of 100 runs the target names.
 *
 * Baseline in the same run: the same POST /series (the body the panel sent, captured) made
 * with fetch from the page, until its answer's bytes are in. Target: ≤ 150 ms warm.
 *
 * After the figures, where the time goes in the chart of 100 runs (the case that was missing
 * the target; not figures: the tools slow the page): a Chromium trace of one more warm open,
 * the renderer main thread's self time by kind of work before the request and after the
 * answer; and a CPU profile of one in an unminified build of the same source, by module and
 * function.
 *
 *     node --conditions=source --import tsx bench/web-chart.ts
 */
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { machineLine, makeTempDir, removeTempDir, reportResult } from './lib/harness.js';
import { formatMillis, medianAndP95 } from './lib/stats.js';
import {
  againstTarget, browserLine, buildWeb, buildWebUnminified, chromiumMissing, closePage, cpuProfile, ENTITY, formatBytes, inked, launchBrowser, loadRun,
  openPage, pad, panelSelector, printProfile, printTrace, randomStream, summarizeTrace, traceMainThread, resources, serveBuildTo, settle, startWebServer, waitForMark, webSourceLine, type Mark,
} from './lib/browser.js';

const PROJECT = 'chart';
const KEY = 'loss';
const RUNS = 100;
const STEPS = 1_000_000;
/** Runs loaded through store.applyBatch; the others are copies of them. */
const LOADED_RUNS = 10;
/**
 * Loading: 10,000 rows per applyBatch (several times faster here than 1,000: fewer rewrites of
 * part-filled chunks), rows of `loss` and `_step` only: the chart is drawn against `_step`,
 * and `_runtime` / `_timestamp` would triple the series written.
 */
const ROWS_PER_BATCH = 10_000;
const WARM_OPENS = 7;
const BASELINE_FETCHES = 9;
const DRAWS = 12;
const TARGET_MS = 150;
/**
 * Copies runs in the store's SQLite file until there are `total`: run i is a copy of
 * `sources[i % sources.length]`, its `runs` row under the id `c<i>` and the name
 * `sweep-<i>`, started 600 s after the one before, with its series chunks; not its history
 * rows (no chart reads them). The server, running, reads them like any other run. Returns the
 * new ids.
 */
function copyRuns(file: string, sources: readonly string[], total: number): string[] {
  const db = new BetterSqlite3(file);
  try {
    db.pragma('busy_timeout = 10000');
    const columns = (table: string) => (db.pragma(`table_info(${table})`) as Array<{ name: string }>).map((c) => c.name);
    const runColumns = columns('runs').filter((c) => c !== 'pk');
    const chunkColumns = columns('series_chunks').filter((c) => c !== 'run_pk');
    const set: Record<string, string> = { run_id: '@id', name: '@name', created_at: '@start', updated_at: '@start', start_time: '@start', heartbeat_at: '@start' };
    const insertRun = db.prepare(`INSERT INTO runs (${runColumns.join(', ')}) SELECT ${runColumns.map((c) => set[c] ?? c).join(', ')} FROM runs WHERE pk = @source`);
    const insertChunks = db.prepare(`INSERT INTO series_chunks (run_pk, ${chunkColumns.join(', ')}) SELECT @pk, ${chunkColumns.join(', ')} FROM series_chunks WHERE run_pk = @source`);
    const pkOf = db.prepare('SELECT pk FROM runs WHERE run_id = ?').pluck();
    const ids: string[] = [];
    db.transaction(() => {
      for (let i = sources.length; i < total; i++) {
        const id = `c${pad(i, 3)}`;
        const source = pkOf.get(sources[i % sources.length]) as number;
        const { lastInsertRowid } = insertRun.run({ id, name: `sweep-${pad(i, 3)}`, start: 1.7e9 + i * 600, source });
        insertChunks.run({ pk: lastInsertRowid, source });
        ids.push(id);
      }
    })();
    return ids;
  } finally {
    db.close();
  }
}

/** A panel search that matches no key: the workspace without panels. */
const NO_PANEL = 'zz-no-such-panel';
const SEARCH_BOX = 'input[placeholder="Search panels"]';

const started = performance.now();

function lossValue(step: number, run: number, noise: number): number {
  return 2.3 / (1 + step * 1e-4 * (1 + run * 0.02)) + 0.05 + (noise - 0.5) * 0.08;
}

/** Sets the panel search as typing would (React hears the input event); returns the page time of the event. */
function setPanelSearch(page: Page, value: string, watch: string | undefined): Promise<number> {
  return page.evaluate<number>(`(() => {
    const input = document.querySelector(${JSON.stringify(SEARCH_BOX)});
    if (!input) throw new Error('no panel search box');
    ${watch ? `window.__bench.watch('open', () => ${watch});` : ''}
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
    const t0 = performance.now();
    setValue.call(input, ${JSON.stringify(value)});
    input.dispatchEvent(new Event('input', { bubbles: true }));
    return t0;
  })()`);
}

interface Open {
  /** Page times: the input event, the series request sent and answered, the lines painted. */
  at: { input: number; requestStart: number; responseEnd: number; painted: number };
  totalMs: number;
  beforeRequestMs: number;
  requestMs: number;
  afterAnswerMs: number;
  requests: number;
  answerBytes: number;
}

/** Opens the panel (from the workspace without panels) and times it; closes it again after. */
async function openPanel(page: Page): Promise<Open> {
  const t0 = await setPanelSearch(page, KEY, inked(panelSelector(KEY)));
  const mark: Mark = await waitForMark(page, 'open');
  const series = (await resources(page, '/api/v1/series', t0)).filter((r) => r.responseEnd > 0 && r.responseEnd <= mark.painted);
  const last = series[series.length - 1];
  const open: Open = {
    at: { input: t0, requestStart: last?.start ?? NaN, responseEnd: last?.responseEnd ?? NaN, painted: mark.painted },
    totalMs: mark.painted - t0,
    beforeRequestMs: last ? last.start - t0 : NaN,
    requestMs: last ? last.responseEnd - last.start : NaN,
    afterAnswerMs: last ? mark.painted - last.responseEnd : NaN,
    requests: series.length,
    answerBytes: last?.bytes ?? 0,
  };
  await setPanelSearch(page, NO_PANEL, undefined);
  await page.waitForFunction(`document.querySelector(${JSON.stringify(panelSelector(KEY))}) === null`, undefined, { polling: 50 });
  await settle(page, 300);
  return open;
}

/**
 * A keystroke in the panel search that shows no panel either: the workspace's own re-render,
 * from the input event until the next frame is painted.
 */
async function timeKeystroke(page: Page, value: string): Promise<number> {
  return page.evaluate<number>(`(async () => {
    const input = document.querySelector(${JSON.stringify(SEARCH_BOX)});
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
    const t0 = performance.now();
    setValue.call(input, ${JSON.stringify(value)});
    input.dispatchEvent(new Event('input', { bubbles: true }));
    return (await window.__bench.nextPaint()) - t0;
  })()`);
}

/** The workspace, without panels, with its runs table loaded; `query` adds to the URL (`&show=100`). */
async function openWorkspace(page: Page, url: string, query = ''): Promise<void> {
  await page.goto(`${url}/${ENTITY}/${PROJECT}?panels=${NO_PANEL}${query}`);
  await page.locator('[data-testid="runs-table"] tbody tr').first().waitFor();
  await settle(page, 500);
}

function describeOpen(label: string, open: Omit<Open, 'at'>): string {
  return `${label.padEnd(38)} ${formatMillis(open.totalMs).padStart(9)}   (before the request ${formatMillis(open.beforeRequestMs)}, /series ${formatMillis(open.requestMs)}, answer → pixels ${formatMillis(open.afterAnswerMs)}${open.requests > 1 ? `; ${open.requests} series requests` : ''})`;
}

interface DrawTimes {
  setData: number[];
  flushed: number[];
  redraw: number[];
  /** setData + raster without the app's drawing hooks. */
  bare: number[];
  hooks: string[];
  lines: number;
  width: number;
  height: number;
}

/** uPlot's draw alone: setData on its own data (scales, paths, paint), and a repaint of the cached paths. */
function timeDraws(page: Page): Promise<DrawTimes | null> {
  return page.evaluate<DrawTimes | null>(`(() => {
    const canvas = document.querySelector(${JSON.stringify(`${panelSelector(KEY)} canvas`)});
    const plot = window.__bench.plotOf(canvas);
    if (!plot) return null;
    const ctx = plot.ctx;
    const setData = [], flushed = [], redraw = [];
    for (let i = 0; i < ${DRAWS}; i++) {
      let t0 = performance.now();
      plot.batch(() => plot.setData(plot.data));
      const t1 = performance.now();
      ctx.getImageData(0, 0, 1, 1);
      setData.push(t1 - t0);
      flushed.push(performance.now() - t0);
      t0 = performance.now();
      plot.batch(() => plot.redraw(false, false));
      ctx.getImageData(0, 0, 1, 1);
      redraw.push(performance.now() - t0);
    }
    // The same without the app's drawing hooks (its min–max bands are drawn in one).
    const saved = {};
    for (const name of ['drawClear', 'drawAxes', 'drawSeries', 'draw']) {
      if (plot.hooks[name]) {
        saved[name] = plot.hooks[name];
        plot.hooks[name] = [];
      }
    }
    const bare = [];
    for (let i = 0; i < ${DRAWS}; i++) {
      const t0 = performance.now();
      plot.batch(() => plot.setData(plot.data));
      ctx.getImageData(0, 0, 1, 1);
      bare.push(performance.now() - t0);
    }
    Object.assign(plot.hooks, saved);
    plot.batch(() => plot.setData(plot.data));
    return { setData, flushed, redraw, bare, hooks: Object.keys(saved), lines: plot.series.length - 1, width: plot.width, height: plot.height };
  })()`);
}

interface FetchTimes {
  times: number[];
  /** JSON.parse of a JSON answer; empty for a binary one (the page decodes that itself). */
  parseMs: number[];
  bytes: number;
  format: string;
}

/** The raw request: the same body and accept header, fetched in the page until its bytes are in (a JSON answer also parsed). */
function timeFetches(page: Page, body: string, accept: string, count: number): Promise<FetchTimes> {
  return page.evaluate<FetchTimes>(`(async () => {
    const times = [], parseMs = [];
    let bytes = 0, format = '';
    for (let i = 0; i < ${count}; i++) {
      const t0 = performance.now();
      const response = await fetch('/api/v1/series', { method: 'POST', headers: { 'content-type': 'application/json', accept: ${JSON.stringify(accept)} }, body: ${JSON.stringify(body)} });
      if (!response.ok) throw new Error('series request failed: ' + response.status);
      format = response.headers.get('content-type') || '';
      if (format.includes('json')) {
        const text = await response.text();
        const p0 = performance.now();
        JSON.parse(text);
        parseMs.push(performance.now() - p0);
        bytes = text.length;
      } else {
        bytes = (await response.arrayBuffer()).byteLength;
      }
      times.push(performance.now() - t0);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { times, parseMs, bytes, format };
  })()`);
}

const median = (values: readonly number[]) => medianAndP95(values).median;

async function main(): Promise<void> {
  console.log(machineLine());
  console.log(webSourceLine());
  const missing = chromiumMissing();
  if (missing) {
    console.log(`SKIPPED: ${missing}`);
    reportResult({ skipped: missing });
    return;
  }
  const dir = makeTempDir('web-chart');
  const figures: Record<string, unknown> = { runs: RUNS, steps: STEPS, loadedRuns: LOADED_RUNS };
  const buildMs = buildWeb(path.join(dir, 'dist'));
  // For the CPU profile: the same source, unminified, built now (others may be editing it).
  const plainDir = path.join(dir, 'plain');
  buildWebUnminified(plainDir);
  const server = await startWebServer(path.join(dir, 'data'), path.join(dir, 'dist'));
  const browser = await launchBrowser();
  try {
    console.log(browserLine(browser));
    console.log(`\nchart of '${KEY}': ${RUNS} runs × ${STEPS.toLocaleString('en-US')} steps (${((RUNS * STEPS) / 1e6).toFixed(0)} M points; ${LOADED_RUNS} runs loaded, each copied ${RUNS / LOADED_RUNS - 1} times in the store)`);

    const ingestStart = performance.now();
    const runIds: string[] = [];
    for (let r = 0; r < LOADED_RUNS; r++) {
      const id = `c${pad(r, 3)}`;
      runIds.push(id);
      const noise = randomStream(r);
      await loadRun(server, PROJECT, { id, name: `sweep-${pad(r, 3)}`, startTime: 1.7e9 + r * 600 }, STEPS, (step) => ({ [KEY]: lossValue(step, r, noise()) }), { rowsPerBatch: ROWS_PER_BATCH, timeAxes: false });
    }
    const ingestMs = performance.now() - ingestStart;
    const copyStart = performance.now();
    runIds.push(...copyRuns(path.join(dir, 'data', 'cairn.sqlite'), runIds, RUNS));
    const copyMs = performance.now() - copyStart;
    console.log(`  (web build ${(buildMs / 1000).toFixed(1)} s; ingest through store.applyBatch ${(ingestMs / 1000).toFixed(1)} s, batches of ${ROWS_PER_BATCH.toLocaleString('en-US')} rows of ${KEY} and _step, no _runtime/_timestamp; copies ${(copyMs / 1000).toFixed(1)} s; none is the figure)`);

    const page = await openPage(browser);
    let seriesBody = '';
    let seriesAccept = 'application/json';
    page.on('request', (request) => {
      if (request.url().endsWith('/api/v1/series') && request.method() === 'POST') {
        seriesBody = request.postData() ?? '';
        seriesAccept = request.headers().accept ?? seriesAccept;
      }
    });
    await openWorkspace(page, server.url);

    const cold = await openPanel(page);
    const request = JSON.parse(seriesBody) as { runs: unknown[]; buckets?: number; format?: string };
    const warm: Open[] = [];
    for (let i = 0; i < WARM_OPENS; i++) warm.push(await openPanel(page));

    const keystrokes: number[] = [];
    for (let i = 0; i < 5; i++) {
      keystrokes.push(await timeKeystroke(page, `${NO_PANEL}${i % 2 === 0 ? '-' : ''}`));
      await settle(page, 200);
    }
    await setPanelSearch(page, NO_PANEL, undefined);
    await settle(page, 300);

    // Open it once more and leave it open, for the draw.
    await setPanelSearch(page, KEY, inked(panelSelector(KEY)));
    await waitForMark(page, 'open');
    await settle(page, 300);
    const draws = await timeDraws(page);

    const raw = await timeFetches(page, seriesBody, seriesAccept, BASELINE_FETCHES);
    const allRunsBody = JSON.stringify({ ...JSON.parse(seriesBody), runs: runIds.map((id) => ({ entity: ENTITY, project: PROJECT, id })) });
    const allRuns = await timeFetches(page, allRunsBody, seriesAccept, 3);
    await closePage(page);

    // Page load straight to the panel (?panels=loss): navigation start → lines on screen.
    const loadPage = await openPage(browser, { watch: { chart: inked(panelSelector(KEY)) } });
    const loads: number[] = [];
    for (let i = 0; i < 2; i++) {
      await loadPage.goto(`${server.url}/${ENTITY}/${PROJECT}?panels=${KEY}`);
      loads.push((await waitForMark(loadPage, 'chart')).painted);
      await settle(loadPage, 300);
    }
    await closePage(loadPage);

    // The same panel charting all 100 runs (?show=100): the chart of 100 runs the target names.
    const allPage = await openPage(browser);
    await openWorkspace(allPage, server.url, `&show=${RUNS}`);
    const allCold = await openPanel(allPage);
    const allWarm: Open[] = [];
    for (let i = 0; i < WARM_OPENS; i++) allWarm.push(await openPanel(allPage));
    // One more, traced: where the main thread's time goes, JS or not.
    let traced: Open | undefined;
    const trace = await traceMainThread(browser, allPage, async () => {
      traced = await openPanel(allPage);
    });
    await closePage(allPage);

    const pick = (key: keyof Open) => median(warm.map((o) => o[key] as number));
    const warmMedian: Omit<Open, 'at'> = {
      totalMs: pick('totalMs'), beforeRequestMs: pick('beforeRequestMs'), requestMs: pick('requestMs'), afterAnswerMs: pick('afterAnswerMs'),
      requests: Math.max(...warm.map((o) => o.requests)), answerBytes: warm[0]?.answerBytes ?? 0,
    };
    const rawMedian = median(raw.times);
    console.log(`  the panel asks for ${request.runs.length} of the ${RUNS} runs (the workspace charts the first ${request.runs.length} rows of the table), ${request.buckets ?? '?'} buckets each (its plot's width), answer as ${raw.format.split(';')[0]} (${formatBytes(raw.bytes)})`);
    console.log('');
    console.log(describeOpen('first open (cold chunk cache)', cold));
    console.log(describeOpen(`warm open, median of ${WARM_OPENS}`, warmMedian));
    console.log(`${''.padEnd(38)} (warm opens ${warm.map((o) => o.totalMs.toFixed(0)).join(', ')} ms)`);
    console.log(`${'a keystroke in the panel search'.padEnd(38)} ${formatMillis(median(keystrokes)).padStart(9)}   (input event → next frame painted, no panel shown: the workspace re-rendering; ${keystrokes.map((t) => t.toFixed(0)).join(', ')} ms)`);
    console.log(`page load with ?panels=${KEY} → lines     ${loads.map((ms, i) => `${formatMillis(ms)} ${i === 0 ? '(cold browser cache)' : '(warm)'}`).join(', ')}`);
    if (draws) {
      const s = medianAndP95(draws.setData);
      const f = medianAndP95(draws.flushed);
      const r = medianAndP95(draws.redraw);
      console.log(`draw alone, uPlot setData (${DRAWS}×)     median ${formatMillis(s.median)}  p95 ${formatMillis(s.p95)}  (+ raster: median ${formatMillis(f.median)}; repaint of cached paths ${formatMillis(r.median)})`);
      if (draws.hooks.length > 0) console.log(`  the same without the app's uPlot hooks (${draws.hooks.join(', ')}: the min–max bands): median ${formatMillis(median(draws.bare))} with raster`);
      console.log(`  what it draws: ${draws.lines} lines, each from its own M4 points (uPlot holds only the x extent), ${draws.width}×${draws.height} px`);
      figures.draw = { setDataMs: s, flushedMs: f, redrawMs: r, withoutHooksMs: medianAndP95(draws.bare), lines: draws.lines };
    } else {
      console.log('draw alone: the uPlot instance was not found (the chart component changed?)');
    }
    const parsed = raw.parseMs.length > 0 ? `of which JSON.parse ${formatMillis(median(raw.parseMs))}; ` : '';
    console.log(`baseline: the same POST /series, fetched in the page   median ${formatMillis(rawMedian)}  (${parsed}${raw.times.map((t) => t.toFixed(0)).join(', ')} ms)`);
    console.log(`ratio warm open / raw request ${(warmMedian.totalMs / rawMedian).toFixed(1)}x | target warm open ≤ ${TARGET_MS} ms: ${againstTarget(warmMedian.totalMs, TARGET_MS)}`);
    console.log(`(for scale: the same request for all ${RUNS} runs, fetched: median ${formatMillis(median(allRuns.times))}, ${formatBytes(allRuns.bytes)})`);
    const allPick = (key: keyof Open) => median(allWarm.map((o) => o[key] as number));
    const allMedian: Omit<Open, 'at'> = {
      totalMs: allPick('totalMs'), beforeRequestMs: allPick('beforeRequestMs'), requestMs: allPick('requestMs'), afterAnswerMs: allPick('afterAnswerMs'),
      requests: Math.max(...allWarm.map((o) => o.requests)), answerBytes: allWarm[0]?.answerBytes ?? 0,
    };
    console.log(`all ${RUNS} runs charted (?show=${RUNS}), answers of ${formatBytes(allMedian.answerBytes)}:`);
    console.log(describeOpen('  first open', allCold));
    console.log(describeOpen(`  warm open, median of ${WARM_OPENS}`, allMedian));
    console.log(`${''.padEnd(38)} (warm opens ${allWarm.map((o) => o.totalMs.toFixed(0)).join(', ')} ms)`);
    console.log(`  ratio warm open / raw request of all ${RUNS} runs ${(allMedian.totalMs / median(allRuns.times)).toFixed(1)}x | target warm open ≤ ${TARGET_MS} ms: ${againstTarget(allMedian.totalMs, TARGET_MS)}`);
    figures.allRuns = { cold: allCold, warm: allWarm, warmMedian: allMedian };
    Object.assign(figures, { ingestMs, buildMs, request: { runs: request.runs.length, buckets: request.buckets, format: raw.format, bytes: raw.bytes }, cold, warm, warmMedian, pageLoadMs: loads, keystrokeMs: keystrokes, rawFetchMs: raw.times, rawParseMs: raw.parseMs, allRunsFetchMs: allRuns.times, allRunsBytes: allRuns.bytes });

    if (traced) {
      const { at } = traced;
      const before = summarizeTrace(trace, at.input, at.requestStart);
      const after = summarizeTrace(trace, at.responseEnd, at.painted);
      console.log(`\ntrace of one more warm open of the chart of ${RUNS} runs (${formatMillis(traced.totalMs)} with tracing on; not the figure), the renderer's main thread, self time:`);
      console.log(`  input → request sent (${formatMillis(at.requestStart - at.input)}):`);
      printTrace(before, '    ', 6);
      console.log(`  answer → lines painted (${formatMillis(at.painted - at.responseEnd)}):`);
      printTrace(after, '    ', 6);
      figures.trace = { beforeRequest: { ...before, events: before.events.slice(0, 12) }, afterAnswer: { ...after, events: after.events.slice(0, 12) } };
    }

    // Where a warm open's JS time goes in the chart of 100 runs: the same source unminified, profiled.
    const profilePage = await openPage(browser);
    try {
      await serveBuildTo(profilePage, plainDir);
      await openWorkspace(profilePage, server.url, `&show=${RUNS}`);
      await openPanel(profilePage);
      await openPanel(profilePage);
      let profiled: Open | undefined;
      const summary = await cpuProfile(profilePage, plainDir, async () => {
        profiled = await openPanel(profilePage);
      });
      console.log(`\nCPU profile of one more warm open of the chart of ${RUNS} runs (unminified build of the same source, profiler on: ${formatMillis(profiled?.totalMs ?? NaN)}; not the figure), JS self time ${formatMillis(summary.busyMs)} incl. closing the panel:`);
      printProfile(summary);
      figures.profile = { modules: summary.modules.slice(0, 12), functions: summary.functions.slice(0, 15), busyMs: summary.busyMs };
    } catch (error) {
      console.log(`\nCPU profile: SKIPPED, the unminified build failed in the page (${(error as Error).message.split('\n')[0]})`);
    } finally {
      await closePage(profilePage);
    }
  } finally {
    await browser.close();
    await server.close();
    removeTempDir(dir);
  }
  console.log(`\n(${((performance.now() - started) / 1000).toFixed(0)} s; machine at the end: ${machineLine()})`);
  reportResult(figures);
}

await main();
