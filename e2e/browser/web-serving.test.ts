/**
 * Serving the built dashboard from the API's origin (packages/server/src/http/web.ts), in
 * process: content types, caching, the SPA fallback, and what must never fall back.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { defaultWebRoot, mountWeb } from '../../packages/server/src/http/web.js';
import { engines, openTestServer } from '../../packages/server/src/test-support/engines.js';

let dir: string;
let root: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-web-'));
  root = path.join(dir, 'dist');
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><div id="root"></div><script type="module" src="/assets/index-abc123.js"></script>');
  writeFileSync(path.join(root, 'assets', 'index-abc123.js'), 'console.log("cairn")');
  writeFileSync(path.join(root, 'assets', 'index-abc123.css'), 'body{}');
  writeFileSync(path.join(root, 'assets', 'big-abc123.js'), `const numbers = [${Array.from({ length: 2000 }, (_, i) => i % 10).join(',')}];`);
  writeFileSync(path.join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(path.join(dir, 'secret.txt'), 'outside the web root');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function webApp(webRoot = root): Hono {
  const app = new Hono();
  app.get('/api/v1/ping', (c) => c.json({ ok: true }));
  app.notFound((c) => c.json({ error: { code: 'run_not_found', message: `no route for ${c.req.method} ${c.req.path}` } }, 404));
  mountWeb(app, webRoot);
  return app;
}

describe('mountWeb', () => {
  it('serves hashed assets with their content type, cached for a year', async () => {
    const app = webApp();
    const js = await app.request('/assets/index-abc123.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await js.text()).toBe('console.log("cairn")');
    const css = await app.request('/assets/index-abc123.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const svg = await app.request('/favicon.svg');
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(svg.headers.get('cache-control')).toBe('no-cache');
  });

  it('serves index.html for / and for every dashboard route, revalidated on each load', async () => {
    const app = webApp();
    for (const route of ['/', '/index.html', '/local/demo', '/local/demo/runs/abc123', '/local/demo/runs/abc123?smooth=0.6']) {
      const response = await app.request(route);
      expect(response.status, route).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(await response.text()).toContain('<div id="root">');
    }
  });

  it('sends text files gzipped to browsers that accept it', async () => {
    const app = webApp();
    const plain = await app.request('/assets/big-abc123.js');
    const original = await plain.text();
    expect(plain.headers.get('content-encoding')).toBeNull();
    const packed = await app.request('/assets/big-abc123.js', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(packed.headers.get('content-encoding')).toBe('gzip');
    expect(packed.headers.get('vary')).toBe('accept-encoding');
    const bytes = new Uint8Array(await packed.arrayBuffer());
    expect(bytes.length).toBeLessThan(original.length / 4);
    expect(gunzipSync(bytes).toString()).toBe(original);
    // Too small to gain anything: sent as is.
    const small = await app.request('/assets/index-abc123.js', { headers: { 'accept-encoding': 'gzip' } });
    expect(small.headers.get('content-encoding')).toBeNull();
  });

  it('answers a matching ETag with 304', async () => {
    const app = webApp();
    const first = await app.request('/local/demo');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    const again = await app.request('/local/demo', { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('leaves /api alone: routes answer, unknown API paths stay JSON 404s', async () => {
    const app = webApp();
    expect(await (await app.request('/api/v1/ping')).json()).toEqual({ ok: true });
    for (const route of ['/api/v1/nope', '/api', '/api/']) {
      const response = await app.request(route);
      expect(response.status, route).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/application\/json/);
    }
  });

  it('never falls back for a missing asset, and never serves files outside the web root', async () => {
    const app = webApp();
    const missing = await app.request('/assets/index-gone.js');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).not.toMatch(/html/);
    for (const route of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const response = await app.request(route);
      expect(await response.text(), route).not.toContain('outside the web root');
    }
  });

  it('explains how to build the dashboard when it is not built', async () => {
    const app = webApp(path.join(dir, 'nothing-here'));
    const response = await app.request('/local/demo');
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('npm run build -w packages/web');
    expect((await app.request('/api/v1/ping')).status).toBe(200);
  });

  it('finds the repository\'s dashboard build by default', () => {
    expect(defaultWebRoot()).toBe(path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../packages/web/dist'));
  });

  it('mounted on the real API app, the API still answers first', async () => {
    const server = await openTestServer(engines[0]!);
    try {
      const app: Hono = server.app;
      mountWeb(app, root);
      const projects = await app.request('/api/v1/projects');
      expect(projects.status).toBe(200);
      expect(await projects.json()).toEqual([]);
      const unknown = await app.request('/api/v1/no-such-route');
      expect(unknown.status).toBe(404);
      expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('run_not_found');
      expect(await (await app.request('/local/demo')).text()).toContain('<div id="root">');
    } finally {
      await server.dispose();
    }
  });
});
