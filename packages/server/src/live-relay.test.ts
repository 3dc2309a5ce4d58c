import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { apiPaths, RECORDS_CONTENT_TYPE, type LiveEvent } from '@cairn/protocol';
import { LIVE_CHANNEL, startPostgresRelay, type LiveRelay } from './live-relay.js';
import { startServer, type RunningServer } from './server.js';
import { openEvents } from './test-support/events.js';
import { postgresSkipReason } from './test-support/engines.js';
import { logBody, runRecords } from './test-support/records.js';

const adminUrl = process.env.CAIRN_TEST_POSTGRES_URL;
if (postgresSkipReason) it.skip(`live events across server processes need PostgreSQL: ${postgresSkipReason}`, () => {});

/** A fresh PostgreSQL database; dropped by the returned function. */
async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `cairn_relay_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = Object.assign(new URL(adminUrl!), { pathname: `/${name}` }).toString();
  return {
    url,
    async drop() {
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

/** Resolves with the first value `subscribe` accepts, or rejects after `ms`. */
function waitFor<T>(subscribe: (accept: (value: T) => void) => void, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nothing arrived within ${ms} ms`)), ms);
    subscribe((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

const event = (id: string, fromStep: number): LiveEvent => ({ run: { entity: 'local', project: 'proj', id }, fromStep, state: 'running' });

describe.skipIf(!adminUrl)('live events across server processes through PostgreSQL', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('a dashboard on one server hears about a run ingested by another, exactly once on each', async () => {
    const database = await freshDatabase();
    cleanups.push(() => database.drop());
    const servers: RunningServer[] = [];
    for (const name of ['a', 'b']) {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), `cairn-relay-${name}-`));
      const server = await startServer({ port: 0, dataDir, db: database.url, quiet: true, webRoot: false });
      servers.push(server);
      cleanups.push(async () => {
        await server.close();
        rmSync(dataDir, { recursive: true, force: true });
      });
    }
    const [a, b] = servers as [RunningServer, RunningServer];
    const aborter = new AbortController();
    cleanups.push(async () => aborter.abort());
    const onA = await openEvents(`${a.url}${apiPaths.events()}?entity=local&project=proj`, aborter.signal);
    const onB = await openEvents(`${b.url}${apiPaths.events()}?entity=local&project=proj`, aborter.signal);
    expect((await onA.next()).event).toBe('ready');
    expect((await onB.next()).event).toBe('ready');

    const records = runRecords('shared', [{ loss: 1 }, { loss: 0.5 }]);
    const post = async (server: RunningServer, first: number, batch: object[]) => {
      const response = await fetch(`${server.url}${apiPaths.records('local', 'proj', 'shared')}?writer=w1&first=${first}`, {
        method: 'POST',
        headers: { 'content-type': RECORDS_CONTENT_TYPE },
        body: logBody(batch),
      });
      expect(response.status).toBe(200);
    };
    await post(a, 0, records.slice(0, 3));
    await post(b, 3, records.slice(3));

    // Each server's subscribers see both batches in order, whichever server took them: A's own
    // event is not echoed back to it by its notification.
    for (const events of [onA, onB]) {
      expect(JSON.parse((await events.next()).data)).toEqual(event('shared', 0));
      expect(JSON.parse((await events.next()).data)).toMatchObject({ run: { id: 'shared' }, fromStep: 1 });
    }
    const stop = await fetch(`${b.url}${apiPaths.stop('local', 'proj', 'shared')}`, { method: 'POST' });
    expect(stop.status).toBe(200);
    // The next event on each is the stop's (from step 2): no duplicate of an earlier one came between.
    expect(JSON.parse((await onA.next()).data)).toEqual(event('shared', 2));
    expect(JSON.parse((await onB.next()).data)).toEqual(event('shared', 2));
  });

  it('reconnects after PostgreSQL drops its connection, says so once, and relays again', async () => {
    const database = await freshDatabase();
    cleanups.push(() => database.drop());
    const heard: LiveEvent[] = [];
    const warnings: string[] = [];
    let onHeard: ((e: LiveEvent) => void) | undefined;
    const listener = await startPostgresRelay(database.url, {
      deliver: (e) => {
        heard.push(e);
        onHeard?.(e);
      },
      warn: (message) => warnings.push(message),
      backoffMs: 50,
    });
    const sender: LiveRelay = await startPostgresRelay(database.url, { deliver: () => {}, warn: () => {}, backoffMs: 50 });
    cleanups.push(() => listener.close(), () => sender.close());

    const relayed = (id: string, ms?: number): Promise<LiveEvent> =>
      waitFor<LiveEvent>((accept) => {
        onHeard = (e) => e.run.id === id && accept(e);
        sender.send(event(id, 0));
      }, ms);
    expect(await relayed('before')).toEqual(event('before', 0));

    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    const killed = await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
    );
    await admin.end();
    expect(killed.rowCount).toBe(2);

    // Until both are back, events are dropped; send until one arrives.
    const deadline = Date.now() + 10_000;
    let after: LiveEvent | undefined;
    for (let attempt = 0; !after && Date.now() < deadline; attempt++) {
      after = await relayed(`after-${attempt}`, 300).catch(() => undefined);
    }
    expect(after?.run.id).toMatch(/^after-/);
    expect(warnings[0]).toMatch(/live updates from other server processes paused .*reconnecting/);
    expect(warnings[1]).toMatch(/are back/);
    expect(warnings).toHaveLength(2);
    // Nothing malformed or foreign on the channel is delivered.
    const foreign = new pg.Client({ connectionString: database.url });
    await foreign.connect();
    await foreign.query(`SELECT pg_notify('${LIVE_CHANNEL}', 'not json'), pg_notify('${LIVE_CHANNEL}', '{"origin":"x"}')`);
    await foreign.end();
    const count = heard.length;
    expect(await relayed('last')).toEqual(event('last', 0));
    expect(heard.length).toBe(count + 1);
  });
});

