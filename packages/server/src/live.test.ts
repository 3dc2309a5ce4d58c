import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiPaths, RECORDS_CONTENT_TYPE, type HeartbeatResult, type LiveEvent, type RunInfo } from '@cairn/protocol';
import { startServer, type RunningServer } from './server.js';
import { openEvents } from './test-support/events.js';
import { logBody, runRecords } from './test-support/records.js';

describe('live runs over a real HTTP server', () => {
  let server: RunningServer;
  let dataDir: string;
  let aborter: AbortController;
  beforeEach(async () => {
    aborter = new AbortController();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'cairn-live-'));
    server = await startServer({ port: 0, dataDir, quiet: true });
  });
  afterEach(async () => {
    aborter.abort();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const post = (id: string, first: number, records: object[], project = 'proj') =>
    fetch(`${server.url}${apiPaths.records('local', project, id)}?writer=w1&first=${first}`, {
      method: 'POST',
      headers: { 'content-type': RECORDS_CONTENT_TYPE },
      body: logBody(records),
    });

  it('tells subscribers of a project which run changed and from which step', async () => {
    const events = await openEvents(`${server.url}${apiPaths.events()}?entity=local&project=proj`, aborter.signal);
    expect((await events.next()).event).toBe('ready');
    const records = runRecords('live1', [{ a: 1 }, { a: 2 }, { a: 3 }]);
    await post('live1', 0, records.slice(0, 3));
    await post('other', 0, runRecords('other', [{ a: 1 }], { project: 'elsewhere' }), 'elsewhere');
    await post('live1', 3, records.slice(3));
    const first = JSON.parse((await events.next()).data) as LiveEvent;
    const second = JSON.parse((await events.next()).data) as LiveEvent;
    expect(first).toEqual({ run: { entity: 'local', project: 'proj', id: 'live1' }, fromStep: 0, state: 'running' });
    expect(second).toEqual({ run: { entity: 'local', project: 'proj', id: 'live1' }, fromStep: 1, state: 'running' });
  });

  it('tells subscribers when a file of a run arrives', async () => {
    await post('withfile', 0, runRecords('withfile', [{ a: 1 }], { exitCode: 0 }));
    const events = await openEvents(`${server.url}${apiPaths.events()}?entity=local&project=proj`, aborter.signal);
    expect((await events.next()).event).toBe('ready');
    const put = await fetch(`${server.url}${apiPaths.file('local', 'proj', 'withfile', 'notes.txt')}`, { method: 'PUT', body: 'hello' });
    expect(put.status).toBe(200);
    expect(JSON.parse((await events.next()).data)).toEqual({ run: { entity: 'local', project: 'proj', id: 'withfile' }, fromStep: 1, state: 'finished' });
  });

  it('stops a running run: heartbeats say so, and its exit makes it killed', async () => {
    const records = runRecords('stopme', [{ a: 1 }]);
    await post('stopme', 0, records);
    const beat = async () => (await (await fetch(`${server.url}${apiPaths.heartbeat('local', 'proj', 'stopme')}`, { method: 'POST' })).json()) as HeartbeatResult;
    expect(await beat()).toEqual({ stopRequested: false });
    const stopped = await fetch(`${server.url}${apiPaths.stop('local', 'proj', 'stopme')}`, { method: 'POST' });
    expect(stopped.status).toBe(200);
    expect(await beat()).toEqual({ stopRequested: true });
    await post('stopme', records.length, [{ t: 'exit', exitCode: 255, runtime: 3, time: 4 }]);
    const run = (await (await fetch(`${server.url}${apiPaths.run('local', 'proj', 'stopme')}`)).json()) as RunInfo;
    expect(run.state).toBe('killed');
    const again = await fetch(`${server.url}${apiPaths.stop('local', 'proj', 'stopme')}`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect((await fetch(`${server.url}${apiPaths.heartbeat('local', 'proj', 'ghost')}`, { method: 'POST' })).status).toBe(404);
  });

  it('closes promptly while an event stream is open', async () => {
    const events = await openEvents(`${server.url}${apiPaths.events()}`, aborter.signal);
    expect((await events.next()).event).toBe('ready');
    await server.close();
    // Ended by the server (a clean end of the body), not cut by the forced close.
    await expect(events.next()).rejects.toThrow('event stream ended');
    server = await startServer({ port: 0, dataDir, quiet: true });
  });

  it('reopens an existing data directory intact', async () => {
    await post('keep', 0, runRecords('keep', [{ a: 1 }, { a: 2 }], { exitCode: 0 }));
    await server.close();
    server = await startServer({ port: 0, dataDir, quiet: true });
    const run = (await (await fetch(`${server.url}${apiPaths.run('local', 'proj', 'keep')}`)).json()) as RunInfo;
    expect(run).toMatchObject({ state: 'finished', historyRows: 2, summary: { a: 2 } });
    // The writer position survived too: a re-sync applies nothing.
    expect(await (await post('keep', 0, runRecords('keep', [{ a: 1 }, { a: 2 }], { exitCode: 0 }))).json()).toMatchObject({ applied: 0 });
  });
});
