/**
 * Alerts on every engine: kept with the run, repeats of a title inside the wait suppressed
 * by the records' own times (within a batch, across batches, per title), listed by the API,
 * odd fields made sensible, and gone with the run.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiPaths, RECORDS_CONTENT_TYPE, type AlertInfo, type AlertList } from '@cairn/protocol';
import { startServer } from '../server.js';
import { engines, openTestServer, postgresSkipReason } from '../test-support/engines.js';
import { logBody, runRecords } from '../test-support/records.js';

if (postgresSkipReason) it.skip(postgresSkipReason, () => {});

const alert = (title: string, time: number, extra: Record<string, unknown> = {}) => ({ t: 'alert', title, text: `${title} at ${time}`, level: 'WARN', waitMs: 60_000, time, ...extra });
const key = { entity: 'local', project: 'proj', id: 'r1' };
/** Records for store.applyBatch. */
const batch = (...records: object[][]) => records.flat() as Array<Record<string, unknown>>;

describe.each(engines)('alerts on $name', (engine) => {
  let server: Awaited<ReturnType<typeof openTestServer>>;
  beforeEach(async () => {
    server = await openTestServer(engine);
  });
  afterEach(async () => {
    await server.dispose();
  });

  const list = async (id = 'r1'): Promise<AlertInfo[]> => {
    const response = await server.app.request(apiPaths.alerts('local', 'proj', id));
    expect(response.status).toBe(200);
    return ((await response.json()) as AlertList).alerts;
  };
  const summary = (alerts: AlertInfo[]) => alerts.map((a) => `${a.title}@${a.time}${a.suppressed ? ' (suppressed)' : ''}`);

  it('keeps every alert and suppresses repeats of a title inside the wait, across batches', async () => {
    const opening = runRecords('r1', [{ loss: 1 }]);
    const first = await server.store.applyBatch(key, 'w1', 0, batch(opening, [alert('nan', 1000), alert('nan', 1030), alert('slow', 1030), alert('nan', 1059.9)]));
    expect(first.alerts?.map((a) => a.suppressed)).toEqual([false, true, false, true]);
    // 60 s after the last unsuppressed one (not the last one): sent again. Each alert's own
    // wait decides whether it is a repeat.
    await server.store.applyBatch(key, 'w1', opening.length + 4, batch([alert('nan', 1060), alert('nan', 1080, { waitMs: 30_000 }), alert('nan', 1090, { waitMs: 30_000 })]));
    expect(summary(await list())).toEqual([
      'nan@1000', 'nan@1030 (suppressed)', 'slow@1030', 'nan@1059.9 (suppressed)', 'nan@1060', 'nan@1080 (suppressed)', 'nan@1090',
    ]);
    expect((await list())[0]).toEqual({ title: 'nan', text: 'nan at 1000', level: 'WARN', waitMs: 60_000, time: 1000, suppressed: false });
  });

  it('applies a retried batch once: no duplicate alerts', async () => {
    const records = batch(runRecords('r1', [{ loss: 1 }]), [alert('once', 1000)]);
    await server.store.applyBatch(key, 'w1', 0, records);
    const again = await server.store.applyBatch(key, 'w1', 0, records);
    expect(again.applied).toBe(0);
    expect(again.alerts).toBeUndefined();
    expect(summary(await list())).toEqual(['once@1000']);
  });

  it('keeps a record with odd fields, made sensible, rather than refusing the batch', async () => {
    await server.store.applyBatch(key, 'w1', 0, batch(runRecords('r1', [{ loss: 1 }]), [{ t: 'alert', title: 42, level: 'LOUD', waitMs: -5, time: 'soon' }]));
    const [stored] = await list();
    expect(stored).toMatchObject({ title: '42', text: '', level: 'INFO', waitMs: 60_000, suppressed: false });
    expect(stored!.time).toBeGreaterThan(1.7e9);
  });

  it('answers an unknown run with 404, and the alerts go with a deleted run', async () => {
    expect((await server.app.request(apiPaths.alerts('local', 'proj', 'ghost'))).status).toBe(404);
    await server.store.applyBatch(key, 'w1', 0, batch(runRecords('r1', [{ loss: 1 }], { exitCode: 0 }), [alert('x', 1000)]));
    expect(await list()).toHaveLength(1);
    expect((await server.app.request(apiPaths.run('local', 'proj', 'r1'), { method: 'DELETE' })).status).toBe(204);
    expect(await server.database.db.selectFrom('alerts').selectAll().execute()).toEqual([]);
  });
});

describe('alerts to a webhook', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A real HTTP receiver on loopback that answers `status` and keeps what it got. */
  async function receiver(status = 200): Promise<{ url: string; bodies: Array<Record<string, unknown>>; next(): Promise<Record<string, unknown>> }> {
    const bodies: Array<Record<string, unknown>> = [];
    let wake: (() => void) | undefined;
    const http = createServer((request: IncomingMessage, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString()));
      request.on('end', () => {
        bodies.push(JSON.parse(text) as Record<string, unknown>);
        response.writeHead(status).end();
        wake?.();
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => http.close(() => resolve())));
    let read = 0;
    return {
      url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/hooks/secret`,
      bodies,
      async next() {
        while (bodies.length <= read) await new Promise<void>((resolve) => (wake = resolve));
        return bodies[read++]!;
      },
    };
  }

  async function serverWith(alertWebhook: string) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cairn-alerts-'));
    const server = await startServer({ port: 0, dataDir, quiet: true, webRoot: false, alertWebhook });
    cleanups.push(async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const post = async (first: number, records: object[]) => {
      const response = await fetch(`${server.url}${apiPaths.records('local', 'proj', 'r1')}?writer=w1&first=${first}`, {
        method: 'POST',
        headers: { 'content-type': RECORDS_CONTENT_TYPE },
        body: logBody(records),
      });
      expect(response.status).toBe(200);
    };
    return { server, post };
  }

  it('POSTs each unsuppressed alert as JSON with a one-line text and a link to the run', async () => {
    const hook = await receiver();
    const { server, post } = await serverWith(hook.url);
    const opening = runRecords('r1', [{ loss: 1 }]);
    await post(0, [...opening, alert('nan', 1000), alert('nan', 1001)]);
    await post(opening.length + 2, [alert('done', 1002, { level: 'INFO', text: '' })]);
    const runUrl = `${server.url}/local/proj/runs/r1`;
    expect(await hook.next()).toEqual({
      text: `[WARN] nan: nan at 1000 (local/proj/r1) ${runUrl}`,
      level: 'WARN', title: 'nan', body: 'nan at 1000', time: 1000, run: key, url: runUrl,
    });
    expect((await hook.next()).text).toBe(`[INFO] done (local/proj/r1) ${runUrl}`);
    expect(hook.bodies).toHaveLength(2);
  });

  it('a failing receiver costs ingest nothing and is reported once', async () => {
    const hook = await receiver(500);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    cleanups.push(() => warn.mockRestore());
    const { post } = await serverWith(hook.url);
    const opening = runRecords('r1', [{ loss: 1 }]);
    await post(0, [...opening, alert('a', 1000), alert('b', 1000)]);
    await hook.next();
    await hook.next();
    await vi.waitFor(() => expect(warn).toHaveBeenCalled());
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/could not send an alert to the webhook \(HTTP 500\); alerts stay on the run page/);
  });

  it('refuses a webhook that is not an http(s) URL', async () => {
    await expect(startServer({ port: 0, quiet: true, alertWebhook: 'hooks.slack.com/x' })).rejects.toThrow(/alert webhook must be an http:\/\/ or https:\/\/ URL/);
  });
});
