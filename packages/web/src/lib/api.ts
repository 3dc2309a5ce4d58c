/**
 * The dashboard's client of the HTTP API (contract in @cairn/protocol's api.ts). Paths are
 * built here rather than imported, so the browser bundle takes only types from protocol.
 */
import type {
  ApiErrorBody,
  MetricDefinition,
  ProjectSummary,
  RunInfo,
  RunPage,
  SeriesRequest,
} from '@cairn/protocol';
import { takeEarlyRequest } from './early-answers.js';
import { decodeSeries, type SeriesAnswer } from './series-binary.js';

export const API = '/api/v1';

const enc = encodeURIComponent;

export const paths = {
  projects: () => `${API}/projects`,
  runs: (entity: string, project: string) => `${API}/projects/${enc(entity)}/${enc(project)}/runs`,
  run: (entity: string, project: string, id: string) => `${paths.runs(entity, project)}/${enc(id)}`,
  stop: (entity: string, project: string, id: string) => `${paths.run(entity, project, id)}/stop`,
  keys: (entity: string, project: string) => `${API}/projects/${enc(entity)}/${enc(project)}/keys`,
  series: () => `${API}/series`,
  events: (entity: string, project: string) => `${API}/events?entity=${enc(entity)}&project=${enc(project)}`,
};

/** A failed API call, with the server's error code when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function request<T>(path: string, init: RequestInit = {}, as: 'json' | 'binary' = 'json'): Promise<T> {
  let response: Response;
  try {
    // A GET the page started early (early-answers.ts) is not asked again: its answer is taken.
    const early = init.method === undefined && as === 'json' ? await takeEarlyRequest(path) : undefined;
    init.signal?.throwIfAborted();
    if (early?.response.ok) return early.value as T;
    response = early?.response ?? (await fetch(path, { ...init, headers: { accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers } }));
    init.signal?.throwIfAborted();
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'unreachable', 'cannot reach the Cairn server; is it running?');
  }
  if (!response.ok) {
    let body: Partial<ApiErrorBody> | undefined;
    try {
      body = (await response.json()) as Partial<ApiErrorBody>;
    } catch {
      body = undefined;
    }
    throw new ApiError(response.status, body?.error?.code ?? 'http', body?.error?.message ?? `${response.status} ${response.statusText}`);
  }
  return (as === 'binary' ? await response.arrayBuffer() : await response.json()) as T;
}

export interface ProjectKeys {
  keys: string[];
  metrics: MetricDefinition[];
}

export interface RunQuery {
  sort?: string;
  order?: 'asc' | 'desc';
  search?: string;
  limit?: number;
  cursor?: string;
  /** More of the server's list parameters (filter, state, tags, group, jobType). */
  params?: Record<string, string>;
}

/** The URL of a page of runs: one query, one URL, whoever builds it. */
export function runsUrl(entity: string, project: string, query: RunQuery): string {
  const params = new URLSearchParams();
  if (query.sort) params.set('sort', query.sort);
  if (query.order) params.set('order', query.order);
  if (query.search) params.set('search', query.search);
  for (const [name, value] of Object.entries(query.params ?? {})) params.set(name, value);
  params.set('limit', String(query.limit ?? 1000));
  if (query.cursor) params.set('cursor', query.cursor);
  return `${paths.runs(entity, project)}?${params}`;
}

export const api = {
  projects: (signal?: AbortSignal) => request<ProjectSummary[]>(paths.projects(), { signal }),
  runs: (entity: string, project: string, query: RunQuery, signal?: AbortSignal) => request<RunPage>(runsUrl(entity, project, query), { signal }),
  run: (entity: string, project: string, id: string, signal?: AbortSignal) => request<RunInfo>(paths.run(entity, project, id), { signal }),
  stop: (entity: string, project: string, id: string) => request<RunInfo>(paths.stop(entity, project, id), { method: 'POST' }),
  keys(entity: string, project: string, runIds?: readonly string[], signal?: AbortSignal) {
    const query = runIds ? `?runs=${runIds.map(enc).join(',')}` : '';
    return request<ProjectKeys>(`${paths.keys(entity, project)}${query}`, { signal });
  },
  /** The series query answered in protocol's binary layout: no JSON to parse, nothing to build per bucket. */
  async seriesBinary(body: SeriesRequest, signal?: AbortSignal): Promise<SeriesAnswer> {
    const bytes = await request<ArrayBuffer>(paths.series(), { method: 'POST', body: JSON.stringify({ ...body, format: 'binary' }), signal, headers: { accept: 'application/octet-stream' } }, 'binary');
    return decodeSeries(bytes, body);
  },
};

/** The message to show for a failed call. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
