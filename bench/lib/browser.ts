/**
 * What the dashboard benchmarks (bench/web-*.ts) share: a production build of the web
 * (Vite, into a temp dir), a server that serves it beside the API, fast in-process loading
 * of runs, Debian's Chromium driven by playwright-core, and a probe installed in every page
 * that timestamps what the user would see.
 *
 * The probe (`window.__bench`) runs in the page, so its times are the page's own clock
 * (`performance.now()`, 0 at navigation start):
 *
 * - `watch(name, check)`: `check()` runs in every animation frame until it is true; then the
 *   mark `name` gets `found` (that frame, after the check) and `painted` (a message posted from
 *   that frame, delivered after the frame's style, layout and paint). `painted` is the figure
 *   the benchmarks print: the moment the change was on screen. The probe reports each mark (and
 *   each new watch) as a console message, which {@link waitForMark} reads: waiting for a mark
 *   never evaluates anything in the page. (Playwright's first evaluation in a document, a
 *   `page.evaluate` or `waitForFunction`, injects its own script, 30–60 ms of main-thread work
 *   here; polled right after `goto`, it landed in the middle of the page's first render.)
 * - `ink(root)`: whether a canvas under `root` holds an opaque, saturated pixel: a run's line
 *   (axes, grid and text are grey; the min–max bands are translucent).
 * - `plotOf(element)`: the uPlot instance of a chart, found through React's fiber of the
 *   chart's container (the app keeps it in a ref and exposes nothing): a benchmark-only peek
 *   at internals, so that the draw can be timed alone.
 * - `startFrames()` / `stopFrames()`: the timestamps of every animation frame in between;
 *   `longTasks`: every task over 50 ms (PerformanceObserver 'longtask').
 * - `resources(part, since)`: resource timing entries whose URL contains `part`.
 *
 * Beside the figures, where the time goes: a CPU profile of an unminified build of the same
 * source ({@link cpuProfile}) and a Chromium trace reduced to self time per event on the page's
 * main thread, in windows of page time ({@link traceMainThread}, {@link summarizeTrace}).
 *
 * Page code is written as strings: tsx compiles this file with helpers (`__name`) that a
 * serialised function would carry into the page, where they do not exist.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServer, type RunningServer } from '@cairn/server';

export const REPO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const WEB_DIR = path.join(REPO_DIR, 'packages', 'web');
export const CHROMIUM = process.env.CAIRN_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
export const VIEWPORT = { width: 1280, height: 800 } as const;
export const ENTITY = 'local';

// ── building ────────────────────────────────────────────────────────────────

/**
 * `vite build` of the project in `root` into `outDir`, as the dashboard ships (NODE_ENV
 * production: React's production build). Returns the build's wall time in ms.
 */
export function viteBuild(root: string, outDir: string, extraArgs: readonly string[] = []): number {
  const start = performance.now();
  execFileSync(process.execPath, [path.join(REPO_DIR, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn', ...extraArgs], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return performance.now() - start;
}

/** The dashboard's production build in `outDir` (packages/web/dist is left alone). Returns ms. */
export function buildWeb(outDir: string): number {
  return viteBuild(WEB_DIR, outDir);
}

export interface BuiltFile {
  /** Relative to the build's root. */
  file: string;
  raw: number;
  /** gzip level 9, as the server sends it (packages/server/src/http/web.ts). */
  gzipped: number;
}

/** The files of a build ending in one of `extensions`, with raw and gzipped sizes, largest first. */
export function builtFiles(outDir: string, extensions: readonly string[]): BuiltFile[] {
  const files: BuiltFile[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (extensions.some((ext) => name.endsWith(ext))) {
        const bytes = readFileSync(full);
        files.push({ file: path.relative(outDir, full), raw: bytes.length, gzipped: gzipSync(bytes, { level: 9 }).length });
      }
    }
  };
  walk(outDir);
  return files.sort((a, b) => b.raw - a.raw);
}

/** `abc1234`, plus how many files under packages/web/src differ from it (others may be editing). */
export function webSourceLine(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_DIR, encoding: 'utf8' }).trim();
    const changed = execFileSync('git', ['status', '--porcelain', '--', 'packages/web/src'], { cwd: REPO_DIR, encoding: 'utf8' }).split('\n').filter(Boolean).length;
    return `web source: commit ${commit}${changed > 0 ? `, ${changed} file${changed === 1 ? '' : 's'} under packages/web/src changed since (work in progress, built as found)` : ', unchanged'}`;
  } catch {
    return 'web source: (git unavailable)';
  }
}

// ── the server and its data ─────────────────────────────────────────────────

/** The API and the built dashboard (`webRoot`) on one origin, in this process. */
export function startWebServer(dataDir: string, webRoot: string): Promise<RunningServer> {
  return startServer({ port: 0, dataDir, quiet: true, webRoot });
}

export interface BenchRun {
  id: string;
  name: string;
  /** Unix seconds: the runs table sorts by it by default (newest first). */
  startTime: number;
  tags?: string[];
}

export interface LoadOptions {
  /** Default 1,000. */
  rowsPerBatch?: number;
  /**
   * Whether rows carry `_runtime` and `_timestamp` (default true). Each is a series the store
   * writes, so leaving them out makes loading a one-key run about 3× faster; charts against
   * `_step` (the default axis) do not read them.
   */
  timeAxes?: boolean;
}

/**
 * Loads one finished run of `steps` history rows straight into the store (no HTTP, no SDK):
 * header, run, the rows (`row(step)` plus `_step`, `_runtime`, `_timestamp`) in batches, and an
 * exit record, as packages/server/src/test-support/records.ts shapes them.
 */
export async function loadRun(server: RunningServer, project: string, run: BenchRun, steps: number, row: (step: number) => Record<string, number>, options: LoadOptions = {}): Promise<void> {
  const rowsPerBatch = options.rowsPerBatch ?? 1000;
  const timeAxes = options.timeAxes ?? true;
  const key = { entity: ENTITY, project, id: run.id };
  const secondsPerStep = 0.05;
  let index = 0;
  for (let offset = 0; offset < steps; offset += rowsPerBatch) {
    const records: Array<Record<string, unknown>> = [];
    if (offset === 0) {
      records.push({ t: 'header', version: 1, writer: 'bench', writerId: 'w', pid: process.pid, time: run.startTime });
      records.push({
        t: 'run', id: run.id, project, entity: ENTITY, name: run.name, group: null, jobType: null, tags: run.tags ?? [], notes: null,
        startTime: run.startTime, startingStep: 0, resumed: false, sweepId: null, mode: 'online',
      });
    }
    const end = Math.min(steps, offset + rowsPerBatch);
    for (let step = offset; step < end; step++) {
      const values = { ...row(step), _step: step };
      records.push({ t: 'history', row: timeAxes ? { ...values, _runtime: step * secondsPerStep, _timestamp: run.startTime + step * secondsPerStep } : values });
    }
    if (end === steps) records.push({ t: 'exit', exitCode: 0, runtime: steps * secondsPerStep, time: run.startTime + steps * secondsPerStep });
    await server.store.applyBatch(key, 'w', index, records);
    index += records.length;
  }
}

/** A deterministic pseudo-random stream in [0, 1) (xorshift32), one per seed. */
export function randomStream(seed: number): () => number {
  let state = (0x9e3779b9 ^ Math.imul(seed + 1, 0x85ebca6b)) >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
}

/** `n` → `n` zero-padded to `width` digits. */
export function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

// ── the browser ─────────────────────────────────────────────────────────────

/** Why the browser benchmarks cannot run here, or undefined when they can. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium) or set CAIRN_CHROMIUM`;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** `Chromium 156.0.…`: printed beside the figures. */
export function browserLine(browser: Browser): string {
  return `Chromium ${browser.version()} (headless, --disable-gpu: software raster), viewport ${VIEWPORT.width}×${VIEWPORT.height}`;
}

export interface PageOptions {
  /**
   * Marks to watch from the very start of every document this page loads: name → a JS
   * expression (run in each animation frame until true).
   */
  watch?: Record<string, string>;
}

/**
 * A page in a fresh browser context (its own HTTP cache), 1280×800, light theme, with the
 * probe installed in every document it loads. Page errors are printed, not swallowed.
 */
export async function openPage(browser: Browser, options: PageOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORT, colorScheme: 'light' });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  page.on('pageerror', (error) => console.error('page error:', error.message));
  listenForMarks(page);
  await page.addInitScript({ content: PROBE });
  for (const [name, check] of Object.entries(options.watch ?? {})) await page.addInitScript({ content: watchScript(name, check) });
  return page;
}

/** Closes the page and its context. */
export async function closePage(page: Page): Promise<void> {
  await page.context().close();
}

/** The statement that starts watching `check` under `name`. */
export function watchScript(name: string, check: string): string {
  return `window.__bench.watch(${JSON.stringify(name)}, () => (${check}));`;
}

export interface Mark {
  found: number;
  painted: number;
}

/** The console message's start with which the probe reports a mark: `<prefix>{"name":…,"mark":…|null}`. */
const MARK_MESSAGE = '__bench mark ';

interface MarkInbox {
  /** The marks the document now shown has painted (a mark being watched again is dropped). */
  marks: Map<string, Mark>;
  /** Called on every report. */
  listeners: Set<() => void>;
}

const inboxes = new WeakMap<Page, MarkInbox>();

/** Keeps the page's marks as the probe reports them; a new document starts with none. */
function listenForMarks(page: Page): void {
  const inbox: MarkInbox = { marks: new Map(), listeners: new Set() };
  inboxes.set(page, inbox);
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) inbox.marks.clear();
  });
  page.on('console', (message) => {
    if (message.type() !== 'debug') return;
    const text = message.text();
    if (!text.startsWith(MARK_MESSAGE)) return;
    const { name, mark } = JSON.parse(text.slice(MARK_MESSAGE.length)) as { name: string; mark: Mark | null };
    if (mark) inbox.marks.set(name, mark);
    else inbox.marks.delete(name);
    for (const listener of [...inbox.listeners]) listener();
  });
}

/**
 * Waits until the mark `name` has been painted in the document now shown; returns it (page
 * clock, ms). Reads the probe's console reports: nothing is evaluated in the page.
 */
export function waitForMark(page: Page, name: string, timeoutMs = 60_000): Promise<Mark> {
  const inbox = inboxes.get(page);
  if (!inbox) return Promise.reject(new Error('waitForMark: the page was not opened with openPage (no probe)'));
  return new Promise<Mark>((resolve, reject) => {
    const check = () => {
      const mark = inbox.marks.get(name);
      if (!mark) return;
      done();
      resolve(mark);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`waitForMark: no mark '${name}' painted within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      inbox.listeners.delete(check);
    };
    inbox.listeners.add(check);
    check();
  });
}

/** Where {@link openStatic} serves a page's static copy (intercepted in the page: the server never sees it). */
const STATIC_PATH = '/__bench/static.html';

/**
 * The page as it is now, as static HTML (a baseline: the same DOM without the app): its DOM
 * with every script taken out; with `canvasesAsImages`, each canvas replaced by an image of
 * what it shows (marked `data-canvas`).
 */
export async function staticCopy(page: Page, options: { canvasesAsImages?: boolean } = {}): Promise<string> {
  const html = await page.evaluate<string>(`(() => {
    const copy = document.documentElement.cloneNode(true);
    if (${options.canvasesAsImages === true}) {
      const live = document.querySelectorAll('canvas');
      copy.querySelectorAll('canvas').forEach((canvas, i) => {
        const image = document.createElement('img');
        image.src = live[i].toDataURL();
        image.style.cssText = live[i].style.cssText;
        image.className = live[i].className;
        image.dataset.canvas = '';
        canvas.replaceWith(image);
      });
    }
    for (const script of copy.querySelectorAll('script, link[rel=modulepreload]')) script.remove();
    return copy.outerHTML;
  })()`);
  return `<!doctype html>${html}`;
}

/** Loads `html` (a {@link staticCopy}) in `page`, served at a path of `url`: the app's origin, whose stylesheets it links. */
export async function openStatic(page: Page, url: string, html: string): Promise<void> {
  await page.route(`**${STATIC_PATH}`, (route) => route.fulfill({ body: html, contentType: 'text/html; charset=utf-8' }));
  await page.goto(`${url}${STATIC_PATH}`);
}

/** Waits for two painted frames in a row: whatever was queued is on screen. */
export async function settle(page: Page, ms = 0): Promise<void> {
  if (ms > 0) await page.waitForTimeout(ms);
  await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
}

/** A JS expression: an element matching `selector` exists (its layout is forced, as a paint would). */
export function exists(selector: string): string {
  return `(() => { const e = document.querySelector(${JSON.stringify(selector)}); return e !== null && e.getBoundingClientRect().height > 0; })()`;
}

/** A JS expression: a canvas under the element matching `selector` shows a line. */
export function inked(selector: string): string {
  return `window.__bench.ink(document.querySelector(${JSON.stringify(selector)}))`;
}

/** The panel of `key` in the workspace. */
export function panelSelector(key: string): string {
  return `[data-testid="panel"][data-key="${key}"]`;
}

export interface ResourceTiming {
  name: string;
  start: number;
  requestStart: number;
  responseStart: number;
  responseEnd: number;
  /** Decoded bytes of the body. */
  bytes: number;
}

/** Resource timing entries (page clock) whose URL contains `part`, started at or after `since`. */
export function resources(page: Page, part: string, since = 0): Promise<ResourceTiming[]> {
  return page.evaluate<ResourceTiming[]>(`window.__bench.resources(${JSON.stringify(part)}, ${since})`);
}

/** The probe: see this file's header. */
const PROBE = String.raw`
(() => {
  if (window.__bench) return;
  const bench = { marks: {}, watchers: [], longTasks: [], frames: null };
  window.__bench = bench;
  if (performance.setResourceTimingBufferSize) performance.setResourceTimingBufferSize(100000);
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) bench.longTasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch (error) {}

  // A message posted from an animation frame is delivered after that frame's paint.
  const afterPaint = [];
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    const now = performance.now();
    for (const done of afterPaint.splice(0)) done(now);
  };
  bench.nextPaint = () => new Promise((resolve) => requestAnimationFrame(() => {
    afterPaint.push(resolve);
    channel.port2.postMessage(0);
  }));

  let looping = false;
  const loop = () => {
    for (const watcher of bench.watchers.slice()) {
      let ok = false;
      try { ok = Boolean(watcher.check()); } catch (error) { ok = false; }
      if (!ok) continue;
      bench.watchers.splice(bench.watchers.indexOf(watcher), 1);
      const mark = { found: performance.now(), painted: NaN };
      bench.marks[watcher.name] = mark;
      afterPaint.push((now) => {
        mark.painted = now;
        report(watcher.name, mark);
      });
      channel.port2.postMessage(0);
    }
    if (bench.watchers.length > 0) requestAnimationFrame(loop);
    else looping = false;
  };
  // To waitForMark in Node: a mark painted, or null when it is watched (again).
  const report = (name, mark) => console.debug(${JSON.stringify(MARK_MESSAGE)} + JSON.stringify({ name, mark }));
  bench.watch = (name, check) => {
    delete bench.marks[name];
    report(name, null);
    bench.watchers = bench.watchers.filter((w) => w.name !== name);
    bench.watchers.push({ name, check });
    if (!looping) {
      looping = true;
      requestAnimationFrame(loop);
    }
  };

  bench.ink = (root) => {
    if (!root) return false;
    const canvases = root.tagName === 'CANVAS' ? [root] : root.querySelectorAll('canvas');
    for (const canvas of canvases) {
      if (canvas.width === 0 || canvas.height === 0) continue;
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] < 200) continue;
        const r = data[i], g = data[i + 1], b = data[i + 2];
        if (Math.max(r, g, b) - Math.min(r, g, b) > 60) return true;
      }
    }
    return false;
  };

  bench.plotOf = (element) => {
    // uPlot builds its own DOM (no fiber): climb to the element React rendered around it.
    let host = element;
    let key;
    while (host && !(key = Object.keys(host).find((k) => k.startsWith('__reactFiber$')))) host = host.parentElement;
    let fiber = host && key ? host[key] : null;
    for (let depth = 0; fiber && depth < 8; depth++, fiber = fiber.return) {
      for (let hook = fiber.memoizedState; hook && typeof hook === 'object' && 'next' in hook; hook = hook.next) {
        const state = hook.memoizedState;
        const value = state && typeof state === 'object' ? state.current : null;
        if (value && typeof value.setData === 'function' && typeof value.batch === 'function') return value;
      }
    }
    return null;
  };

  bench.startFrames = () => {
    const recording = { times: [], running: true };
    bench.frames = recording;
    const tick = (time) => {
      if (!recording.running) return;
      recording.times.push(time);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  };
  bench.stopFrames = () => {
    const recording = bench.frames;
    if (!recording) return [];
    recording.running = false;
    return recording.times;
  };

  bench.resources = (part, since) => performance.getEntriesByType('resource')
    .filter((e) => e.name.includes(part) && e.startTime >= since)
    .map((e) => ({ name: e.name, start: e.startTime, requestStart: e.requestStart, responseStart: e.responseStart, responseEnd: e.responseEnd, bytes: e.decodedBodySize }));
})();
`;

// ── CPU profiles (where the main thread's time goes) ───────────────────────

/**
 * The same source built without minification, for CPU profiles only: function names survive,
 * and the bundle marks each module's start with a `// <path>` line, so a sample's line number
 * tells its module. Returns ms.
 */
export function buildWebUnminified(outDir: string): number {
  return viteBuild(WEB_DIR, outDir, ['--minify', 'false']);
}

/**
 * Serves the page's own files (everything outside /api) from the build in `dir`, so that a
 * page of the running server can load another build of the dashboard; the API still answers.
 */
export async function serveBuildTo(page: Page, dir: string): Promise<void> {
  await page.route(
    (url) => !url.pathname.startsWith('/api/'),
    async (route) => {
      const pathname = decodeURIComponent(new URL(route.request().url()).pathname);
      const file = path.join(dir, pathname);
      const found = file.startsWith(dir + path.sep) && existsSync(file) && statSync(file).isFile();
      await route.fulfill({ path: found ? file : path.join(dir, 'index.html') });
    },
  );
}

/**
 * Bytes per module (grouped by package, or the file for the app's own source) of an
 * unminified build, from the `// <path>` line that starts each module in the bundle.
 */
export function moduleSizes(dir: string): Array<{ module: string; bytes: number }> {
  const sizes = new Map<string, number>();
  for (const { file } of builtFiles(dir, ['.js'])) {
    let module = '(bundle runtime)';
    for (const text of readFileSync(path.join(dir, file), 'utf8').split('\n')) {
      const match = /^\/\/ (?:\\0)?(\S+\.(?:[cm]?[jt]sx?))$/.exec(text);
      if (match) module = shortModule(match[1]!.replace(/^(\.\.\/)+node_modules\//, ''));
      sizes.set(module, (sizes.get(module) ?? 0) + Buffer.byteLength(text) + 1);
    }
  }
  return [...sizes.entries()].map(([module, bytes]) => ({ module, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** Line ranges of the modules in an unminified bundle: `// ../../node_modules/uplot/dist/uPlot.esm.js` starts one. */
function moduleRanges(dir: string): Map<string, Array<{ line: number; module: string }>> {
  const ranges = new Map<string, Array<{ line: number; module: string }>>();
  for (const { file } of builtFiles(dir, ['.js'])) {
    const starts: Array<{ line: number; module: string }> = [];
    readFileSync(path.join(dir, file), 'utf8').split('\n').forEach((text, line) => {
      const match = /^\/\/ (?:\\0)?(\S+\.(?:[cm]?[jt]sx?))$/.exec(text);
      if (match) starts.push({ line, module: match[1]!.replace(/^(\.\.\/)+node_modules\//, '') });
    });
    ranges.set(path.basename(file), starts);
  }
  return ranges;
}

/** `react-dom/cjs/react-dom-client.production.js` → `react-dom`; `src/lib/chart-data.ts` stays. */
function shortModule(module: string): string {
  if (module.startsWith('src/')) return module;
  const parts = module.split('/');
  return parts[0]!.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

export interface ProfileSummary {
  /** Sampled wall time, idle excluded. */
  busyMs: number;
  /** Self time per module (or VM category: garbage collector, program, …), largest first. */
  modules: Array<{ name: string; ms: number }>;
  /** Self time per function, largest first. */
  functions: Array<{ name: string; module: string; ms: number }>;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface ProfileData {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

/**
 * A CPU profile (V8's sampler through the DevTools protocol, 100 µs) of the page while
 * `action` runs, summarised by self time. `buildDir` is the unminified build the page runs
 * (see {@link serveBuildTo}), for module names.
 */
export async function cpuProfile(page: Page, buildDir: string, action: () => Promise<void>): Promise<ProfileSummary> {
  const session = await page.context().newCDPSession(page);
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: 100 });
  await session.send('Profiler.start');
  let profile: ProfileData;
  try {
    await action();
  } finally {
    profile = (await session.send('Profiler.stop')).profile as ProfileData;
    await session.detach();
  }
  const ranges = moduleRanges(buildDir);
  const nodes = new Map<number, ProfileNode>(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node);
  const moduleOf = (node: ProfileNode): string => {
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName.startsWith('(')) return functionName;
    if (url === '') {
      // A browser built-in (getBoundingClientRect, fillRect, …): charged to its caller's module.
      const caller = parents.get(node.id);
      return caller && caller.callFrame.url !== '' ? `native ← ${moduleOf(caller)}` : '(native, or the bench probe)';
    }
    const starts = ranges.get(path.basename(new URL(url).pathname));
    if (!starts) return path.basename(new URL(url).pathname);
    let module = '(bundle runtime)';
    for (const start of starts) {
      if (start.line > lineNumber) break;
      module = start.module;
    }
    return shortModule(module);
  };
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // timeDeltas[i + 1] is the time from sample i to the next one: sample i's share.
  for (let i = 0; i < samples.length; i++) selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + (deltas[i + 1] ?? 0));
  const byModule = new Map<string, number>();
  const byFunction = new Map<string, { name: string; module: string; ms: number }>();
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const node = nodes.get(id);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    busyUs += us;
    const module = moduleOf(node);
    byModule.set(module, (byModule.get(module) ?? 0) + us / 1000);
    const caller = node.callFrame.url === '' && !node.callFrame.functionName.startsWith('(') ? parents.get(node.id) : undefined;
    const name = `${node.callFrame.functionName || '(anonymous)'}${caller ? ` ← ${caller.callFrame.functionName || '(anonymous)'}` : ''}`;
    const key = `${name}\n${module}`;
    const entry = byFunction.get(key) ?? { name, module, ms: 0 };
    entry.ms += us / 1000;
    byFunction.set(key, entry);
  }
  return {
    busyMs: busyUs / 1000,
    modules: [...byModule.entries()].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms),
    functions: [...byFunction.values()].sort((a, b) => b.ms - a.ms),
  };
}

/** Prints a profile summary: the top modules and functions by self time. */
export function printProfile(summary: ProfileSummary, indent = '  ', top = 8): void {
  const share = (ms: number) => `${((100 * ms) / summary.busyMs).toFixed(0).padStart(3)}%`;
  console.log(`${indent}by module:   ${summary.modules.slice(0, top).map((m) => `${m.name} ${m.ms.toFixed(0)} ms (${share(m.ms).trim()})`).join(', ')}`);
  console.log(`${indent}by function:`);
  for (const f of summary.functions.slice(0, top)) console.log(`${indent}  ${f.ms.toFixed(1).padStart(7)} ms ${share(f.ms)}  ${f.name}  (${f.module})`);
}

// ── traces (where the renderer's main thread spends its time, JS or not) ───

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string };
}

/** A trace of the renderer main threads, on the clock of the page that was current at its end. */
export interface Trace {
  /** Complete events ('X') of the renderer main threads, per thread, sorted by start. */
  threads: TraceEvent[][];
  /** Trace time (µs) of the page's time 0 (from a `bench-sync` mark made while tracing); NaN without one. */
  originUs: number;
}

export interface TraceSummary {
  /** Wall time covered by top-level tasks on the renderer's main thread (inside the window). */
  busyMs: number;
  /** The window's length, ms. */
  spanMs: number;
  /** Self time per trace event name (JS is `FunctionCall`, `TimerFire`, …; `Layout`, `Paint` are Blink's), largest first. */
  events: Array<{ name: string; ms: number; count: number }>;
  /** Top-level tasks over 50 ms (their part inside the window). */
  longTasks: number[];
}

/**
 * The trace events of `categories` while `action` runs, and the page time of a mark
 * (`bench-sync`, NaN when the page could not make it) made in the document shown at the end,
 * while still tracing: its trace event ties the trace's clock to that page's.
 */
async function recordTrace<E extends TraceEvent>(browser: Browser, page: Page, categories: readonly string[], action: () => Promise<void>): Promise<{ events: E[]; syncPageMs: number }> {
  await browser.startTracing(page, { categories: [...categories] });
  let buffer: Buffer;
  let syncPageMs: number;
  try {
    await action();
    syncPageMs = await page.evaluate<number>(`performance.mark('bench-sync').startTime`).catch(() => NaN);
  } finally {
    buffer = await browser.stopTracing();
  }
  const parsed = JSON.parse(buffer.toString('utf8')) as { traceEvents?: E[] } | E[];
  return { events: Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []), syncPageMs };
}

const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'cc', 'disabled-by-default-skia', 'toplevel', 'blink.user_timing'];

/**
 * A Chromium trace (devtools.timeline and a few more) while `action` runs, kept for the
 * renderer main threads: the part of their time that a JS profile shows only as "(program)"
 * (style, layout, paint, canvas raster, IPC, …) gets names. A `performance.mark` made at the
 * end ties it to the clock of the page then shown, so a window of that page's time can be
 * summarised (see {@link summarizeTrace}).
 */
export async function traceMainThread(browser: Browser, page: Page, action: () => Promise<void>): Promise<Trace> {
  const { events, syncPageMs } = await recordTrace(browser, page, TRACE_CATEGORIES, action);
  const mainThreads = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const byThread = new Map<string, TraceEvent[]>();
  for (const event of events) {
    const thread = `${event.pid}:${event.tid}`;
    if (event.ph !== 'X' || event.dur === undefined || !mainThreads.has(thread)) continue;
    let list = byThread.get(thread);
    if (!list) byThread.set(thread, (list = []));
    list.push(event);
  }
  for (const list of byThread.values()) list.sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  // The mark's trace time, less its page time: the trace time of the page's time 0. Its thread
  // is the page's main thread (others belong to renderers the page left, or never used).
  const sync = events.find((e) => e.name === 'bench-sync');
  const own = sync ? byThread.get(`${sync.pid}:${sync.tid}`) : undefined;
  return { threads: own ? [own] : [...byThread.values()], originUs: sync ? sync.ts - syncPageMs * 1000 : NaN };
}

/**
 * Self time per event name inside a window of page time (ms; the whole trace without one).
 * Each event counts only for its part inside the window, less its children's parts.
 */
export function summarizeTrace(trace: Trace, fromMs?: number, toMs?: number): TraceSummary {
  const from = fromMs === undefined || Number.isNaN(trace.originUs) ? -Infinity : trace.originUs + fromMs * 1000;
  const to = toMs === undefined || Number.isNaN(trace.originUs) ? Infinity : trace.originUs + toMs * 1000;
  const clip = (event: TraceEvent) => Math.max(0, Math.min(event.ts + event.dur!, to) - Math.max(event.ts, from));
  const self = new Map<string, { ms: number; count: number }>();
  const longTasks: number[] = [];
  let busyUs = 0;
  let first = Infinity;
  let last = -Infinity;
  for (const list of trace.threads) {
    const stack: Array<{ event: TraceEvent; end: number; inside: number; childUs: number }> = [];
    const pop = () => {
      const done = stack.pop()!;
      if (done.inside <= 0) return;
      const entry = self.get(done.event.name) ?? { ms: 0, count: 0 };
      entry.ms += Math.max(0, done.inside - done.childUs) / 1000;
      entry.count++;
      self.set(done.event.name, entry);
    };
    for (const event of list) {
      while (stack.length > 0 && stack[stack.length - 1]!.end <= event.ts) pop();
      const inside = clip(event);
      const parent = stack[stack.length - 1];
      if (parent) parent.childUs += inside;
      else if (inside > 0) {
        busyUs += inside;
        first = Math.min(first, Math.max(event.ts, from));
        last = Math.max(last, Math.min(event.ts + event.dur!, to));
        if (inside > 50_000) longTasks.push(inside / 1000);
      }
      stack.push({ event, end: event.ts + event.dur!, inside, childUs: 0 });
    }
    while (stack.length > 0) pop();
  }
  const spanUs = Number.isFinite(from) && Number.isFinite(to) ? to - from : Math.max(0, last - first);
  return {
    busyMs: busyUs / 1000,
    spanMs: spanUs / 1000,
    events: [...self.entries()].map(([name, v]) => ({ name, ...v })).sort((a, b) => b.ms - a.ms),
    longTasks,
  };
}

// ── frames presented (Chromium's own account of each frame) ─────────────────

/** One vsync of the page's compositor, as Chromium's frame reporter saw it. */
interface PipelineFrame {
  /** Trace time (µs) of the vsync. */
  ts: number;
  sequence: number;
  /** `STATE_PRESENTED_ALL`, `STATE_PRESENTED_PARTIAL`, `STATE_DROPPED`, `STATE_NO_UPDATE_DESIRED`. */
  state: string;
  /** Presented with tiles not rastered yet (checkerboard). */
  missingContent: boolean;
}

export interface PipelineTrace {
  /** The page renderer's frame reports, in order (a vsync may have more than one). */
  frames: PipelineFrame[];
  /** Trace time (µs) of the page's time 0. */
  originUs: number;
}

/**
 * Chromium's frame reporter (`PipelineReporter`, trace category `benchmark`) while `action`
 * runs: for each vsync of the page's compositor, whether it presented a frame with every
 * update (`PRESENTED_ALL`), with the compositor's part only — the scroll moved, the main
 * thread's part came later (`PRESENTED_PARTIAL`) — or none although there was an update to
 * show (`DROPPED`). That is what a person sees; the page's animation frames (rAF) tell only
 * the main thread's pace, which a scroll on the compositor thread does not wait for. A narrow
 * category: it costs the page little.
 */
export async function tracePipeline(browser: Browser, page: Page, action: () => Promise<void>): Promise<PipelineTrace> {
  type ReporterEvent = TraceEvent & { args?: { frame_reporter?: Record<string, unknown> } };
  const { events, syncPageMs } = await recordTrace<ReporterEvent>(browser, page, ['benchmark', 'blink.user_timing'], action);
  const sync = events.find((e) => e.name === 'bench-sync');
  if (!sync) throw new Error('tracePipeline: the sync mark is missing from the trace');
  const frames: PipelineFrame[] = [];
  for (const event of events) {
    const report = event.args?.frame_reporter;
    if (event.name !== 'PipelineReporter' || event.ph !== 'b' || event.pid !== sync.pid || !report) continue;
    frames.push({ ts: event.ts, sequence: Number(report.frame_sequence), state: String(report.state), missingContent: report.has_missing_content === true });
  }
  frames.sort((a, b) => a.ts - b.ts);
  return { frames, originUs: sync.ts - syncPageMs * 1000 };
}

export interface PresentedFrames {
  /** Vsyncs with an update to show. */
  frames: number;
  /** Of those: presented whole; presented with the compositor's part only; not presented. */
  complete: number;
  partial: number;
  dropped: number;
  /** Presented with part of the page not rastered yet (checkerboard). */
  missingContent: number;
  /** Vsyncs with nothing to update. */
  idle: number;
  /** The longest run of vsyncs without a frame presented, while updates were waiting (0: none missed). */
  longestMiss: number;
  /** Vsyncs between the first and the last reported with no report at all (the compositor never began them). */
  unreported: number;
}

/** The vsyncs between two page times (ms), each counted once: presented if any report for it presented. */
export function presentedFrames(trace: PipelineTrace, fromMs: number, toMs: number): PresentedFrames {
  const from = trace.originUs + fromMs * 1000;
  const to = trace.originUs + toMs * 1000;
  const bySequence = new Map<number, PipelineFrame[]>();
  for (const frame of trace.frames) {
    if (frame.ts < from || frame.ts > to) continue;
    const list = bySequence.get(frame.sequence);
    if (list) list.push(frame);
    else bySequence.set(frame.sequence, [frame]);
  }
  const out: PresentedFrames = { frames: 0, complete: 0, partial: 0, dropped: 0, missingContent: 0, idle: 0, longestMiss: 0, unreported: 0 };
  let miss = 0;
  const sequences = [...bySequence.keys()].sort((a, b) => a - b);
  for (let i = 1; i < sequences.length; i++) out.unreported += sequences[i]! - sequences[i - 1]! - 1;
  for (const sequence of sequences) {
    const states = new Set(bySequence.get(sequence)!.map((f) => f.state));
    if (states.has('STATE_PRESENTED_ALL') || states.has('STATE_PRESENTED_PARTIAL')) {
      out.frames++;
      if (states.has('STATE_PRESENTED_ALL')) out.complete++;
      else out.partial++;
      if (bySequence.get(sequence)!.some((f) => f.missingContent)) out.missingContent++;
      miss = 0;
    } else if (states.has('STATE_DROPPED')) {
      out.frames++;
      out.dropped++;
      out.longestMiss = Math.max(out.longestMiss, ++miss);
    } else out.idle++;
  }
  return out;
}

/** `void SkCanvas::drawRect(const SkRect &, const SkPaint &)` → `SkCanvas::drawRect`. */
function shortEventName(name: string): string {
  if (!name.includes('(')) return name;
  const head = name.slice(0, name.indexOf('(')).trim();
  return head.slice(head.lastIndexOf(' ') + 1) || name;
}

/** The kind of main-thread work a trace event is, by its name (a rough, documented split). */
export function traceGroup(name: string): string {
  if (/GC|garbage|Heap|Scavenge|MarkCompact/i.test(name)) return 'garbage collection';
  if (/^(FunctionCall|EvaluateScript|TimerFire|FireAnimationFrame|EventDispatch|v8\.|V8\.|RunMicrotasks|BlinkScheduler_PerformMicrotaskCheckpoint|XHRReadyStateChange|FunctionCallback|ScriptStreamer)/.test(name)) return 'JavaScript';
  if (/Sk[A-Z]|Canvas|canvas|Skia|Raster/.test(name)) return 'canvas drawing (Skia)';
  if (/UpdateLayoutTree|recalcStyle|Style|Layout|layout/.test(name)) return 'style + layout';
  if (/Paint|Commit|commit|Layerize|Composit|BeginMainFrame|PrePaint|cc::|UpdateLayer/.test(name)) return 'paint + composite';
  if (/HTML|Parse|Resource|Fetch|Loader|Navigation|Document|Frame/.test(name)) return 'loading + DOM';
  return 'other (tasks, IPC, scheduling)';
}

/** Prints a trace summary: self time by kind of work, then the top event names. */
export function printTrace(summary: TraceSummary, indent = '  ', top = 8): void {
  const share = (ms: number) => `${((100 * ms) / summary.busyMs).toFixed(0)}%`;
  const groups = new Map<string, number>();
  for (const event of summary.events) groups.set(traceGroup(event.name), (groups.get(traceGroup(event.name)) ?? 0) + event.ms);
  const sorted = [...groups.entries()].sort((a, b) => b[1] - a[1]);
  console.log(`${indent}busy ${summary.busyMs.toFixed(0)} of ${summary.spanMs.toFixed(0)} ms; by kind: ${sorted.map(([name, ms]) => `${name} ${ms.toFixed(0)} ms (${share(ms)})`).join(', ')}`);
  console.log(`${indent}by event: ${summary.events.slice(0, top).map((e) => `${shortEventName(e.name)} ${e.ms.toFixed(0)} ms`).join(', ')}`);
  if (summary.longTasks.length > 0) console.log(`${indent}tasks over 50 ms: ${summary.longTasks.map((ms) => ms.toFixed(0)).join(', ')} ms`);
}

// ── figures ─────────────────────────────────────────────────────────────────

/** `123.4 ms  met (≤ 150 ms)` */
export function againstTarget(ms: number, targetMs: number): string {
  return `${ms <= targetMs ? 'met' : 'missed'} (≤ ${targetMs} ms)`;
}

/** Frame intervals (ms) from animation frame timestamps. */
export function frameIntervals(times: readonly number[]): number[] {
  const intervals: number[] = [];
  for (let i = 1; i < times.length; i++) intervals.push(times[i]! - times[i - 1]!);
  return intervals;
}

/** `12.3 kB` / `1.23 MB`, decimal as bundlers print them. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(2)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}
