/**
 * The HTTP API (see protocol/api.ts for the contract). Handlers validate their input,
 * call the store, and let errors.ts turn failures into coded JSON errors.
 */
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { bodyLimit } from 'hono/body-limit';
import {
  API_PREFIX,
  decodeRecordLog,
  fileContentType,
  filePathProblem,
  MAX_BATCH_BYTES,
  MAX_FILE_BYTES,
  type AlertInfo,
  type AlertList,
  type IngestResult,
  type RunEdit,
  type RunInfo,
} from '@cairn/protocol';
import { crc32 } from 'node:zlib';
import type { LiveHub } from '../live.js';
import type { RunKey, Store } from '../store/store.js';
import type { BlobStore } from '../blobs/blob-store.js';
import { getFile, listFiles, putFile } from '../store/files.js';
import { listAlerts } from '../store/alerts.js';
import { projectKeysRoute } from '../query/keys-query.js';
import { querySeries, querySeriesBinary } from '../query/series-query.js';
import { listRunPage } from '../query/runs-query.js';
import { restrictToKeys, sampleHistory } from '../query/history-query.js';
import { authMiddleware, type AuthVariables } from '../auth/middleware.js';
import { errorResponse, HttpError } from './errors.js';

export interface AppOptions {
  store: Store;
  version: string;
  /** Receives an event whenever records change a run; the event stream reads from it. */
  live?: LiveHub;
  /** Seconds between keep-alive comments on the event stream. */
  keepAliveSeconds?: number;
  /** Require API keys even while no user exists (a server listening beyond loopback). */
  requireKeys?: boolean;
  /** Where run files live; without it the file routes answer not_available. */
  blobs?: BlobStore;
  /** Called after ingest with each new alert that was not suppressed (to notify people). */
  onAlert?: (run: RunKey, alert: AlertInfo) => void;
}

const NAME = /^[^/\\#?%:\s][^/\\#?%:]{0,127}$/;

function name(c: Context, param: string): string {
  const value = c.req.param(param) ?? '';
  if (!NAME.test(value)) throw new HttpError('invalid_argument', `invalid ${param} ${JSON.stringify(value)}`);
  return value;
}

function runKey(c: Context) {
  return { entity: name(c, 'entity'), project: name(c, 'project'), id: name(c, 'id') };
}

function nonNegativeInt(value: string | undefined, what: string, fallback?: number): number {
  if (value === undefined || value === '') {
    if (fallback !== undefined) return fallback;
    throw new HttpError('invalid_argument', `missing query parameter '${what}'`);
  }
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new HttpError('invalid_argument', `'${what}' must be a non-negative integer, got ${JSON.stringify(value)}`);
  return n;
}

async function jsonBody<T>(c: Context): Promise<T> {
  try {
    return (await c.req.json()) as T;
  } catch {
    throw new HttpError('invalid_argument', 'the request body must be JSON');
  }
}

export function createApp(options: AppOptions): Hono {
  const { store } = options;
  const app = new Hono();
  app.onError((error, c) => errorResponse(c, error));
  app.notFound((c) => errorResponse(c, new HttpError('run_not_found', `no route for ${c.req.method} ${c.req.path}`)));

  const api = new Hono<{ Variables: AuthVariables }>();
  api.use('*', authMiddleware({ store, requireKeys: options.requireKeys === true }));
  api.get('/viewer', (c) => c.json({ entity: c.get('user'), serverVersion: options.version }));
  api.get('/projects', async (c) => c.json(await store.listProjects()));

  api.get('/projects/:entity/:project/runs', async (c) => c.json(await listRunPage(store, name(c, 'entity'), name(c, 'project'), new URL(c.req.url).searchParams)));

  api.get('/projects/:entity/:project/keys', projectKeysRoute(store));

  api.get('/projects/:entity/:project/runs/:id', async (c) => c.json(await mustGetRun(store, runKey(c))));

  api.patch('/projects/:entity/:project/runs/:id', async (c) => {
    const key = runKey(c);
    await mustGetRun(store, key);
    return c.json(await store.editRun(key, validateEdit(await jsonBody<unknown>(c))));
  });

  api.delete('/projects/:entity/:project/runs/:id', async (c) => {
    const key = runKey(c);
    if (!(await store.deleteRun(key))) throw new HttpError('run_not_found', `no run ${key.entity}/${key.project}/${key.id}`);
    return c.body(null, 204);
  });

  api.post('/projects/:entity/:project/runs/:id/records', async (c) => {
    const key = runKey(c);
    const writer = c.req.query('writer') ?? '';
    if (writer.length === 0 || writer.length > 128) throw new HttpError('invalid_argument', "query parameter 'writer' must be 1–128 characters");
    const first = nonNegativeInt(c.req.query('first'), 'first');
    const declared = Number(c.req.header('content-length') ?? '0');
    if (declared > MAX_BATCH_BYTES) throw new HttpError('payload_too_large', `batch of ${declared} bytes exceeds the limit of ${MAX_BATCH_BYTES}; send smaller batches`);
    const body = new Uint8Array(await c.req.arrayBuffer());
    if (body.length > MAX_BATCH_BYTES) throw new HttpError('payload_too_large', `batch of ${body.length} bytes exceeds the limit of ${MAX_BATCH_BYTES}`);
    const contents = decodeRecordLog(body, crc32);
    if (contents.tornTail) throw new HttpError('corrupt_log', 'the batch ends in a partial line; send complete lines only');
    if (contents.corrupt.length > 0) {
      throw new HttpError('corrupt_log', `record ${first + contents.corrupt[0]!} of the batch is damaged (checksum or JSON); nothing was applied`);
    }
    const records = contents.records.map((r) => r.record);
    const { nextIndex, applied, change, alerts } = await store.applyBatch(key, writer, first, records);
    if (change && options.live?.hasAudience) options.live.publish({ run: key, ...change });
    for (const alert of alerts ?? []) if (!alert.suppressed) options.onAlert?.(key, alert);
    return c.json({ nextIndex, applied } satisfies IngestResult);
  });

  api.post('/projects/:entity/:project/runs/:id/heartbeat', async (c) => {
    const key = runKey(c);
    const answer = await store.heartbeat(key);
    if (!answer) throw new HttpError('run_not_found', `no run ${key.entity}/${key.project}/${key.id}`);
    return c.json(answer);
  });

  api.post('/projects/:entity/:project/runs/:id/stop', async (c) => {
    const key = runKey(c);
    const run = await mustGetRun(store, key);
    if (run.state !== 'running') throw new HttpError('run_finished', `run ${key.id} is ${run.state}; only a running run can be stopped`);
    const stopped = (await store.requestStop(key))!;
    options.live?.publish({ run: key, fromStep: stopped.lastStep + 1, state: stopped.state });
    return c.json(stopped);
  });

  api.get('/events', (c) => {
    const live = options.live;
    if (!live) throw new HttpError('not_available', 'this server has no live updates');
    const entity = c.req.query('entity');
    const project = c.req.query('project');
    if ((entity === undefined) !== (project === undefined)) throw new HttpError('invalid_argument', 'give both entity and project, or neither');
    return streamSSE(c, async (stream) => {
      const unsubscribe = live.subscribe(entity === undefined ? undefined : `${entity}/${project}`, (event) => {
        void stream.writeSSE({ event: 'run', data: JSON.stringify(event) });
      });
      // The keep-alive wait ends early when the client leaves or the server shuts down.
      let wake = (): void => {};
      const stopOnClose = live.onClose(() => {
        stream.abort();
        wake();
      });
      stream.onAbort(() => wake());
      await stream.writeSSE({ event: 'ready', data: '{}' });
      while (!stream.aborted) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, (options.keepAliveSeconds ?? 15) * 1000).unref();
        });
        if (!stream.aborted) await stream.write(': keep-alive\n\n');
      }
      unsubscribe();
      stopOnClose();
    });
  });

  api.get('/projects/:entity/:project/runs/:id/alerts', async (c) => c.json({ alerts: await listAlerts(store, runKey(c)) } satisfies AlertList));

  api.get('/projects/:entity/:project/runs/:id/writers/:writer', async (c) => {
    return c.json({ nextIndex: await store.writerPosition(runKey(c), c.req.param('writer')) });
  });

  // ?samples=N (1–100,000): evenly spaced rows, first and last kept, in one page.
  // ?keys=a,b: only _step and those columns, rows holding none of them left out.
  api.get('/projects/:entity/:project/runs/:id/history', async (c) => {
    const key = runKey(c);
    const keyList = c.req.queries('keys')?.flatMap((value) => value.split(','));
    if (keyList !== undefined && (keyList.length === 0 || keyList.length > 1000 || keyList.some((k) => k.length === 0 || k.length > 256))) {
      throw new HttpError('invalid_argument', "query parameter 'keys' must list 1–1000 comma-separated keys of 1–256 characters, e.g. keys=loss,acc");
    }
    const samplesText = c.req.query('samples');
    if (samplesText !== undefined) {
      const samples = Number(samplesText);
      if (!Number.isInteger(samples) || samples < 1 || samples > 100_000) {
        throw new HttpError('invalid_argument', `'samples' must be an integer from 1 to 100000, got ${JSON.stringify(samplesText)}`);
      }
      if (c.req.query('cursor') !== undefined || c.req.query('limit') !== undefined) {
        throw new HttpError('invalid_argument', "'samples' answers in one page: drop 'cursor' and 'limit', or drop 'samples' to scan every row");
      }
      return c.json({ rows: await sampleHistory(store, key, { keys: keyList, samples }), nextCursor: null }, 200);
    }
    const cursor = nonNegativeInt(c.req.query('cursor'), 'cursor', 0);
    const limit = Math.min(nonNegativeInt(c.req.query('limit'), 'limit', 1000), 100_000);
    const page = await store.scanHistory(key, cursor, Math.max(1, limit));
    const rows = keyList === undefined ? page.rows : restrictToKeys(page.rows, keyList);
    return c.json({ rows, nextCursor: page.nextCursor === null ? null : String(page.nextCursor) }, 200);
  });

  api.get('/projects/:entity/:project/runs/:id/files', async (c) => c.json({ files: await listFiles(store, runKey(c)) }));

  // Raw bytes in, at most MAX_FILE_BYTES (the limit holds for chunked bodies too).
  api.put(
    '/projects/:entity/:project/runs/:id/files/:path{.+}',
    bodyLimit({
      maxSize: MAX_FILE_BYTES,
      onError: () => {
        throw new HttpError('payload_too_large', `a file may be at most ${MAX_FILE_BYTES} bytes (100 MiB)`);
      },
    }),
    async (c) => {
      const key = runKey(c);
      const filePath = c.req.param('path');
      const problem = filePathProblem(filePath);
      if (problem) throw new HttpError('invalid_argument', problem);
      if (!options.blobs) throw new HttpError('not_available', 'this server stores no files (it was started without a blob store)');
      if ((await store.runPk(key)) === undefined) throw new HttpError('run_not_found', `no run ${key.entity}/${key.project}/${key.id}; upload its records first`);
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      if (bytes.length > MAX_FILE_BYTES) throw new HttpError('payload_too_large', `a file may be at most ${MAX_FILE_BYTES} bytes (100 MiB)`);
      const info = await putFile(store, key, filePath, await options.blobs.put(bytes));
      // Files arrive after a run's last records: tell open pages, which refetch on events.
      if (options.live?.hasAudience) {
        const run = await store.getRun(key);
        if (run) options.live.publish({ run: key, fromStep: run.lastStep + 1, state: run.state });
      }
      return c.json(info);
    },
  );

  api.get('/projects/:entity/:project/runs/:id/files/:path{.+}', async (c) => {
    const key = runKey(c);
    const filePath = c.req.param('path');
    const problem = filePathProblem(filePath);
    if (problem) throw new HttpError('invalid_argument', problem);
    if (!options.blobs) throw new HttpError('not_available', 'this server stores no files (it was started without a blob store)');
    const file = await getFile(store, key, filePath);
    if (!file) throw new HttpError('run_not_found', `run ${key.entity}/${key.project}/${key.id} has no file ${JSON.stringify(filePath)}`);
    const bytes = await options.blobs.get(file.sha256);
    if (!bytes) throw new Error(`blob ${file.sha256} of ${key.entity}/${key.project}/${key.id} file ${filePath} is missing from the blob store`);
    const type = fileContentType(filePath);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': type,
      etag: `"${file.sha256}"`,
      'x-content-type-options': 'nosniff',
      // Uploaded HTML runs in an opaque origin: it can never reach the dashboard's cookies or storage.
      ...(type.startsWith('text/html') ? { 'content-security-policy': 'sandbox allow-scripts' } : {}),
    });
  });

  api.post('/series', async (c) => {
    const body = await jsonBody<unknown>(c);
    if ((body as { format?: unknown } | null)?.format !== 'binary') return c.json(await querySeries(store, body));
    return c.body(await querySeriesBinary(store, body), 200, { 'content-type': 'application/octet-stream' });
  });

  app.route(API_PREFIX, api);
  return app;
}

async function mustGetRun(store: Store, key: { entity: string; project: string; id: string }): Promise<RunInfo> {
  const run = await store.getRun(key);
  if (!run) throw new HttpError('run_not_found', `no run ${key.entity}/${key.project}/${key.id}`);
  return run;
}

function validateEdit(body: unknown): RunEdit {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError('invalid_argument', 'the edit must be a JSON object');
  const edit: RunEdit = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === 'tags') {
      if (!Array.isArray(value) || value.some((t) => typeof t !== 'string' || t.length === 0 || t.length > 64)) {
        throw new HttpError('invalid_argument', 'tags must be an array of strings of 1–64 characters');
      }
      edit.tags = value as string[];
    } else if (key === 'name' || key === 'notes' || key === 'group' || key === 'jobType') {
      if (value !== null && typeof value !== 'string') throw new HttpError('invalid_argument', `${key} must be a string or null`);
      edit[key] = value as string | null;
    } else {
      throw new HttpError('invalid_argument', `'${key}' cannot be edited; editable: name, notes, tags, group, jobType`);
    }
  }
  return edit;
}
