/**
 * A workspace of 20 panels × 100 runs (2,000 steps each) in headless Chromium: first
 * meaningful paint, then scrolling through the panels; both as the workspace opens (the
 * first 10 runs charted in each panel) and with all 100 runs charted in every panel
 * (`?show=100`).
 *
 * - First meaningful paint: navigation start → the first frame painted with a line in a
 *   panel's canvas (the page's own clock; see lib/browser.ts), in a fresh browser context
 *   (nothing cached), median of 3; beside it the app's first contentful paint (Paint Timing),
 *   the runs table's first row, and every panel on screen drawn.
 * - Scrolling: page.mouse.wheel, 100 px at a time (16 ms apart, plus the round trip) down to
 *   the bottom and back up, twice, the pointer over the panels (not the runs table): the first
 *   pass draws whatever panels the page has not drawn yet (it prints how many it had), the
 *   second scrolls drawn panels. Two accounts of each pass:
 *   - the frames shown, the figure: Chromium's own frame reporter (trace category
 *     `benchmark`, see lib/browser.ts tracePipeline) for each vsync of the page's compositor:
 *     presented whole, presented with the compositor's part only (the scroll moved; what the
 *     main thread changed in that frame came a frame later), or dropped although there was an
 *     update to show. The worst frame is the longest run of dropped vsyncs, plus one. The
 *     reporter counts only frames that had an update: a wheel event the page held up (a
 *     listener that is not passive, a long task) delays the scroll instead, and Playwright
 *     sends the next wheel event once the page took the last one, so such a page shows as a
 *     pass that takes longer. Each pass prints its wheel events and duration beside the static
 *     pages', which hold nothing up.
 *   - the main thread's frames: the page records every animation frame's timestamp; a frame is
 *     the interval between two. Worst frame, p95, and frames over 16.7 ms (one frame at 60 Hz;
 *     1 ms of timer jitter allowed: an idle page shows intervals of 16.6–16.8 ms), plus tasks
 *     over 50 ms (PerformanceObserver 'longtask'). The page scrolls on the compositor thread,
 *     which does not wait for the main thread: a main-thread frame over 16.7 ms is a frame shown
 *     with the scroll moved and the rest of its changes a frame late (it is the same count as
 *     the reporter's "partial"). Until 2026-11-27 this was the figure.
 *
 * Baselines in the same run, in the same browser: an empty page's first contentful paint
 * (a one-line HTML file served by the same server, fresh context); the frames of the idle
 * workspace (no scrolling) for the frame pacing itself; and the floor for scrolling: the same
 * page as static HTML (its DOM after the two passes, no script), scrolled the same way in a
 * fresh context, once with each chart as an image of its canvas and once with each as a canvas
 * drawn once from that image (the page's only script). What the app adds is the difference to
 * the canvases' figure: in this headless Chromium, compositing in software, a page of canvases
 * drops frames while it scrolls with no script running at all.
 * Targets: first meaningful paint ≤ 1.5 s; frames ≤ 16 ms while scrolling (taken as one 60 Hz
 * frame, 16.7 ms).
 *
 * After the figures, where the time goes (not figures: the tools slow the page): a Chromium
 * trace of a load (the main thread's self time by kind of work in each stretch of the
 * waterfall) and of a first scroll pass — in total, then frame by frame: the main thread's CPU
 * time in each frame (thread time, which a busy machine inflates far less than wall time —
 * tracing inflates both a little — so that a frame over 16.7 ms of it would miss even on an
 * idle machine like this one), and what the longest frames held; a CPU profile of a first pass
 * in an unminified build.
 *
 *     node --conditions=source --import tsx bench/web-workspace.ts
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { machineLine, makeTempDir, removeTempDir, reportResult, scalarRow, ROW_KEYS } from './lib/harness.js';
import { formatMillis, medianAndP95, quantile } from './lib/stats.js';
import {
  type Trace, againstTarget, browserLine, buildWeb, buildWebUnminified, chromiumMissing, closePage, cpuProfile, ENTITY, exists, frameIntervals, launchBrowser, loadRun,
  openPage, openStatic, pad, presentedFrames, printProfile, printTrace, randomStream, resources, serveBuildTo, settle, startWebServer, staticCopy, summarizeTrace, traceMainThread, tracePipeline, waitForMark, webSourceLine, type PresentedFrames,
} from './lib/browser.js';

const PROJECT = 'workspace';
const RUNS = 100;
const STEPS = 2000;
/** The workspace as it opens, and with all its runs charted. */
const VIEWS = [
  { name: 'opened', label: 'as it opens: the first 10 runs charted in each panel', query: '' },
  { name: 'allRuns', label: `every run charted in each panel (?show=${RUNS})`, query: `?show=${RUNS}` },
] as const;
/** 20 keys in two sections: train/… and val/…, 10 each. */
const KEYS = [...ROW_KEYS.map((k) => `train/${k}`), ...ROW_KEYS.map((k) => `val/${k}`)];
const LOADS = 3;
const WHEEL_PX = 100;
const WHEEL_EVERY_MS = 16;
const FMP_TARGET_MS = 1500;
const FRAME_TARGET_MS = 16.7;
/** One vsync at 60 Hz. */
const FRAME_MS = 1000 / 60;
/** rAF timestamps jitter by a fraction of a millisecond around 16.67 ms even on an idle page. */
const FRAME_JITTER_MS = 1;

const started = performance.now();
const PANEL = '[data-testid="panel"]';
/** Some panel's canvas shows a line. */
const ANY_PANEL_DRAWN = `Array.from(document.querySelectorAll('${PANEL}')).some((p) => window.__bench.ink(p))`;
/** Every panel on screen shows a line (and there is one). */
const SCREEN_DRAWN = `(() => {
  const shown = Array.from(document.querySelectorAll('${PANEL}')).filter((p) => { const r = p.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; });
  return shown.length > 0 && shown.every((p) => window.__bench.ink(p));
})()`;

interface Load {
  fcp: number;
  table: number;
  firstPanel: number;
  screen: number;
  panelsOnScreen: number;
  /** The waterfall, from resource timing: when each answer had arrived. */
  scriptEnd: number;
  runsEnd: number;
  keysEnd: number;
  firstSeriesStart: number;
  firstSeriesEnd: number;
}

/** Loads the workspace in `page` and waits for every panel on screen to be drawn. */
async function loadWorkspace(page: Page, url: string, query = ''): Promise<Load> {
  await page.goto(`${url}/${ENTITY}/${PROJECT}${query}`);
  const firstPanel = await waitForMark(page, 'firstPanel');
  const screen = await waitForMark(page, 'screen');
  const table = await waitForMark(page, 'table');
  const fcp = await page.evaluate<number>(`(performance.getEntriesByName('first-contentful-paint')[0] || { startTime: NaN }).startTime`);
  const panelsOnScreen = await page.evaluate<number>(`Array.from(document.querySelectorAll('${PANEL}')).filter((p) => { const r = p.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; }).length`);
  const all = await resources(page, '', 0);
  const end = (test: (name: string) => boolean) => Math.min(...all.filter((r) => test(r.name)).map((r) => r.responseEnd));
  const series = all.filter((r) => r.name.endsWith('/api/v1/series'));
  // The scripts loaded up front: those requested before the first API request (later ones are
  // chunks loaded on demand, such as the chart's).
  const firstApi = Math.min(...all.filter((r) => r.name.includes('/api/')).map((r) => r.start));
  const scripts = all.filter((r) => /\/assets\/.*\.js$/.test(r.name));
  const upFront = scripts.filter((r) => r.start < firstApi);
  return {
    fcp, table: table.painted, firstPanel: firstPanel.painted, screen: screen.painted, panelsOnScreen,
    scriptEnd: Math.max(...(upFront.length > 0 ? upFront : scripts).map((r) => r.responseEnd)),
    runsEnd: end((name) => name.includes('/runs?') || name.endsWith('/runs')),
    keysEnd: end((name) => name.includes('/keys')),
    firstSeriesStart: Math.min(...series.map((r) => r.start)),
    firstSeriesEnd: Math.min(...series.map((r) => r.responseEnd)),
  };
}

/** The last POST /series body a workspace page sent: how many runs a panel charts. */
let lastSeriesBody = '';

async function workspacePage(browser: Browser): Promise<Page> {
  const page = await openPage(browser, { watch: { firstPanel: ANY_PANEL_DRAWN, screen: SCREEN_DRAWN, table: exists('[data-testid="runs-table"] tbody tr') } });
  page.on('request', (request) => {
    if (request.url().endsWith('/api/v1/series') && request.method() === 'POST') lastSeriesBody = request.postData() ?? '';
  });
  return page;
}

/** An empty page's first contentful paint, in a fresh context. */
async function emptyPagePaint(browser: Browser, url: string): Promise<number> {
  const page = await openPage(browser);
  await page.goto(`${url}/empty.html`);
  await page.waitForFunction(`performance.getEntriesByName('first-contentful-paint').length > 0`, undefined, { polling: 20 });
  const fcp = await page.evaluate<number>(`performance.getEntriesByName('first-contentful-paint')[0].startTime`);
  await closePage(page);
  return fcp;
}

interface Frames {
  /** Panels with a line drawn when the pass started, panels built (not a placeholder) then, and panels in all. */
  drawnAtStart: number;
  builtAtStart: number;
  panels: number;
  /** Every animation frame's timestamp (page clock), and the intervals between them. */
  times: number[];
  intervals: number[];
  longTasks: number[];
  durationMs: number;
  wheels: number;
  /** How far the page scrolled, down and back. */
  rangePx: number;
}

/**
 * Scrolls to the bottom and back with the mouse wheel, recording every frame. The number of
 * wheel events is worked out before (nothing else is asked of the page while it scrolls).
 */
async function scrollPass(page: Page): Promise<Frames> {
  await page.mouse.move(VIEW_X, VIEW_Y);
  const range = await page.evaluate<number>('document.documentElement.scrollHeight - innerHeight');
  const [drawnAtStart, builtAtStart, panels] = await page.evaluate<[number, number, number]>(`(() => {
    const all = Array.from(document.querySelectorAll('${PANEL}, [data-slot]'));
    return [all.filter((p) => window.__bench.ink(p)).length, document.querySelectorAll('${PANEL}').length, all.length];
  })()`);
  const t0 = await page.evaluate<number>('(window.__bench.startFrames(), performance.now())');
  let wheels = 0;
  let reached = 0;
  for (const direction of [1, -1]) {
    // Wheel events may coalesce or end in a shorter scroll: look where the page is every few.
    const done = direction > 0 ? `scrollY >= ${range} - 1` : 'scrollY <= 0';
    for (let guard = 0; guard < 100; guard++) {
      for (let i = 0; i < 5; i++) {
        await page.mouse.wheel(0, direction * WHEEL_PX);
        wheels++;
        await page.waitForTimeout(WHEEL_EVERY_MS);
      }
      if (await page.evaluate<boolean>(done)) break;
    }
    await settle(page, 150);
    if (direction > 0) reached = await page.evaluate<number>('scrollY');
  }
  if (reached < range - 1) console.log(`  (this pass reached scrollY ${reached} of ${range}: the wheel did not scroll the page all the way)`);
  const times = await page.evaluate<number[]>('window.__bench.stopFrames()');
  const longTasks = await page.evaluate<number[]>(`window.__bench.longTasks.filter((t) => t.start >= ${t0}).map((t) => t.duration)`);
  return { drawnAtStart, builtAtStart, panels, times, intervals: frameIntervals(times), longTasks, durationMs: (times[times.length - 1] ?? t0) - (times[0] ?? t0), wheels, rangePx: range };
}

interface TracedFrame {
  /** When the frame started (page clock). */
  at: number;
  wallMs: number;
  /** The main thread's CPU time (thread time) in the top-level tasks that started in the frame. */
  cpuMs: number;
  /** Those tasks over 1 ms of CPU, each as `kind CPU (part ms, …)`. */
  tasks: string[];
}

/** The events that name a task's kind, first found first: a frame, an idle callback, an event, a network read, … */
const TASK_KINDS = /^(ProxyMain::BeginMainFrame|FireIdleCallback|FireAnimationFrame|EventDispatch|TimerFire|SimpleWatcher::OnHandleReady|FunctionCall|V8\.GC_[A-Z_]+|ParseHTML)$/;

/**
 * A trace of a scroll pass cut at the animation frames (`times`, page clock): per frame, the
 * top-level tasks that started in it, with their CPU time (thread time: `tdur`) and the
 * events that took most of it (self time).
 */
function tracedFrames(trace: Trace, times: readonly number[]): TracedFrame[] {
  type Event = Trace['threads'][number][number] & { tdur?: number };
  const cpuOf = (event: Event) => (event.tdur ?? event.dur ?? 0) / 1000;
  const tasks: Array<{ top: Event; inner: Event[] }> = [];
  for (const list of trace.threads) {
    let end = -Infinity;
    for (const event of list as Event[]) {
      if (event.ts >= end) {
        tasks.push({ top: event, inner: [] });
        end = event.ts + event.dur!;
      } else tasks[tasks.length - 1]!.inner.push(event);
    }
  }
  const describe = ({ top, inner }: { top: Event; inner: Event[] }) => {
    const self = new Map<string, number>();
    const open: Event[] = [];
    for (const event of [top, ...inner]) {
      while (open.length > 0 && open[open.length - 1]!.ts + open[open.length - 1]!.dur! <= event.ts) open.pop();
      const parent = open[open.length - 1];
      if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - cpuOf(event));
      self.set(event.name, (self.get(event.name) ?? 0) + cpuOf(event));
      open.push(event);
    }
    const short = (name: string) => name.replace(/\(.*$/, '').replace(/^void /, '').replace(/^(ProxyMain|SimpleWatcher|LayerTreeHost)::/, '');
    const kind = inner.find((event) => TASK_KINDS.test(event.name))?.name ?? top.name;
    const parts = [...self].filter(([, ms]) => ms >= 0.5).sort((a, b) => b[1] - a[1]).slice(0, 4);
    return `${short(kind)} ${cpuOf(top).toFixed(1)} (${parts.map(([name, ms]) => `${short(name)} ${ms.toFixed(1)}`).join(', ')})`;
  };
  const frames: TracedFrame[] = [];
  for (let i = 1; i < times.length; i++) {
    const from = trace.originUs + times[i - 1]! * 1000;
    const to = trace.originUs + times[i]! * 1000;
    const inFrame = tasks.filter((task) => task.top.ts >= from && task.top.ts < to);
    frames.push({
      at: times[i - 1]!,
      wallMs: times[i]! - times[i - 1]!,
      cpuMs: inFrame.reduce((sum, task) => sum + cpuOf(task.top), 0),
      tasks: inFrame.filter((task) => cpuOf(task.top) >= 1).map(describe),
    });
  }
  return frames;
}

/**
 * Where the pointer sits while scrolling: low in the viewport, over the panels, never over the
 * runs table (a scroll container of its own that would take the wheel events) in either direction.
 */
const VIEW_X = 640;
const VIEW_Y = 780;

/** The idle page's frames for `ms`: the browser's own frame pacing. */
async function idleFrames(page: Page, ms: number): Promise<number[]> {
  await page.evaluate('window.__bench.startFrames()');
  await page.waitForTimeout(ms);
  return frameIntervals(await page.evaluate<number[]>('window.__bench.stopFrames()'));
}

/**
 * The page as it is now, as static HTML: its DOM with every script taken out and each chart's
 * canvas replaced by an image of what it shows. With `canvases`, a script (the page's only one)
 * puts the canvases back, each drawn once from its image.
 */
async function staticWorkspace(page: Page, canvases: boolean): Promise<string> {
  const html = await staticCopy(page, { canvasesAsImages: true });
  if (!canvases) return html;
  const redraw = `<script>
    for (const image of Array.from(document.querySelectorAll('img[data-canvas]'))) {
      const canvas = document.createElement('canvas');
      canvas.style.cssText = image.style.cssText;
      canvas.className = image.className;
      const draw = () => {
        canvas.width = image.naturalWidth;
        canvas.height = image.naturalHeight;
        canvas.getContext('2d').drawImage(image, 0, 0);
      };
      if (image.complete) draw();
      else image.onload = draw;
      image.replaceWith(canvas);
    }
  </script>`;
  return html.replace('</body>', `${redraw}</body>`);
}

/** A scroll pass with the frames Chromium showed meanwhile (see lib/browser.ts, tracePipeline). */
interface ShownPass {
  frames: Frames;
  shown: PresentedFrames;
}

async function shownPass(browser: Browser, page: Page): Promise<ShownPass> {
  let frames: Frames | undefined;
  const trace = await tracePipeline(browser, page, async () => {
    frames = await scrollPass(page);
  });
  const times = frames!.times;
  return { frames: frames!, shown: presentedFrames(trace, times[0] ?? 0, times[times.length - 1] ?? 0) };
}

/** A scroll pass over a static copy `html` in a fresh context (loaded, then left 500 ms). */
async function staticScrollPass(browser: Browser, url: string, html: string): Promise<ShownPass> {
  const page = await openPage(browser);
  try {
    await openStatic(page, url, html);
    await settle(page, 500);
    return await shownPass(browser, page);
  } finally {
    await closePage(page);
  }
}

function describeShown(label: string, pass: ShownPass): string {
  const { shown, frames } = pass;
  const blank = shown.missingContent > 0 ? `, ${shown.missingContent} with blank tiles (not rastered yet)` : '';
  const longest = shown.longestMiss > 1 ? ` (at most ${shown.longestMiss} in a row)` : '';
  const unreported = shown.unreported > 0 ? `, ${shown.unreported} vsyncs not begun at all` : '';
  return `${label.padEnd(56)} worst ${formatMillis(FRAME_MS * (shown.longestMiss + 1)).padStart(8)}  ${shown.frames} frames: ${shown.dropped} dropped${longest}${unreported}, ${shown.complete} whole, ${shown.partial} with the main thread's part a frame late${blank}; ${frames.wheels} wheel events in ${(frames.durationMs / 1000).toFixed(2)} s`;
}

interface FrameStats {
  frames: number;
  worst: number;
  p95: number;
  p50: number;
  over: number;
  /** Frames the display would have shown but the page did not produce (intervals beyond one 60 Hz frame). */
  dropped: number;
}

function frameStats(intervals: readonly number[]): FrameStats {
  const sorted = [...intervals].sort((a, b) => a - b);
  let dropped = 0;
  for (const interval of intervals) dropped += Math.max(0, Math.round(interval / (1000 / 60)) - 1);
  return {
    frames: intervals.length,
    worst: sorted[sorted.length - 1] ?? NaN,
    p95: quantile(sorted, 0.95),
    p50: quantile(sorted, 0.5),
    over: intervals.filter((i) => i > FRAME_TARGET_MS + FRAME_JITTER_MS).length,
    dropped,
  };
}

function describeFrames(label: string, stats: FrameStats, extra = ''): string {
  return `${label.padEnd(40)} worst ${formatMillis(stats.worst).padStart(9)}  p95 ${formatMillis(stats.p95).padStart(8)}  p50 ${formatMillis(stats.p50).padStart(8)}  ${stats.over} of ${stats.frames} frames over ${FRAME_TARGET_MS + FRAME_JITTER_MS} ms, ~${stats.dropped} frames dropped${extra}`;
}

async function main(): Promise<void> {
  console.log(machineLine());
  console.log(webSourceLine());
  const missing = chromiumMissing();
  if (missing) {
    console.log(`SKIPPED: ${missing}`);
    reportResult({ skipped: missing });
    return;
  }
  const dir = makeTempDir('web-workspace');
  const distDir = path.join(dir, 'dist');
  const plainDir = path.join(dir, 'plain');
  const buildMs = buildWeb(distDir);
  buildWebUnminified(plainDir);
  writeFileSync(path.join(distDir, 'empty.html'), '<!doctype html><meta charset="utf-8"><title>empty</title><p>empty</p>\n');
  const figures: Record<string, unknown> = { runs: RUNS, keys: KEYS.length, steps: STEPS };
  const server = await startWebServer(path.join(dir, 'data'), distDir);
  const browser = await launchBrowser();
  try {
    console.log(browserLine(browser));
    const ingestStart = performance.now();
    for (let r = 0; r < RUNS; r++) {
      const noise = randomStream(r);
      const scale = 1 + r * 0.01;
      await loadRun(server, PROJECT, { id: `w${pad(r, 3)}`, name: `trial-${pad(r, 3)}`, startTime: 1.7e9 + r * 600 }, STEPS, (step) => {
        const base = scalarRow(step * 10);
        const row: Record<string, number> = {};
        for (const key of ROW_KEYS) {
          const value = base[key] * scale * (1 + (noise() - 0.5) * 0.05);
          row[`train/${key}`] = value;
          row[`val/${key}`] = value * 1.1;
        }
        return row;
      }, { rowsPerBatch: STEPS });
    }
    const ingestMs = performance.now() - ingestStart;
    console.log(`\nworkspace: ${KEYS.length} keys (train/…, val/…) × ${RUNS} runs × ${STEPS.toLocaleString('en-US')} steps`);
    console.log(`  (web build ${(buildMs / 1000).toFixed(1)} s; ingest through store.applyBatch ${(ingestMs / 1000).toFixed(1)} s; neither is the figure)`);

    // The workspace as it opens (the first 10 runs charted), and with every run charted in
    // every panel (?show=100): 20 panels × 100 runs, the target's workspace.
    for (const view of VIEWS) {
      // ── first meaningful paint ──
      const empty: number[] = [];
      for (let i = 0; i < LOADS; i++) empty.push(await emptyPagePaint(browser, server.url));
      const loads: Load[] = [];
      let page: Page | undefined;
      for (let i = 0; i < LOADS; i++) {
        if (page) await closePage(page);
        page = await workspacePage(browser);
        loads.push(await loadWorkspace(page, server.url, view.query));
        await settle(page, 300);
      }
      page = page!;
      const warmLoad = await loadWorkspace(page, server.url, view.query);
      const charted = lastSeriesBody ? (JSON.parse(lastSeriesBody) as { runs: unknown[] }).runs.length : NaN;
      // Panels and the slots of those not built yet (they are built in idle time after the load).
      const panels = await page.evaluate<number>(`document.querySelectorAll('${PANEL}, [data-slot]').length`);

      const pick = (key: keyof Load) => medianAndP95(loads.map((l) => l[key])).median;
      const emptyMedian = medianAndP95(empty).median;
      const fmp = pick('firstPanel');
      console.log(`\n── ${view.label} ──`);
      console.log(`  ${panels} panels, each charting ${charted} of the ${RUNS} runs; ${loads[0]?.panelsOnScreen ?? '?'} panels on the first screen`);
      console.log('');
      console.log(`first meaningful paint (first panel drawn)   median ${formatMillis(fmp).padStart(9)}   (fresh context each: ${loads.map((l) => l.firstPanel.toFixed(0)).join(', ')} ms; warm browser cache ${formatMillis(warmLoad.firstPanel)})`);
      console.log(`  first contentful paint of the app          median ${formatMillis(pick('fcp')).padStart(9)}`);
      console.log(`  runs table's first row on screen           median ${formatMillis(pick('table')).padStart(9)}`);
      console.log(`  every panel on screen drawn                median ${formatMillis(pick('screen')).padStart(9)}`);
      console.log(`  waterfall (median; answer received at): scripts ${formatMillis(pick('scriptEnd'))}, runs ${formatMillis(pick('runsEnd'))}, keys ${formatMillis(pick('keysEnd'))}, first /series sent ${formatMillis(pick('firstSeriesStart'))} → answered ${formatMillis(pick('firstSeriesEnd'))}`);
      console.log(`baseline: an empty page's first contentful paint  median ${formatMillis(emptyMedian)}  (${empty.map((t) => t.toFixed(0)).join(', ')} ms)`);
      console.log(`ratio first meaningful paint / empty page ${(fmp / emptyMedian).toFixed(1)}x | target ≤ ${FMP_TARGET_MS} ms: ${againstTarget(fmp, FMP_TARGET_MS)}`);
      const viewFigures: Record<string, unknown> = (figures[view.name] = {});
      viewFigures.firstPaint = { loads, warmLoad, emptyPageFcp: empty, fmpMedian: fmp, panels, charted };

      // ── scrolling ──
      await settle(page, 1000);
      const idle = frameStats(await idleFrames(page, 1000));
      const pass1 = await shownPass(browser, page);
      await settle(page, 500);
      const pass2 = await shownPass(browser, page);
      await settle(page, 500);
      // The floor: the same page without the app, as static HTML scrolled the same way.
      const asImages = await staticScrollPass(browser, server.url, await staticWorkspace(page, false));
      const asCanvases = await staticScrollPass(browser, server.url, await staticWorkspace(page, true));
      const s1 = frameStats(pass1.frames.intervals);
      const s2 = frameStats(pass2.frames.intervals);
      const tasks = (f: Frames) => (f.longTasks.length > 0 ? `; tasks over 50 ms: ${f.longTasks.map((t) => t.toFixed(0)).join(', ')} ms` : '; no task over 50 ms');
      const first = pass1.frames;
      console.log('');
      console.log(`scrolling: mouse wheel ${WHEEL_PX} px at a time, ${first.rangePx} px down to the bottom and back (${first.wheels} wheel events in ${(first.durationMs / 1000).toFixed(1)} s: ${((2 * first.rangePx) / (first.durationMs / 1000)).toFixed(0)} px/s)`);
      console.log(`  first pass: at its start ${first.drawnAtStart} of the ${first.panels} panels had been drawn, ${first.builtAtStart} built (the app builds panels off screen in idle time, and draws those near the screen); second pass: every panel drawn`);
      console.log('frames shown (Chromium\'s frame reporter, each vsync with an update to show; worst: the longest a person waited for a new frame):');
      console.log(describeShown('  first pass', pass1));
      console.log(describeShown('  second pass', pass2));
      console.log(describeShown('  baseline: the page as static HTML, charts as images', asImages));
      console.log(describeShown('  baseline: the same, charts as canvases', asCanvases));
      console.log("the main thread's frames (the page's animation frames; a frame over 16.7 ms there is a frame whose main-thread part came late):");
      console.log(describeFrames('  first pass', s1, tasks(pass1.frames)));
      console.log(describeFrames('  second pass', s2, tasks(pass2.frames)));
      console.log(describeFrames('  baseline: the idle workspace, 1 s', idle));
      console.log(describeFrames('  baseline: static HTML, charts as images', frameStats(asImages.frames.intervals)));
      console.log(describeFrames('  baseline: the same, charts as canvases', frameStats(asCanvases.frames.intervals), ' (each drawn once; no other script)'));
      const shownMet = (shown: PresentedFrames) => (shown.dropped === 0 && shown.unreported === 0 ? 'met' : 'missed');
      console.log(`target every frame ≤ ${FRAME_TARGET_MS} ms while scrolling (no vsync dropped): first pass ${shownMet(pass1.shown)}, second pass ${shownMet(pass2.shown)} (static page: ${shownMet(asImages.shown)} with images, ${shownMet(asCanvases.shown)} with canvases); the main thread's frames over ${FRAME_TARGET_MS + FRAME_JITTER_MS} ms: first pass ${s1.over}, second ${s2.over} (static page: ${frameStats(asImages.frames.intervals).over} with images, ${frameStats(asCanvases.frames.intervals).over} with canvases)`);
      viewFigures.scroll = {
        pass1: { shown: pass1.shown, mainThread: { ...s1, longTasks: first.longTasks }, drawnAtStart: first.drawnAtStart, panels: first.panels },
        pass2: { shown: pass2.shown, mainThread: { ...s2, longTasks: pass2.frames.longTasks } },
        idle,
        staticImages: { shown: asImages.shown, mainThread: frameStats(asImages.frames.intervals) },
        staticCanvases: { shown: asCanvases.shown, mainThread: frameStats(asCanvases.frames.intervals) },
      };
      await closePage(page);
    }

    // ── where the time goes (not the figures) ──
    const tracePage = await workspacePage(browser);
    let tracedLoad: Load | undefined;
    const loadTrace = await traceMainThread(browser, tracePage, async () => {
      tracedLoad = await loadWorkspace(tracePage, server.url);
    });
    await settle(tracePage, 500);
    let traced: Frames | undefined;
    const scrollTrace = await traceMainThread(browser, tracePage, async () => {
      traced = await scrollPass(tracePage);
    });
    await closePage(tracePage);
    if (tracedLoad) {
      const l = tracedLoad;
      // The stretches between the waterfall's moments, in the order they came (the runs and keys,
      // requested as the script starts, can be in before the script has run).
      const moments = ([
        ['navigation', 0],
        ['scripts in', l.scriptEnd],
        ['runs and keys answered', Math.max(l.runsEnd, l.keysEnd)],
        ['first /series sent', l.firstSeriesStart],
        ['first /series answered', l.firstSeriesEnd],
        ['first panel drawn', l.firstPanel],
      ] as Array<[string, number]>).sort((a, b) => a[1] - b[1]);
      const windows: Array<[string, number, number]> = moments.slice(1).map(([label, at], i) => [`${moments[i]![0]} → ${label}`, moments[i]![1], at]);
      console.log(`\ntrace of a load in a new page (first panel at ${formatMillis(l.firstPanel)} with tracing on; not the figure), the renderer's main thread, self time:`);
      for (const [label, from, to] of windows) {
        console.log(`  ${label} (${formatMillis(to - from)}):`);
        printTrace(summarizeTrace(loadTrace, from, to), '    ', 6);
      }
      figures.loadTrace = windows.map(([label, from, to]) => ({ label, ...summarizeTrace(loadTrace, from, to), events: summarizeTrace(loadTrace, from, to).events.slice(0, 10) }));
    }
    const scroll = summarizeTrace(scrollTrace);
    console.log(`trace of a first scroll pass in it (worst frame ${formatMillis(traced ? frameStats(traced.intervals).worst : NaN)} with tracing on), self time:`);
    printTrace(scroll, '    ');
    figures.scrollTrace = { ...scroll, events: scroll.events.slice(0, 15) };
    if (traced) {
      const frames = tracedFrames(scrollTrace, traced.times);
      const cpu = frames.map((f) => f.cpuMs).sort((a, b) => a - b);
      const overCpu = cpu.filter((ms) => ms > FRAME_TARGET_MS).length;
      console.log(`  frame by frame, the main thread's CPU time (tasks started in the frame): p50 ${formatMillis(quantile(cpu, 0.5))}, p95 ${formatMillis(quantile(cpu, 0.95))}, max ${formatMillis(cpu[cpu.length - 1] ?? NaN)}; ${overCpu} of ${cpu.length} frames over ${FRAME_TARGET_MS} ms of CPU, ${cpu.filter((ms) => ms > FRAME_TARGET_MS / 2).length} over half that`);
      console.log('  the longest frames (wall), their CPU, and their tasks (CPU ms, with their biggest parts):');
      for (const frame of [...frames].sort((a, b) => b.wallMs - a.wallMs).slice(0, 8)) {
        console.log(`    at ${formatMillis(frame.at - traced.times[0]!).padStart(9)}: ${formatMillis(frame.wallMs).padStart(8)} wall, ${formatMillis(frame.cpuMs).padStart(8)} CPU: ${frame.tasks.join(' | ') || '(no task over 1 ms)'}`);
      }
      figures.scrollFrames = { cpuP50: quantile(cpu, 0.5), cpuP95: quantile(cpu, 0.95), cpuMax: cpu[cpu.length - 1], overCpu };
    }

    const profilePage = await workspacePage(browser);
    try {
      await serveBuildTo(profilePage, plainDir);
      const load = await loadWorkspace(profilePage, server.url);
      await settle(profilePage, 500);
      const summary = await cpuProfile(profilePage, plainDir, async () => {
        await scrollPass(profilePage);
      });
      console.log(`\nCPU profile of a first pass (unminified build of the same source, profiler on; its first panel drawn at ${formatMillis(load.firstPanel)}; not the figure), JS self time ${formatMillis(summary.busyMs)}:`);
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
