/**
 * The runs table with 10,000 runs (one history row each) in headless Chromium: its first
 * render and a sort.
 *
 * - First render: from the app's first render (the `cairn:first-render` mark main.tsx makes
 *   as it hands the page to React, its first page of runs in hand) to the first frame painted
 *   with a row in the table (the page's own clock; see lib/browser.ts), in a fresh browser
 *   context, median of 5; then 5 more loads in the same context, the dashboard's files in its
 *   HTTP cache and V8's code cache, as when a person comes back. That is the table's render:
 *   its data in hand, React, style, layout, paint.
 * - Page load: navigation start → that same frame, beside it the runs requests' timing
 *   (resource timing) and how many rows the DOM holds. Its baseline is the same page as static
 *   HTML: the DOM the app had built, scripts removed, served in a fresh context with the same
 *   stylesheet, navigation → its first row painted. The last load also waits for every page
 *   of runs (the table sorts in the browser once whole).
 * - Scrolling: 200 mouse-wheel events of 300 px over the table (about 1,900 rows), twice:
 *   Chromium's frames shown (lib/browser.ts tracePipeline), the page's animation frames, and in
 *   how many of those the rows in the DOM did not cover the table's view (blank rows shown
 *   until React renders the new window of rows).
 * - Sort: a click on a column header (Name, then the `loss` summary column), from the click
 *   until the frame painted with a different first row; median of the clicks (each click
 *   flips the order, so each changes the first row). Any runs request the sort made is timed
 *   apart.
 *
 * Baselines in the same run, in the same page: 10,000 plain <div>s (the runs' names) created
 * and appended, until the next frame is painted; and the table's own rendered HTML inserted
 * as a string (the same DOM without React). Targets: first render ≤ 200 ms; sort ≤ 200 ms.
 *
 * After the figures, where the time goes (not figures: the tools slow the page): a Chromium
 * trace of a first render (by stretch of its waterfall) and of a sort; CPU profiles of both in
 * an unminified build of the same source.
 *
 *     node --conditions=source --import tsx bench/web-table.ts
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { machineLine, makeTempDir, removeTempDir, reportResult } from './lib/harness.js';
import { parseRunListQuery } from '../packages/server/src/query/runs-query.js';
import { formatMillis, medianAndP95 } from './lib/stats.js';
import {
  againstTarget, browserLine, buildWeb, buildWebUnminified, chromiumMissing, closePage, cpuProfile, ENTITY, exists, launchBrowser, loadRun, openPage, pad,
  openStatic, printProfile, printTrace, randomStream, resources, serveBuildTo, settle, startWebServer, staticCopy, summarizeTrace, traceMainThread, waitForMark, webSourceLine, type ResourceTiming,
  frameIntervals, presentedFrames, tracePipeline, type PresentedFrames,
} from './lib/browser.js';

const PROJECT = 'table';
const RUNS = 10_000;
const LOADS = 5;
/** The user-timing mark main.tsx makes as the app's first render starts. */
const FIRST_RENDER_MARK = 'cairn:first-render';
const SORT_CLICKS = 5;
const TARGET_MS = 200;
const TABLE = '[data-testid="runs-table"]';
const FIRST_ROW = `${TABLE} tbody tr[data-run]`;

/** Wheel events of a scroll pass over the table, and their size: 60,000 px, about 1,900 rows. */
const SCROLL_WHEELS = 200;
const SCROLL_WHEEL_PX = 300;
const SCROLL_WHEEL_EVERY_MS = 16;

interface TableScroll {
  shown: PresentedFrames;
  /** The page's animation frames during the pass, and those in which the rows in the DOM did not cover the table's view. */
  frames: number;
  blank: number;
  intervals: number[];
  durationMs: number;
  rowsScrolled: number;
}

/**
 * Scrolls the runs table with the mouse wheel (SCROLL_WHEELS events of SCROLL_WHEEL_PX), and
 * counts, at each animation frame, whether the rows the DOM holds cover the table's view (a
 * frame where they do not shows blank rows until React renders the new window).
 */
async function scrollTable(browser: Browser, page: Page): Promise<TableScroll> {
  const box = await page.locator('[data-testid="runs-scroll"]').boundingBox();
  if (!box) throw new Error('no runs table to scroll');
  await page.evaluate('document.querySelector(\'[data-testid="runs-scroll"]\').scrollTop = 0');
  await settle(page, 300);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  let pass: { t0: number; t1: number; frames: number; blank: number; times: number[]; scrolled: number } | undefined;
  const trace = await tracePipeline(browser, page, async () => {
    await page.evaluate(`(() => {
      const scroller = document.querySelector('[data-testid="runs-scroll"]');
      const state = (window.__tableScroll = { frames: 0, blank: 0, times: [], running: true, t0: performance.now() });
      const tick = (time) => {
        if (!state.running) return;
        const view = scroller.getBoundingClientRect();
        const rows = scroller.querySelectorAll('tbody tr');
        const head = scroller.querySelector('thead').getBoundingClientRect();
        const first = rows[0] && rows[0].getBoundingClientRect();
        const last = rows[rows.length - 1] && rows[rows.length - 1].getBoundingClientRect();
        state.frames++;
        state.times.push(time);
        if (!first || first.top > Math.max(view.top, head.bottom) + 1 || last.bottom < view.bottom - 1) state.blank++;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    })()`);
    for (let i = 0; i < SCROLL_WHEELS; i++) {
      await page.mouse.wheel(0, SCROLL_WHEEL_PX);
      await page.waitForTimeout(SCROLL_WHEEL_EVERY_MS);
    }
    await settle(page, 200);
    pass = await page.evaluate(`(() => {
      const state = window.__tableScroll;
      state.running = false;
      return { t0: state.t0, t1: performance.now(), frames: state.frames, blank: state.blank, times: state.times, scrolled: document.querySelector('[data-testid="runs-scroll"]').scrollTop };
    })()`);
  });
  const { t0, t1, frames, blank, times, scrolled } = pass!;
  return { shown: presentedFrames(trace, t0, t1), frames, blank, intervals: frameIntervals(times), durationMs: t1 - t0, rowsScrolled: Math.round(scrolled / 32) };
}

const started = performance.now();

interface Load {
  /** Page time of the app's first render (its mark). */
  renderStart: number;
  firstRow: number;
  firstRunsStart: number;
  firstRunsEnd: number;
  firstRunsUrl: string;
  runsRequests: number;
  lastRunsEnd: number;
  rowsInDom: number;
  /** Every element in the page. */
  elements: number;
  countText: string;
}

async function tablePage(browser: Browser): Promise<Page> {
  return openPage(browser, { watch: { row: exists(FIRST_ROW) } });
}

function runsRequests(page: Page, since: number): Promise<ResourceTiming[]> {
  return resources(page, `/projects/${ENTITY}/${PROJECT}/runs`, since);
}

/** Pages of runs keep coming after the first row: waits until no new request for 500 ms. */
async function waitForAllRuns(page: Page): Promise<void> {
  let count = -1;
  for (let guard = 0; guard < 200; guard++) {
    const now = (await runsRequests(page, 0)).filter((r) => r.responseEnd > 0).length;
    if (now === count) return;
    count = now;
    await page.waitForTimeout(500);
  }
}

/**
 * Loads the workspace and waits for the first row; with `all`, also for every runs page
 * (the table sorts in the browser only once it holds every run).
 */
async function loadTable(page: Page, url: string, all: boolean): Promise<Load> {
  await page.goto(`${url}/${ENTITY}/${PROJECT}`);
  const row = await waitForMark(page, 'row');
  if (all) await waitForAllRuns(page);
  const requests = (await runsRequests(page, 0)).sort((a, b) => a.start - b.start);
  return {
    renderStart: await page.evaluate<number>(`(performance.getEntriesByName(${JSON.stringify(FIRST_RENDER_MARK)})[0] || { startTime: NaN }).startTime`),
    firstRow: row.painted,
    firstRunsStart: requests[0]?.start ?? NaN,
    firstRunsEnd: requests[0]?.responseEnd ?? NaN,
    firstRunsUrl: requests[0]?.name ?? '',
    runsRequests: requests.length,
    lastRunsEnd: Math.max(...requests.map((r) => r.responseEnd)),
    rowsInDom: await page.evaluate<number>(`document.querySelectorAll(${JSON.stringify(FIRST_ROW)}).length`),
    elements: await page.evaluate<number>(`document.getElementsByTagName('*').length`),
    countText: (await page.evaluate<string>(`(document.querySelector('[data-testid="run-count"]') || { textContent: '' }).textContent`)).trim(),
  };
}

interface Sort {
  /** Page times of the click and of the first frame with the new first row. */
  at: { click: number; painted: number };
  ms: number;
  requests: number;
  requestMs: number;
}

/** Clicks the sort button of the column whose label starts with `label`; times until the first row changes. */
async function clickSort(page: Page, label: string): Promise<Sort> {
  const t0 = await page.evaluate<number>(`(() => {
    const table = document.querySelector(${JSON.stringify(TABLE)});
    const button = Array.from(table.querySelectorAll('th button')).find((b) => b.textContent.trim().startsWith(${JSON.stringify(label)}));
    if (!button) throw new Error('no sort button for ' + ${JSON.stringify(label)});
    const before = table.querySelector('tbody tr[data-run]').getAttribute('data-run');
    window.__bench.watch('sorted', () => {
      const first = document.querySelector(${JSON.stringify(FIRST_ROW)});
      return first !== null && first.getAttribute('data-run') !== before;
    });
    const t0 = performance.now();
    button.click();
    return t0;
  })()`);
  const mark = await waitForMark(page, 'sorted');
  const requests = (await runsRequests(page, t0)).filter((r) => r.responseEnd > 0 && r.responseEnd <= mark.painted);
  await settle(page, 300);
  return { at: { click: t0, painted: mark.painted }, ms: mark.painted - t0, requests: requests.length, requestMs: requests.length > 0 ? Math.max(...requests.map((r) => r.responseEnd)) - t0 : 0 };
}

/** 10,000 plain divs, created and appended, until painted; then removed. */
function plainDivs(page: Page, names: readonly string[]): Promise<number> {
  return page.evaluate<number>(`(async () => {
    const names = ${JSON.stringify(names)};
    const box = document.createElement('div');
    box.style.cssText = 'position:absolute;left:0;top:0;width:1200px;background:white';
    const t0 = performance.now();
    for (const name of names) {
      const div = document.createElement('div');
      div.textContent = name;
      box.appendChild(div);
    }
    document.body.appendChild(box);
    const t1 = await window.__bench.nextPaint();
    box.remove();
    await window.__bench.nextPaint();
    return t1 - t0;
  })()`);
}

/** The table's rendered HTML, inserted as a string into a new element, until painted; then removed. */
function staticTable(page: Page): Promise<{ ms: number; rows: number }> {
  return page.evaluate<{ ms: number; rows: number }>(`(async () => {
    const html = document.querySelector(${JSON.stringify(TABLE)}).outerHTML.replace('data-testid="runs-table"', '');
    const box = document.createElement('div');
    box.style.cssText = 'position:absolute;left:0;top:0;width:1200px;background:white';
    const t0 = performance.now();
    box.innerHTML = html;
    document.body.appendChild(box);
    const t1 = await window.__bench.nextPaint();
    const rows = box.querySelectorAll('tr').length;
    box.remove();
    await window.__bench.nextPaint();
    return { ms: t1 - t0, rows };
  })()`);
}

/** The page's static copy in a fresh context: navigation → its first table row painted. */
async function loadStatic(browser: Browser, url: string, html: string): Promise<number> {
  const page = await tablePage(browser);
  try {
    await openStatic(page, url, html);
    return (await waitForMark(page, 'row')).painted;
  } finally {
    await closePage(page);
  }
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
  const dir = makeTempDir('web-table');
  const distDir = path.join(dir, 'dist');
  const plainDir = path.join(dir, 'plain');
  const buildMs = buildWeb(distDir);
  buildWebUnminified(plainDir);
  const figures: Record<string, unknown> = { runs: RUNS };
  const server = await startWebServer(path.join(dir, 'data'), distDir);
  const browser = await launchBrowser();
  try {
    console.log(browserLine(browser));
    // Names in another order than creation, so that sorting by name moves every row.
    const order = Array.from({ length: RUNS }, (_, i) => i);
    const random = randomStream(7);
    for (let i = RUNS - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const names = order.map((n) => `run-${pad(n, 5)}`);
    const ingestStart = performance.now();
    for (let r = 0; r < RUNS; r++) {
      const loss = 0.1 + random();
      await loadRun(server, PROJECT, { id: `t${pad(r, 5)}`, name: names[r]!, startTime: 1.7e9 + r * 60, tags: r % 3 === 0 ? ['baseline'] : ['sweep', `lr-${r % 7}`] }, 1, () => ({ loss, acc: 1 - loss / 2 }));
    }
    const ingestMs = performance.now() - ingestStart;
    console.log(`\nruns table: ${RUNS.toLocaleString('en-US')} runs, one history row each (loss, acc)`);
    console.log(`  (web build ${(buildMs / 1000).toFixed(1)} s; ingest through store.applyBatch ${(ingestMs / 1000).toFixed(1)} s, one batch per run; neither is the figure)`);

    // ── first render ──
    const loads: Load[] = [];
    let page: Page | undefined;
    for (let i = 0; i < LOADS; i++) {
      if (page) await closePage(page);
      page = await tablePage(browser);
      loads.push(await loadTable(page, server.url, false));
    }
    page = page!;
    // The same again in the last page's context: its HTTP cache and V8's code cache hold the
    // dashboard's files, as when a person comes back to it. The last load also waits for
    // every page of runs, for the sorts.
    const warmLoads: Load[] = [];
    for (let i = 0; i < LOADS; i++) {
      await settle(page, 300);
      warmLoads.push(await loadTable(page, server.url, i === LOADS - 1));
    }
    await settle(page, 500);
    const pageHtml = await staticCopy(page);

    // ── sorting ──
    const byName: Sort[] = [];
    for (let i = 0; i < SORT_CLICKS; i++) byName.push(await clickSort(page, 'Name'));
    const byLoss: Sort[] = [];
    try {
      for (let i = 0; i < SORT_CLICKS; i++) byLoss.push(await clickSort(page, 'loss'));
    } catch (error) {
      console.log(`  (no sort by loss: ${(error as Error).message.split('\n')[0]})`);
    }

    // ── scrolling the table ──
    const scrolls: TableScroll[] = [];
    for (let i = 0; i < 2; i++) scrolls.push(await scrollTable(browser, page));

    // ── for scale: the first runs request alone, and the store's listRuns of a page ──
    const firstPageFetch: number[] = [];
    for (let i = 0; i < 3; i++) {
      firstPageFetch.push(await page.evaluate<number>(`(async () => {
        const t0 = performance.now();
        const response = await fetch(${JSON.stringify(loads[0]!.firstRunsUrl)}, { headers: { accept: 'application/json' } });
        await response.json();
        return performance.now() - t0;
      })()`));
    }
    const listRuns: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await server.store.listRuns(ENTITY, PROJECT, parseRunListQuery(new URLSearchParams('limit=1000'), `${ENTITY}/${PROJECT}`).query);
      listRuns.push(performance.now() - t0);
    }

    // ── baselines, in the same page ──
    const divs: number[] = [];
    for (let i = 0; i < 3; i++) divs.push(await plainDivs(page, names));
    const statics: Array<{ ms: number; rows: number }> = [];
    for (let i = 0; i < 3; i++) statics.push(await staticTable(page));
    await closePage(page);
    const staticLoads: number[] = [];
    for (let i = 0; i < LOADS; i++) staticLoads.push(await loadStatic(browser, server.url, pageHtml));

    const first = median(loads.map((l) => l.firstRow - l.renderStart));
    const firstWarm = median(warmLoads.map((l) => l.firstRow - l.renderStart));
    const pageLoad = median(loads.map((l) => l.firstRow));
    const staticMedian = median(staticLoads);
    const tableHtml = median(statics.map((s) => s.ms));
    const divMedian = median(divs);
    const last = warmLoads[warmLoads.length - 1]!;
    console.log(`  the DOM holds ${last.rowsInDom} rows of the table (${last.elements.toLocaleString('en-US')} elements in the page); it says "${last.countText}"`);
    console.log('');
    console.log(`first render (app's first render → first row painted), fresh context   median ${formatMillis(first).padStart(9)}   (${loads.map((l) => (l.firstRow - l.renderStart).toFixed(0)).join(', ')} ms)`);
    console.log(`first render, the dashboard's files cached (HTTP and V8 code cache)    median ${formatMillis(firstWarm).padStart(9)}   (${warmLoads.map((l) => (l.firstRow - l.renderStart).toFixed(0)).join(', ')} ms)`);
    console.log(`page load (navigation → first row painted), fresh context               median ${formatMillis(pageLoad).padStart(9)}   (${loads.map((l) => l.firstRow.toFixed(0)).join(', ')} ms; the app's first render began at ${formatMillis(median(loads.map((l) => l.renderStart)))}; files cached: ${formatMillis(median(warmLoads.map((l) => l.firstRow)))})`);
    console.log(`  first runs request sent at ${formatMillis(median(loads.map((l) => l.firstRunsStart)))}, answered at ${formatMillis(median(loads.map((l) => l.firstRunsEnd)))}; first row painted ${formatMillis(median(loads.map((l) => l.firstRow - l.firstRunsEnd)))} after that answer (medians)`);
    console.log(`  ${last.runsRequests} runs request${last.runsRequests === 1 ? '' : 's'} (${new URL(last.firstRunsUrl).search}), one after another, the last answered at ${formatMillis(last.lastRunsEnd)} (last load)`);
    console.log(`  for scale: that first runs request alone, fetched from the page: median ${formatMillis(median(firstPageFetch))}; store.listRuns of a page of 1,000 of the ${RUNS.toLocaleString('en-US')} runs in the server's process: median ${formatMillis(median(listRuns))}`);
    const sortLine = (label: string, sorts: Sort[]) => {
      const withRequest = sorts.filter((s) => s.requests > 0);
      return `sort by ${label} (click → first row changed)`.padEnd(48) + ` median ${formatMillis(median(sorts.map((s) => s.ms))).padStart(9)}   (${sorts.map((s) => s.ms.toFixed(0)).join(', ')} ms; ${withRequest.length > 0 ? `${withRequest.length} of ${sorts.length} asked the server, its answer in by ${formatMillis(median(withRequest.map((s) => s.requestMs)))}` : 'sorted in the browser, no request'})`;
    };
    console.log(sortLine('Name', byName));
    if (byLoss.length > 0) console.log(sortLine('loss', byLoss));
    console.log(`baseline: ${RUNS.toLocaleString('en-US')} plain <div>s appended, until painted   median ${formatMillis(divMedian)}  (${divs.map((t) => t.toFixed(0)).join(', ')} ms)`);
    console.log(`baseline: the table's own HTML (${statics[0]?.rows ?? '?'} rows) inserted as a string, until painted   median ${formatMillis(tableHtml)}`);
    console.log(`baseline: the same page as static HTML (its DOM, no scripts), navigation → first row painted   median ${formatMillis(staticMedian)}  (fresh context each: ${staticLoads.map((t) => t.toFixed(0)).join(', ')} ms)`);
    for (const [i, scroll] of scrolls.entries()) {
      const long = scroll.intervals.filter((ms) => ms > 17.7).length;
      const worst = Math.max(...scroll.intervals);
      console.log(
        `scrolling the table, pass ${i + 1}: ${SCROLL_WHEELS} wheel events of ${SCROLL_WHEEL_PX} px (${scroll.rowsScrolled.toLocaleString('en-US')} rows) in ${(scroll.durationMs / 1000).toFixed(2)} s: frames shown ${scroll.shown.frames}, ${scroll.shown.dropped} dropped (worst ${formatMillis(16.7 * (scroll.shown.longestMiss + 1))}), ${scroll.shown.partial} with the main thread's part a frame late; ` +
          `the page's frames ${scroll.frames}, ${long} over 17.7 ms (worst ${formatMillis(worst)}); frames with rows missing from the view ${scroll.blank} of ${scroll.frames}`,
      );
    }
    const sortMedian = median([...byName, ...byLoss].map((s) => s.ms));
    console.log(`ratios: first render / the table's HTML inserted ${(first / tableHtml).toFixed(1)}x; page load / static page ${(pageLoad / staticMedian).toFixed(1)}x; sort / plain divs ${(sortMedian / divMedian).toFixed(1)}x`);
    console.log(`targets ≤ ${TARGET_MS} ms: first render ${againstTarget(first, TARGET_MS)} in a fresh context, ${againstTarget(firstWarm, TARGET_MS)} with the files cached; sort ${againstTarget(sortMedian, TARGET_MS)} (page load has none here: the workspace's first meaningful paint, ≤ 1.5 s, is bench/web-workspace.ts)`);
    Object.assign(figures, { scrolls: scrolls.map(({ intervals, ...rest }) => ({ ...rest, worstFrameMs: Math.max(...intervals) })) });
    Object.assign(figures, { ingestMs, buildMs, loads, warmLoads, firstRenderMs: first, firstRenderWarmMs: firstWarm, pageLoadMs: pageLoad, staticPageMs: staticLoads, firstPageFetchMs: firstPageFetch, listRunsMs: listRuns, sortByName: byName, sortByLoss: byLoss, plainDivsMs: divs, staticTable: statics });

    // ── where the time goes (not the figures) ──
    const tracePage = await tablePage(browser);
    let traced: Sort | undefined;
    let tracedLoad: Load | undefined;
    const loadTrace = await traceMainThread(browser, tracePage, async () => {
      tracedLoad = await loadTable(tracePage, server.url, false);
    });
    await waitForAllRuns(tracePage);
    await settle(tracePage, 500);
    const sortTrace = await traceMainThread(browser, tracePage, async () => {
      traced = await clickSort(tracePage, 'Name');
    });
    await closePage(tracePage);
    const traceFigures: Record<string, unknown> = {};
    if (tracedLoad) {
      const l = tracedLoad;
      const windows: Array<[string, number, number]> = [
        ['navigation → first runs request sent', 0, l.firstRunsStart],
        ["first runs request sent → the app's first render", l.firstRunsStart, l.renderStart],
        ["the app's first render → first row painted", l.renderStart, l.firstRow],
      ];
      console.log(`\ntrace of a first render in a new page (first row at ${formatMillis(l.firstRow)} with tracing on; not the figure), the renderer's main thread, self time:`);
      for (const [label, from, to] of windows) {
        const summary = summarizeTrace(loadTrace, from, to);
        console.log(`  ${label} (${formatMillis(to - from)}):`);
        printTrace(summary, '    ', 6);
        traceFigures[label] = { ...summary, events: summary.events.slice(0, 10) };
      }
    }
    if (traced) {
      const summary = summarizeTrace(sortTrace, traced.at.click, traced.at.painted);
      console.log(`  a sort by Name, click → first row changed (${formatMillis(traced.ms)}):`);
      printTrace(summary, '    ', 6);
      traceFigures.sort = { ...summary, events: summary.events.slice(0, 10) };
    }
    figures.trace = traceFigures;

    const profilePage = await tablePage(browser);
    try {
      await serveBuildTo(profilePage, plainDir);
      let profiledLoad: Load | undefined;
      const loadProfile = await cpuProfile(profilePage, plainDir, async () => {
        profiledLoad = await loadTable(profilePage, server.url, false);
      });
      await waitForAllRuns(profilePage);
      await settle(profilePage, 500);
      const sortProfile = await cpuProfile(profilePage, plainDir, async () => {
        await clickSort(profilePage, 'Name');
      });
      console.log(`\nCPU profile of a first render (unminified build of the same source, profiler on: first row at ${formatMillis(profiledLoad?.firstRow ?? NaN)}; not the figure), JS self time ${formatMillis(loadProfile.busyMs)}:`);
      printProfile(loadProfile);
      console.log(`CPU profile of a sort by Name, JS self time ${formatMillis(sortProfile.busyMs)} incl. 300 ms of settling:`);
      printProfile(sortProfile);
      figures.profile = { load: loadProfile.functions.slice(0, 15), sort: sortProfile.functions.slice(0, 15) };
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
