/**
 * Serving the dashboard (`@cairn/web`, built by Vite) from the API's own origin. Files under
 * `assets/` carry a content hash in their names, so they are cached for a year; everything
 * else (index.html above all) is revalidated on every load, so a new build shows at once.
 * Any other GET outside /api is a dashboard route (`/local/mnist/runs/abc`) and gets
 * index.html: the browser-side router takes it from there.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Context, Hono } from 'hono';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/** The content type a dashboard file is served with, from its extension. */
export function webContentType(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Text formats worth compressing (images and fonts are compressed already). */
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.svg', '.txt', '.webmanifest']);

interface CachedFile {
  mtimeMs: number;
  size: number;
  bytes: Uint8Array<ArrayBuffer>;
  /** Compressed once, on first load, when that makes it smaller. */
  gzipped: Uint8Array<ArrayBuffer> | undefined;
  etag: string;
}

/**
 * Where the dashboard's build lives in this repository: `packages/web/dist`, found from this
 * file (the same two levels up from `src/http/` and `dist/http/`).
 */
export function defaultWebRoot(): string {
  return fileURLToPath(new URL('../../../web/dist', import.meta.url));
}

/**
 * Serves the built dashboard in `webRoot` (the `dist/` of `@cairn/web`) on `app`. Mount it
 * after the API routes: it answers every GET the API did not, except under /api, which stays
 * a JSON 404.
 *
 * @example
 * const app = createApp({ store, version });
 * mountWeb(app, '/path/to/packages/web/dist');
 */
export function mountWeb(app: Hono, webRoot: string): void {
  const root = path.resolve(webRoot);
  const cache = new Map<string, CachedFile>();

  async function load(file: string): Promise<CachedFile | undefined> {
    let info;
    try {
      info = await stat(file);
    } catch {
      return undefined;
    }
    if (!info.isFile()) return undefined;
    const cached = cache.get(file);
    if (cached && cached.mtimeMs === info.mtimeMs && cached.size === info.size) return cached;
    const bytes = new Uint8Array(await readFile(file));
    const etag = `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 22)}"`;
    let gzipped: Uint8Array<ArrayBuffer> | undefined;
    if (COMPRESSIBLE.has(path.extname(file).toLowerCase()) && bytes.length > 1024) {
      const packed = new Uint8Array(gzipSync(bytes, { level: 9 }));
      if (packed.length < bytes.length) gzipped = packed;
    }
    const fresh = { mtimeMs: info.mtimeMs, size: info.size, bytes, gzipped, etag };
    cache.set(file, fresh);
    return fresh;
  }

  function send(c: Context, file: CachedFile, type: string, cacheControl: string): Response {
    const headers: Record<string, string> = { 'content-type': type, 'cache-control': cacheControl, etag: file.etag, 'x-content-type-options': 'nosniff' };
    if (file.gzipped) headers.vary = 'accept-encoding';
    if (c.req.header('if-none-match') === file.etag) return c.body(null, 304, headers);
    if (file.gzipped && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '')) {
      return c.body(file.gzipped, 200, { ...headers, 'content-encoding': 'gzip' });
    }
    return c.body(file.bytes, 200, headers);
  }

  app.get('*', async (c) => {
    const urlPath = c.req.path;
    if (urlPath === '/api' || urlPath.startsWith('/api/')) return c.notFound();
    let relative: string;
    try {
      relative = decodeURIComponent(urlPath);
    } catch {
      relative = '/';
    }
    const file = path.resolve(root, `.${relative}`);
    const inside = file === root || file.startsWith(root + path.sep);
    if (inside && file !== root) {
      const found = await load(file);
      if (found) {
        const hashed = path.relative(root, file).split(path.sep)[0] === 'assets';
        return send(c, found, webContentType(file), hashed ? IMMUTABLE : REVALIDATE);
      }
      // A missing script or stylesheet must not turn into index.html (the browser would
      // report a confusing MIME error instead of a 404).
      if (relative.startsWith('/assets/')) return c.text(`no such dashboard file: ${relative}`, 404, { 'cache-control': REVALIDATE });
    }
    const index = await load(path.join(root, 'index.html'));
    if (!index) return c.html(notBuiltPage(root), 503, { 'cache-control': REVALIDATE });
    return send(c, index, CONTENT_TYPES['.html']!, REVALIDATE);
  });
}

/** True when `webRoot` holds a built dashboard. */
export function hasWebBuild(webRoot: string): boolean {
  return existsSync(path.join(webRoot, 'index.html'));
}

function notBuiltPage(root: string): string {
  const escaped = root.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return `<!doctype html><meta charset="utf-8"><title>Cairn</title>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto">
<h1>The Cairn dashboard is not built</h1>
<p>The API works; the dashboard files are missing from <code>${escaped}</code>.</p>
<p>Build them with <code>npm run build -w packages/web</code>, then reload this page.</p>`;
}
