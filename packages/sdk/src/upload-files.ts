/**
 * Uploading a run's files (everything under `files/`): each only when it changed since the
 * last upload, and only when the server does not already hold the same content.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { apiPaths, filePathProblem, MAX_FILE_BYTES } from '@cairn/protocol';
import { FILES_DIR, writeFileAtomic } from './run-dir.js';
import { IngestClient } from './ingest-client.js';
import type { UploadOptions } from './upload.js';

export interface FileNotSent {
  /** Relative to the run's `files/`, with forward slashes. */
  path: string;
  reason: string;
}

/** The run whose files {@link uploadRunFiles} sends, and the server's options. */
export interface RunFilesOptions extends UploadOptions {
  entity: string;
  project: string;
  id: string;
}

export interface FilesUploadResult {
  /** Files sent (new, or changed since the last upload). */
  files: number;
  filesNotSent: FileNotSent[];
}

/**
 * Uploads the files under `<runDir>/files/` (recursively) to the run on the server, each only
 * when its size or modification time changed since it was last uploaded (`files.synced.json`
 * in the run directory remembers), and only when the server does not already hold the same
 * content. The run must exist on the server (its records uploaded). Retries as the ingest does.
 *
 * @example
 * await uploadRunFiles(run.runDir!, { baseUrl: 'http://127.0.0.1:8080', entity: 'local', project: 'mnist', id: run.id });
 */
export async function uploadRunFiles(runDir: string, options: RunFilesOptions): Promise<FilesUploadResult> {
  const { entity, project, id } = options;
  return sendRunFiles(new IngestClient(options), runDir, { entity, project, id }, options.signal);
}

/** `<runDir>/files.synced.json`: what was uploaded, to which server and run. */
const FILES_STATE = 'files.synced.json';

interface FilesState {
  server: string;
  run: string;
  files: Record<string, { size: number; mtimeMs: number; sha256: string }>;
}

/** A regular file under files/, as found on disk. */
interface LocalFile {
  /** Relative, with forward slashes. */
  path: string;
  absolute: string;
  size: number;
  mtimeMs: number;
}

// writeFileAtomic's temporary files (`config.yaml.<pid>.tmp`) exist for an instant while a run writes.
const ATOMIC_TEMP = /\.\d+\.tmp$/;

/**
 * Sends the changed files of `runDir` (see {@link uploadRunFiles}); with `only`, just those
 * paths (a live run re-sends its console log while it grows).
 */
export async function sendRunFiles(
  client: IngestClient,
  runDir: string,
  run: { entity: string; project: string; id: string },
  signal: AbortSignal | undefined,
  only?: readonly string[],
): Promise<FilesUploadResult> {
  const result: FilesUploadResult = { files: 0, filesNotSent: [] };
  const filesDir = path.join(runDir, FILES_DIR);
  const local = only === undefined ? listLocalFiles(filesDir) : only.flatMap((relative) => statLocalFile(filesDir, relative) ?? []);
  const stateFile = path.join(runDir, FILES_STATE);
  const state = readFilesState(stateFile, client.baseUrl, `${run.entity}/${run.project}/${run.id}`);
  const changed = local.filter((file) => {
    const last = state.files[file.path];
    return last === undefined || last.size !== file.size || last.mtimeMs !== file.mtimeMs;
  });
  if (changed.length === 0) return result;

  const onServer = await client.fileHashes(apiPaths.files(run.entity, run.project, run.id));
  if (typeof onServer === 'string') {
    result.filesNotSent = changed.map((file) => ({ path: file.path, reason: onServer }));
    return result;
  }
  for (const file of changed) {
    signal?.throwIfAborted();
    const problem = filePathProblem(file.path);
    if (problem !== undefined || file.size > MAX_FILE_BYTES) {
      result.filesNotSent.push({ path: file.path, reason: problem ?? `it is ${file.size} bytes, more than the ${MAX_FILE_BYTES} bytes a server accepts` });
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(file.absolute);
    } catch (error) {
      // Gone since the listing: the next upload sees whatever is there then.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (onServer.get(file.path) !== sha256) {
      await client.putFile(apiPaths.file(run.entity, run.project, run.id, file.path), bytes);
      result.files++;
    }
    // Size and time from before the read: a change during the read shows up next time.
    state.files[file.path] = { size: file.size, mtimeMs: file.mtimeMs, sha256 };
    writeFileAtomic(stateFile, `${JSON.stringify(state)}\n`);
  }
  return result;
}

/** Every regular file under `dir` (following links to files, not to directories), sorted by path. */
function listLocalFiles(dir: string): LocalFile[] {
  const found: LocalFile[] = [];
  const walk = (absoluteDir: string, relativeDir: string): void => {
    let entries;
    try {
      entries = readdirSync(absoluteDir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const absolute = path.join(absoluteDir, entry.name);
      const relative = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
      if (entry.isDirectory()) {
        walk(absolute, relative);
        continue;
      }
      if (ATOMIC_TEMP.test(entry.name) || !(entry.isFile() || entry.isSymbolicLink())) continue;
      try {
        const stats = statSync(absolute);
        if (stats.isFile()) found.push({ path: relative, absolute, size: stats.size, mtimeMs: stats.mtimeMs });
      } catch {
        // A dangling link, or a file removed since the listing.
      }
    }
  };
  walk(dir, '');
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** One regular file under `dir` by its relative path, or undefined when there is none. */
function statLocalFile(dir: string, relative: string): LocalFile | undefined {
  const absolute = path.join(dir, ...relative.split('/'));
  try {
    const stats = statSync(absolute);
    return stats.isFile() ? { path: relative, absolute, size: stats.size, mtimeMs: stats.mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}

/** The state of earlier uploads to this server and run; empty when there is none (or it was for another). */
function readFilesState(file: string, server: string, run: string): FilesState {
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as Partial<FilesState>;
    if (state.server === server && state.run === run && typeof state.files === 'object' && state.files !== null) {
      return { server, run, files: state.files };
    }
  } catch {
    // Missing or damaged: upload as if for the first time (the server skips nothing it has).
  }
  return { server, run, files: {} };
}
