import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedGet } from './run-requests.js';

describe('sharedGet', () => {
  let server: Server;
  let base = '';
  let served = 0;

  beforeAll(async () => {
    // A real server on a loopback port, answering a little later so that requests overlap.
    server = createServer((request, response) => {
      served++;
      setTimeout(() => {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ path: request.url, served }));
      }, 50);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends one request for callers asking for the same path meanwhile, and a new one after', async () => {
    const before = served;
    const [a, b] = await Promise.all([sharedGet<{ path: string }>(`${base}/files`), sharedGet<{ path: string }>(`${base}/files`)]);
    expect(a).toEqual(b);
    expect(a.path).toBe('/files');
    expect(served - before).toBe(1);
    await sharedGet(`${base}/files`);
    expect(served - before).toBe(2);
  });

  it('keeps paths apart', async () => {
    const before = served;
    const [a, b] = await Promise.all([sharedGet<{ path: string }>(`${base}/one`), sharedGet<{ path: string }>(`${base}/two`)]);
    expect([a.path, b.path]).toEqual(['/one', '/two']);
    expect(served - before).toBe(2);
  });

  it('lets a caller abandon its wait without cancelling the others', async () => {
    const controller = new AbortController();
    const abandoned = sharedGet(`${base}/shared`, controller.signal);
    const kept = sharedGet<{ path: string }>(`${base}/shared`);
    controller.abort();
    await expect(abandoned).rejects.toMatchObject({ name: 'AbortError' });
    expect((await kept).path).toBe('/shared');
  });

  it('rejects at once when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(sharedGet(`${base}/files`, controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });
});
