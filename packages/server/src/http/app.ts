/**
 * The HTTP API (see protocol/api.ts for the contract). Handlers validate their input,
 * call the store, and let errors.ts turn failures into coded JSON errors.
 */
import { Hono, type Context } from 'hono';
import {
  API_PREFIX,
  decodeRecordLog,
  DEFAULT_ENTITY,
  MAX_BATCH_BYTES,
  type RunEdit,
  type RunInfo,
  type SeriesRequest,
} from '@cairn/protocol';
import { crc32 } from 'node:zlib';
import type { Store } from '../store/store.js';
import { querySeries } from '../query/series-query.js';
import { filterAndPageRuns } from '../query/runs-query.js';
import { errorResponse, HttpError } from './errors.js';

export interface AppOptions {
  store: Store;
  version: string;
  /** Called after records were applied to a run (live updates). */
  onIngest?: (run: { entity: string; project: string; id: string }, fromStep: number) => void;
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

  const api = new Hono();
  api.get('/viewer', (c) => c.json({ entity: DEFAULT_ENTITY, serverVersion: options.version }));
  api.get('/projects', async (c) => c.json(await store.listProjects()));

  api.get('/projects/:entity/:project/runs', async (c) => {
    const runs = await store.listRuns(name(c, 'entity'), name(c, 'project'));
    return c.json(filterAndPageRuns(runs, new URL(c.req.url).searchParams));
  });

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
    const before = await store.getRun(key);
    const result = await store.applyBatch(key, writer, first, records);
    if (result.applied > 0) options.onIngest?.(key, (before?.lastStep ?? -1) + 1);
    return c.json(result);
  });

  api.get('/projects/:entity/:project/runs/:id/writers/:writer', async (c) => {
    return c.json({ nextIndex: await store.writerPosition(runKey(c), c.req.param('writer')) });
  });

  api.get('/projects/:entity/:project/runs/:id/history', async (c) => {
    const cursor = nonNegativeInt(c.req.query('cursor'), 'cursor', 0);
    const limit = Math.min(nonNegativeInt(c.req.query('limit'), 'limit', 1000), 100_000);
    const page = await store.scanHistory(runKey(c), cursor, Math.max(1, limit));
    return c.json({ rows: page.rows, nextCursor: page.nextCursor === null ? null : String(page.nextCursor) }, 200);
  });

  api.post('/series', async (c) => c.json(await querySeries(store, await jsonBody<SeriesRequest>(c))));

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
