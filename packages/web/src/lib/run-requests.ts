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

export const runRequests = {
  /** Changes a run's tags, notes, name, group or job type; answers the run as stored. */
  edit: (entity: string, project: string, id: string, edit: RunEdit) => send<RunInfo>(paths.run(entity, project, id), { method: 'PATCH', body: JSON.stringify(edit) }),
  files: (entity: string, project: string, id: string, signal?: AbortSignal) => send<FileList>(filesPath(entity, project, id), { signal }),
  alerts: (entity: string, project: string, id: string, signal?: AbortSignal) => send<AlertList>(alertsPath(entity, project, id), { signal }),
};
