import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiPaths, type Viewer } from '@cairn/protocol';
import { createApp } from '../http/app.js';
import { isLoopback } from '../server.js';
import { engines, openTestServer } from '../test-support/engines.js';
import { logBody, runRecords } from '../test-support/records.js';
import { createApiKey } from './keys.js';

describe.each(engines)('API keys on $name', (engine) => {
  let server: Awaited<ReturnType<typeof openTestServer>>;
  beforeEach(async () => {
    server = await openTestServer(engine);
  });
  afterEach(async () => {
    await server.dispose();
  });

  const viewer = (app = server.app, headers: Record<string, string> = {}) => app.request(apiPaths.viewer(), { headers });

  it('needs no key on loopback while no user exists', async () => {
    const response = await viewer();
    expect(response.status).toBe(200);
    expect(((await response.json()) as Viewer).entity).toBe('local');
  });

  it('once a user exists, every route needs a valid key, and the key names the entity', async () => {
    const { key, user, prefix } = await createApiKey(server.store.db, 'alice');
    expect(key).toMatch(/^cairn_[A-Za-z0-9]{40}$/);
    expect(prefix).toBe(key.slice(0, 10));
    const missing = await viewer();
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { code: 'unauthorized', message: expect.stringMatching(/cairn login/) } });
    expect((await viewer(server.app, { authorization: 'Bearer cairn_wrong' })).status).toBe(401);
    const ok = await viewer(server.app, { authorization: `Bearer ${key}` });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as Viewer).entity).toBe(user);
    const basic = await viewer(server.app, { authorization: `Basic ${Buffer.from(`api:${key}`).toString('base64')}` });
    expect(basic.status).toBe(200);
    // Writes need the key too, and nothing is applied without it.
    const body = logBody(runRecords('r', [{ a: 1 }]));
    const refused = await server.app.request(`${apiPaths.records('alice', 'p', 'r')}?writer=w1&first=0`, { method: 'POST', body });
    expect(refused.status).toBe(401);
    const accepted = await server.app.request(`${apiPaths.records('alice', 'p', 'r')}?writer=w1&first=0`, { method: 'POST', body, headers: { authorization: `Bearer ${key}` } });
    expect(accepted.status).toBe(200);
  });

  it('stores only a hash of each key', async () => {
    const { key } = await createApiKey(server.store.db, 'bob');
    const rows = await server.store.db.selectFrom('api_keys').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(key.slice(10));
    expect(rows[0]!.key_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a server listening beyond loopback needs keys even with no user', async () => {
    const app = createApp({ store: server.store, version: 'test', requireKeys: true });
    expect((await viewer(app)).status).toBe(401);
    const { key } = await createApiKey(server.store.db, 'carol');
    expect((await viewer(app, { authorization: `Bearer ${key}` })).status).toBe(200);
  });

  it('rejects invalid user names', async () => {
    await expect(createApiKey(server.store.db, 'Bad Name')).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});

describe('isLoopback', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.5', false],
  ])('%s → %s', (host, expected) => expect(isLoopback(host)).toBe(expected));
});
