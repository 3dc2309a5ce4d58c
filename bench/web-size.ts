/**
 * The JavaScript the dashboard ships: a production build (vite build into a temp dir), each
 * file's raw and gzipped bytes (gzip level 9, as the server compresses it), whether
 * index.html loads it up front, and the total.
 *
 * Baseline in the same run: React + ReactDOM + uPlot alone — a tiny entry that imports them
 * and renders one element, built by the same Vite with the app's target — so the ratio and
 * the difference show what the app's own code (and anything else it pulls in) adds.
 * Beside it, what the bundle is made of: bytes per package (and per file of the app's source)
 * in an unminified build of the same source, where each module's start is marked.
 * No numeric target ("keep it small"): the figures are printed.
 *
 *     node --conditions=source --import tsx bench/web-size.ts
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { machineLine, makeTempDir, removeTempDir, reportResult } from './lib/harness.js';
import { buildWeb, buildWebUnminified, builtFiles, formatBytes, moduleSizes, REPO_DIR, viteBuild, webSourceLine, type BuiltFile } from './lib/browser.js';

const started = performance.now();

/** The baseline entry: the three libraries, used so that none is shaken out. */
const BASELINE_ENTRY = `import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import uPlot from 'uplot';

createRoot(document.getElementById('root')).render(createElement('div', null, 'baseline'));
window.uPlot = uPlot;
`;
const BASELINE_HTML = '<!doctype html><html><body><div id="root"></div><script type="module" src="./main.js"></script></body></html>\n';

/** The app's build target (packages/web/vite.config.ts), so both builds emit the same syntax. */
function appTarget(): string {
  const config = readFileSync(path.join(REPO_DIR, 'packages', 'web', 'vite.config.ts'), 'utf8');
  // The build target (the dev proxy has a `target` too: a URL).
  return /target:\s*'((?:es|chrome|firefox|safari|edge|baseline)[^']*)'/.exec(config)?.[1] ?? 'es2022';
}

/** The scripts index.html loads up front (script src, modulepreload). */
function loadedUpFront(outDir: string): Set<string> {
  const html = readFileSync(path.join(outDir, 'index.html'), 'utf8');
  const found = new Set<string>();
  for (const match of html.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)="\/?([^"]+\.js)"/g)) found.add(match[1]!);
  return found;
}

function sum(files: readonly BuiltFile[], field: 'raw' | 'gzipped'): number {
  return files.reduce((total, file) => total + file[field], 0);
}

function row(label: string, raw: number, gzipped: number, note = ''): string {
  return `  ${label.padEnd(44)} ${formatBytes(raw).padStart(10)} raw ${formatBytes(gzipped).padStart(10)} gzipped${note ? `  ${note}` : ''}`;
}

function main(): void {
  console.log(machineLine());
  console.log(webSourceLine());
  const dir = makeTempDir('web-size');
  try {
    const target = appTarget();
    const appDir = path.join(dir, 'app');
    const appMs = buildWeb(appDir);
    const appJs = builtFiles(appDir, ['.js']);
    const appCss = builtFiles(appDir, ['.css']);
    const upFront = loadedUpFront(appDir);

    const baseRoot = path.join(dir, 'baseline-src');
    mkdirSync(baseRoot);
    writeFileSync(path.join(baseRoot, 'main.js'), BASELINE_ENTRY);
    writeFileSync(path.join(baseRoot, 'index.html'), BASELINE_HTML);
    // Resolve the libraries from the repository's node_modules, the very copies the app bundles.
    symlinkSync(path.join(REPO_DIR, 'node_modules'), path.join(baseRoot, 'node_modules'), 'dir');
    const baseDir = path.join(dir, 'baseline');
    const baseMs = viteBuild(baseRoot, baseDir, ['--target', target]);
    const baseJs = builtFiles(baseDir, ['.js']);

    const plainDir = path.join(dir, 'plain');
    buildWebUnminified(plainDir);
    const modules = moduleSizes(plainDir);

    console.log(`\nJavaScript shipped by the dashboard: vite build (minified, target ${target}; ${(appMs / 1000).toFixed(1)} s), gzip -9 as the server sends it`);
    for (const file of appJs) console.log(row(file.file, file.raw, file.gzipped, upFront.has(file.file) ? 'loaded by index.html' : 'loaded on demand'));
    const appRaw = sum(appJs, 'raw');
    const appGz = sum(appJs, 'gzipped');
    const frontGz = sum(appJs.filter((f) => upFront.has(f.file)), 'gzipped');
    console.log(row(`total (${appJs.length} file${appJs.length === 1 ? '' : 's'})`, appRaw, appGz, appJs.length > 1 ? `${formatBytes(frontGz)} gzipped up front` : ''));
    console.log(row('(CSS beside it, not counted)', sum(appCss, 'raw'), sum(appCss, 'gzipped')));
    const baseRaw = sum(baseJs, 'raw');
    const baseGz = sum(baseJs, 'gzipped');
    console.log(`baseline: React + ReactDOM + uPlot alone, the same vite build (${(baseMs / 1000).toFixed(1)} s)`);
    console.log(row(`total (${baseJs.length} file${baseJs.length === 1 ? '' : 's'})`, baseRaw, baseGz));
    console.log(`ratio app / baseline: ${(appGz / baseGz).toFixed(2)}x gzipped (${(appRaw / baseRaw).toFixed(2)}x raw); the app adds ${formatBytes(appGz - baseGz)} gzipped, ${formatBytes(appRaw - baseRaw)} raw | target: "keep it small", none numeric`);

    const plainTotal = modules.reduce((total, m) => total + m.bytes, 0);
    const libraries = modules.filter((m) => !m.module.startsWith('src/'));
    const own = modules.filter((m) => m.module.startsWith('src/'));
    const ownBytes = own.reduce((total, m) => total + m.bytes, 0);
    const share = (bytes: number) => `${((100 * bytes) / plainTotal).toFixed(1)}%`;
    console.log(`\nwhat the bundle holds (unminified build of the same source, ${formatBytes(plainTotal)}):`);
    console.log(`  ${libraries.map((m) => `${m.module} ${share(m.bytes)}`).join(', ')}, the app's own ${own.length} source files ${share(ownBytes)}`);
    console.log(`  largest of the app's files: ${own.slice(0, 8).map((m) => `${m.module.replace(/^src\//, '')} ${formatBytes(m.bytes)}`).join(', ')}`);

    reportResult({ target, app: { files: appJs, css: appCss, raw: appRaw, gzipped: appGz, upFrontGzipped: frontGz }, baseline: { files: baseJs, raw: baseRaw, gzipped: baseGz }, modules });
  } finally {
    removeTempDir(dir);
  }
  console.log(`\n(${((performance.now() - started) / 1000).toFixed(0)} s; machine at the end: ${machineLine()})`);
}

main();
