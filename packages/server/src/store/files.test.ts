/**
 * Run files through the HTTP API, on every engine: PUT raw bytes, list, GET them back,
 * replace, refuse bad paths, unknown runs and oversized bodies.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiPaths, MAX_FILE_BYTES, RECORDS_CONTENT_TYPE, type ApiErrorBody, type FileInfo, type FileList } from '@cairn/protocol';
import { createApp } from '../http/app.js';
import { engines, openTestServer, postgresSkipReason } from '../test-support/engines.js';
import { logBody, runRecords } from '../test-support/records.js';

if (postgresSkipReason) {
  console.warn(`\n*** ${postgresSkipReason} ***\n`);
  it.skip(postgresSkipReason, () => {});
}

const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

describe.each(engines)('run files on $name', (engine) => {
  let server: Awaited<ReturnType<typeof openTestServer>>;
  beforeEach(async () => {
    server = await openTestServer(engine);
  });
  afterEach(async () => {
    await server.dispose();
  });

  const createRun = async (id: string): Promise<void> => {
    const response = await server.app.request(`${apiPaths.records('local', 'proj', id)}?writer=w1&first=0`, {
      method: 'POST',
      headers: { 'content-type': RECORDS_CONTENT_TYPE },
      body: logBody(runRecords(id, [{ loss: 1 }], { exitCode: 0 })),
    });
    expect(response.status).toBe(200);
  };
  const put = (id: string, path: string, body: string | Uint8Array, headers: Record<string, string> = {}) =>
    server.app.request(apiPaths.file('local', 'proj', id, path), { method: 'PUT', body, headers });
  const get = (id: string, path: string) => server.app.request(apiPaths.file('local', 'proj', id, path));
  const list = async (id: string): Promise<FileInfo[]> => {
    const response = await server.app.request(apiPaths.files('local', 'proj', id));
    expect(response.status).toBe(200);
    return ((await response.json()) as FileList).files;
  };
  const errorOf = async (response: Response): Promise<ApiErrorBody['error']> => ((await response.json()) as ApiErrorBody).error;

  it('stores a file, lists it and serves its bytes with a content type from the extension', async () => {
    await createRun('r1');
    const yaml = 'lr:\n  value: 0.1\n';
    const response = await put('r1', 'config.yaml', yaml);
    expect(response.status).toBe(200);
    const info = (await response.json()) as FileInfo;
    expect(info).toEqual({ path: 'config.yaml', size: yaml.length, sha256: sha256(yaml), updatedAt: expect.any(Number) });
    expect(await list('r1')).toEqual([info]);
    const download = await get('r1', 'config.yaml');
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/yaml');
    expect(download.headers.get('etag')).toBe(`"${sha256(yaml)}"`);
    expect(await download.text()).toBe(yaml);
  });

  it('keeps binary content exactly and nested paths, listing them sorted by path', async () => {
    await createRun('r1');
    const png = Uint8Array.from({ length: 5000 }, (_, i) => (i * 31 + 7) % 256);
    const files: Array<[string, string | Uint8Array, string]> = [
      ['media/images/sample 1.png', png, 'image/png'],
      ['cairn-summary.json', '{"loss":1}', 'application/json'],
      ['notes/readme.TXT', 'hi', 'text/plain; charset=utf-8'],
      ['photo.jpg', 'jpeg?', 'image/jpeg'],
      ['model.ckpt', 'weights', 'application/octet-stream'],
      ['café/ünïcode #1?.html', '<p>x</p>', 'text/html; charset=utf-8'],
    ];
    for (const [path, body] of files) expect((await put('r1', path, body)).status).toBe(200);
    expect((await list('r1')).map((f) => f.path)).toEqual(files.map(([path]) => path).sort());
    for (const [path, body, type] of files) {
      const response = await get('r1', path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toBe(type);
      const bytes = new Uint8Array(await response.arrayBuffer());
      expect(Buffer.from(bytes).equals(Buffer.from(body)), path).toBe(true);
    }
    // Uploaded HTML never runs with the dashboard's origin.
    expect((await get('r1', 'café/ünïcode #1?.html')).headers.get('content-security-policy')).toBe('sandbox allow-scripts');
    expect((await get('r1', 'photo.jpg')).headers.get('content-security-policy')).toBeNull();
  });

  it('replaces a file; the same content again keeps its sha256, size and updatedAt', async () => {
    await createRun('r1');
    const first = (await (await put('r1', 'cairn-summary.json', '{"loss":1}')).json()) as FileInfo;
    const again = (await (await put('r1', 'cairn-summary.json', '{"loss":1}')).json()) as FileInfo;
    expect(again).toEqual(first);
    const replaced = (await (await put('r1', 'cairn-summary.json', '{"loss":0.5}')).json()) as FileInfo;
    expect(replaced).toMatchObject({ sha256: sha256('{"loss":0.5}'), size: 12 });
    expect(replaced.updatedAt).toBeGreaterThanOrEqual(first.updatedAt);
    expect(await list('r1')).toEqual([replaced]);
    expect(await (await get('r1', 'cairn-summary.json')).text()).toBe('{"loss":0.5}');
    // One blob per content: both versions are stored once each.
    expect(await server.blobs.has(sha256('{"loss":1}'))).toBe(true);
    expect(await server.blobs.has(sha256('{"loss":0.5}'))).toBe(true);
  });

  it('stores the same content under two paths and two runs once, with one sha256', async () => {
    await createRun('r1');
    await createRun('r2');
    const a = (await (await put('r1', 'a.txt', 'same')).json()) as FileInfo;
    const b = (await (await put('r1', 'b/a.txt', 'same')).json()) as FileInfo;
    const c = (await (await put('r2', 'a.txt', 'same')).json()) as FileInfo;
    expect(new Set([a.sha256, b.sha256, c.sha256])).toEqual(new Set([sha256('same')]));
    expect((await list('r2')).map((f) => f.path)).toEqual(['a.txt']);
  });

  it('stores an empty file', async () => {
    await createRun('r1');
    expect(await (await put('r1', 'empty.txt', '')).json()).toMatchObject({ size: 0, sha256: sha256('') });
    expect(await (await get('r1', 'empty.txt')).text()).toBe('');
  });

  it('answers 404 run_not_found for an unknown run or file, and stores nothing for an unknown run', async () => {
    const response = await put('ghost', 'config.yaml', 'x: 1\n');
    expect(response.status).toBe(404);
    expect(await errorOf(response)).toMatchObject({ code: 'run_not_found', message: expect.stringContaining('local/proj/ghost') });
    expect(await server.blobs.has(sha256('x: 1\n'))).toBe(false);
    expect((await server.app.request(apiPaths.files('local', 'proj', 'ghost'))).status).toBe(404);
    expect((await get('ghost', 'config.yaml')).status).toBe(404);
    await createRun('r1');
    const missing = await get('r1', 'nope.txt');
    expect(missing.status).toBe(404);
    expect(await errorOf(missing)).toMatchObject({ code: 'run_not_found', message: expect.stringContaining('"nope.txt"') });
    expect(await list('r1')).toEqual([]);
  });

  it('refuses paths that are absolute, climb out, use backslashes, have empty segments or are too long', async () => {
    await createRun('r1');
    const run = apiPaths.run('local', 'proj', 'r1');
    // Raw request paths: apiPaths.file would encode these into harmless names.
    const bad = [
      `${run}/files//etc/passwd`,
      `${run}/files/..%2Fsecrets`,
      `${run}/files/a/..%2F..%2Fb`,
      `${run}/files/a%5Cb.txt`,
      `${run}/files/a//b.txt`,
      `${run}/files/.%2Fa.txt`,
      `${run}/files/a%00b`,
      `${run}/files/${'x'.repeat(1025)}`,
    ];
    for (const route of bad) {
      for (const method of ['PUT', 'GET']) {
        const response = await server.app.request(route, { method, body: method === 'PUT' ? 'x' : undefined });
        expect(response.status, `${method} ${route}`).toBe(400);
        expect((await errorOf(response)).code).toBe('invalid_argument');
      }
    }
    expect(await list('r1')).toEqual([]);
    // The longest allowed path, of 4-byte characters: every engine indexes it.
    const longest = '😀'.repeat(512);
    expect(longest.length).toBe(1024);
    expect((await put('r1', longest, 'ok')).status).toBe(200);
    expect(await (await get('r1', longest)).text()).toBe('ok');
  });

  it('refuses a body over 100 MiB with 413, declared or streamed, and keeps serving', async () => {
    await createRun('r1');
    const declared = await put('r1', 'big.bin', 'x', { 'content-length': String(MAX_FILE_BYTES + 1) });
    expect(declared.status).toBe(413);
    expect((await errorOf(declared)).code).toBe('payload_too_large');
    const chunk = new Uint8Array(8 * 1024 * 1024);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > MAX_FILE_BYTES) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const streamed = await server.app.request(apiPaths.file('local', 'proj', 'r1', 'big.bin'), { method: 'PUT', body: stream, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await list('r1')).toEqual([]);
    expect((await put('r1', 'small.bin', 'fine')).status).toBe(200);
  });

  it('deleting the run deletes its file rows', async () => {
    await createRun('r1');
    await put('r1', 'a.txt', 'a');
    expect(await server.database.db.selectFrom('files').selectAll().execute()).toHaveLength(1);
    expect((await server.app.request(apiPaths.run('local', 'proj', 'r1'), { method: 'DELETE' })).status).toBe(204);
    expect(await server.database.db.selectFrom('files').selectAll().execute()).toEqual([]);
  });
});

describe('run files without a blob store', () => {
  it('answer not_available, while the list still works', async () => {
    const server = await openTestServer(engines[0]!);
    try {
      const app = createApp({ store: server.store, version: 'test' });
      await app.request(`${apiPaths.records('local', 'proj', 'r1')}?writer=w1&first=0`, {
        method: 'POST',
        headers: { 'content-type': RECORDS_CONTENT_TYPE },
        body: logBody(runRecords('r1', [])),
      });
      const response = await app.request(apiPaths.file('local', 'proj', 'r1', 'a.txt'), { method: 'PUT', body: 'a' });
      expect(response.status).toBe(501);
      expect(((await response.json()) as ApiErrorBody).error.code).toBe('not_available');
      expect((await app.request(apiPaths.file('local', 'proj', 'r1', 'a.txt'))).status).toBe(501);
      expect(await (await app.request(apiPaths.files('local', 'proj', 'r1'))).json()).toEqual({ files: [] });
    } finally {
      await server.dispose();
    }
  });
});
