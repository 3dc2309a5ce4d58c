/**
 * The run page's calls beyond reading: editing a run (PATCH, `RunEdit`), its files (list,
 * download URL) and its alerts. Paths follow `apiPaths.run`, `.files`, `.file` and `.alerts`
 * of @cairn/protocol.
 */
import type { AlertList, ApiErrorBody, FileList, RunEdit, RunInfo } from '@cairn/protocol';
import { ApiError, paths } from './api.js';

const enc = encodeURIComponent;

/** `GET` → the run's files; a file's bytes are at {@link fileUrl}. */
export function filesPath(entity: string, project: string, id: string): string {
  return `${paths.run(entity, project, id)}/files`;
}

/** `GET` → the alerts the run raised, oldest first, suppressed repeats included. */
export function alertsPath(entity: string, project: string, id: string): string {
  return `${paths.run(entity, project, id)}/alerts`;
}

/**
 * Where one of a run's files downloads from; each segment of its path is encoded.
 *
 * @example
 * fileUrl('local', 'mnist', 'abc', 'media/sample 1.png'); // → '/api/v1/projects/local/mnist/runs/abc/files/media/sample%201.png'
 */
export function fileUrl(entity: string, project: string, id: string, path: string): string {
  return `${filesPath(entity, project, id)}/${path.split('/').map(enc).join('/')}`;
}

async function send<T>(path: string, init: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers: { accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}) } });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'unreachable', 'cannot reach the Cairn server; is it running?');
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => undefined)) as Partial<ApiErrorBody> | undefined;
    throw new ApiError(response.status, body?.error?.code ?? 'http', body?.error?.message ?? `${response.status} ${response.statusText}`);
  }
  return (await response.json()) as T;
}

/** GETs under way, by path: callers asking for the same path meanwhile share one request. */
const underWay = new Map<string, Promise<unknown>>();

/**
 * `GET path`, shared with every other caller asking for it while it is under way (the run
 * page's Files and Console sections both list the run's files as the page opens). A caller's
 * `signal` abandons its wait, not the request the others share.
 */
export function sharedGet<T>(path: string, signal?: AbortSignal): Promise<T> {
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  let request = underWay.get(path) as Promise<T> | undefined;
  if (!request) {
    request = send<T>(path, {});
    underWay.set(path, request);
    const done = () => {
      if (underWay.get(path) === request) underWay.delete(path);
    };
    request.then(done, done);
  }
  if (!signal) return request;
  return new Promise<T>((resolve, reject) => {
    const abandon = () => reject(signal.reason);
    signal.addEventListener('abort', abandon, { once: true });
    request.then(resolve, reject).finally(() => signal.removeEventListener('abort', abandon));
  });
}

export const runRequests = {
  /** Changes a run's tags, notes, name, group or job type; answers the run as stored. */
  edit: (entity: string, project: string, id: string, edit: RunEdit) => send<RunInfo>(paths.run(entity, project, id), { method: 'PATCH', body: JSON.stringify(edit) }),
  files: (entity: string, project: string, id: string, signal?: AbortSignal) => sharedGet<FileList>(filesPath(entity, project, id), signal),
  alerts: (entity: string, project: string, id: string, signal?: AbortSignal) => send<AlertList>(alertsPath(entity, project, id), { signal }),
};
