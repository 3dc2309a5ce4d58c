/**
 * The uploader: sends a run directory's record log to a Cairn server, used by `cairn sync`
 * (and by online runs). Each request carries the raw log lines from one record index on; the
 * server applies each (writer, index) once, so an interrupted or repeated upload resumes
 * where the server stopped and never duplicates anything. Then the run's files (everything
 * under `files/`) follow, each sent only when it changed since the last upload.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import {
  apiPaths,
  CairnError,
  decodeRecordLine,
  ERROR_CODES,
  filePathProblem,
  MAX_BATCH_BYTES,
  MAX_FILE_BYTES,
  RECORDS_CONTENT_TYPE,
  type ErrorCode,
  type FileList,
  type HeartbeatResult,
} from '@cairn/protocol';
import { CAIRN_DIR_NAME, FILES_DIR, LOG_EXTENSION, SYNCED_SUFFIX, writeFileAtomic } from './run-dir.js';

/** How far an upload has got, in bytes of log lines from where it started. */
export interface UploadProgress {
  sentBytes: number;
  totalBytes: number;
  /** The index of the next record the server needs. */
  nextIndex: number;
}

export interface UploadOptions {
  /** The server, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  fetch?: typeof fetch;
  onProgress?: (progress: UploadProgress) => void;
  /** Aborting rejects the upload with the signal's reason; what was accepted stays accepted. */
  signal?: AbortSignal;
  /** Largest request body (default 1 MiB, at most MAX_BATCH_BYTES). A larger single record goes alone. */
  batchBytes?: number;
  /** Retries of network errors and 5xx answers: attempts in all (default 5), delays doubling from initialDelayMs (200) up to maxDelayMs (3000). */
  retry?: { attempts?: number; initialDelayMs?: number; maxDelayMs?: number };
}

export interface UploadResult {
  runId: string;
  entity: string;
  project: string;
  /** The index of the next record the server needs (all of the log when it equals logRecords). */
  nextIndex: number;
  /** Records the server applied during this upload (0 when it had them all already). */
  records: number;
  /** Complete lines in the log. */
  logRecords: number;
  /** The log ends in an exit record and the server has all of it: the run directory is marked synced. */
  finished: boolean;
  /** Files under the run's `files/` sent by this upload (0 when none changed since the last one). */
  files: number;
  /** Files left out, and why: too large, a name the server refuses, or a server that stores no files. */
  filesNotSent: FileNotSent[];
}

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

const DEFAULT_BATCH_BYTES = 1024 * 1024;
const SCAN_CHUNK_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;
const TYPE_PREFIX = Buffer.from('{"t":"');
const MOST_STALLED_REQUESTS = 3;

/**
 * Uploads a run directory's log to the server at `options.baseUrl`, from the index the server
 * asks for. Only complete lines are sent (a torn last line waits for its writer). When the log
 * ends in an exit record and the server has everything, writes the `.synced` marker.
 *
 * @example
 * const result = await uploadRunDirectory('cairn/offline-run-20240101_120000-abc123', { baseUrl: 'http://127.0.0.1:8080' });
 * console.log(`${result.records} records uploaded`);
 */
export async function uploadRunDirectory(runDir: string, options: UploadOptions): Promise<UploadResult> {
  const logFile = findLogFile(runDir);
  const client = new IngestClient(options);
  const handle = await open(logFile, 'r');
  try {
    const log = await scanLog(handle, logFile);
    options.signal?.throwIfAborted();
    const entity = log.run.entity ?? (await client.viewerEntity());
    const { project, id } = log.run;
    const records = apiPaths.records(entity, project, id);
    const query = `writer=${encodeURIComponent(log.writerId)}&first=`;
    const batchLimit = Math.min(Math.max(1, options.batchBytes ?? DEFAULT_BATCH_BYTES), MAX_BATCH_BYTES);

    let next = await client.writerPosition(apiPaths.writer(entity, project, id, log.writerId));
    let base = Math.min(next, log.lineCount);
    let applied = 0;
    let stalled = 0;
    const report = (): void => {
      const done = Math.min(next, log.lineCount);
      options.onProgress?.({
        sentBytes: log.offsets[done]! - log.offsets[base]!,
        totalBytes: log.offsets[log.lineCount]! - log.offsets[base]!,
        nextIndex: next,
      });
    };
    report();
    while (next < log.lineCount) {
      const end = batchEnd(log, next, batchLimit);
      const body = await readRange(handle, log.offsets[next]!, log.offsets[end]!);
      const answer = await client.postRecords(`${records}?${query}${next}`, body);
      const previous = next;
      if ('outOfOrder' in answer) {
        next = answer.outOfOrder;
      } else {
        applied += answer.applied;
        next = answer.nextIndex;
      }
      // A 409 may move back once (the server lost or never had earlier records); repeated
      // answers that do not move forward mean client and server disagree about the log.
      stalled = next > previous ? 0 : stalled + 1;
      if (stalled >= MOST_STALLED_REQUESTS) {
        throw new CairnError(
          'internal',
          `the Cairn server at ${client.baseUrl} keeps answering nextIndex ${next} to records from index ${previous} of ${logFile}; ` +
            'the upload cannot make progress (was the log replaced or truncated?)',
        );
      }
      base = Math.min(base, next);
      report();
    }

    // Files before the synced marker: a run marked synced is skipped by `cairn sync`.
    const sent = await sendRunFiles(client, path.dirname(logFile), { entity, project, id }, options.signal);
    const finished = log.endsWithExit && next >= log.lineCount;
    if (finished) {
      writeSyncedMarker(logFile, { baseUrl: client.baseUrl, entity, project, id, records: log.lineCount, bytes: log.offsets[log.lineCount]! });
    }
    return { runId: id, entity, project, nextIndex: next, records: applied, logRecords: log.lineCount, finished, ...sent };
  } finally {
    await handle.close();
  }
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

async function sendRunFiles(
  client: IngestClient,
  runDir: string,
  run: { entity: string; project: string; id: string },
  signal: AbortSignal | undefined,
): Promise<FilesUploadResult> {
  const result: FilesUploadResult = { files: 0, filesNotSent: [] };
  const local = listLocalFiles(path.join(runDir, FILES_DIR));
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

/** What the `run-<id>.cairn.synced` marker holds: the log was fully uploaded while it had `bytes` bytes. */
interface SyncedMarker {
  baseUrl: string;
  entity: string;
  project: string;
  id: string;
  records: number;
  bytes: number;
  syncedAt: number;
}

/** Records that `logFile` was fully uploaded while it had `marker.bytes` bytes. */
export function writeSyncedMarker(logFile: string, marker: Omit<SyncedMarker, 'syncedAt'>): void {
  const full: SyncedMarker = { ...marker, syncedAt: Date.now() / 1000 };
  writeFileAtomic(logFile + SYNCED_SUFFIX, `${JSON.stringify(full)}\n`);
}

/**
 * True when the run directory's log was fully uploaded (with its exit record) and has not
 * grown since, e.g. by resuming the run.
 */
export function isSynced(runDir: string): boolean {
  const logFile = logFileIn(runDir);
  if (!logFile) return false;
  try {
    const marker = JSON.parse(readFileSync(logFile + SYNCED_SUFFIX, 'utf8')) as Partial<SyncedMarker>;
    return marker.bytes === statSync(logFile).size;
  } catch {
    return false;
  }
}

/**
 * The run directories at `paths`, oldest first: each path may be a run directory (or its log
 * file), a `cairn/` directory, or a directory that contains `cairn/`.
 *
 * @example
 * findRunDirectories(['.']);   // every run under ./cairn
 */
export function findRunDirectories(paths: string[]): string[] {
  const found = new Map<string, string>();
  for (const given of paths) {
    const location = path.resolve(given);
    if (!existsSync(location)) throw new CairnError('run_not_found', `${given} does not exist; pass a run directory, a cairn/ directory, or a directory that holds cairn/`);
    const dir = statSync(location).isFile() ? path.dirname(location) : location;
    const candidates = logFileIn(dir) ? [dir] : runDirsUnder(existsSync(path.join(dir, CAIRN_DIR_NAME)) ? path.join(dir, CAIRN_DIR_NAME) : dir);
    for (const candidate of candidates) found.set(realpathSync(candidate), candidate);
  }
  // Directory names stamp the start to the second; the header's time orders runs started in the same second.
  return [...found.keys()]
    .map((dir) => ({ dir, stamp: startStamp(dir), time: headerTime(dir) }))
    .sort((a, b) => (a.stamp !== b.stamp ? (a.stamp < b.stamp ? -1 : 1) : a.time !== b.time ? a.time - b.time : a.dir < b.dir ? -1 : 1))
    .map(({ dir }) => dir);
}

const HEADER_PEEK_BYTES = 4096;

/** The start time in the log's first record (its header), or 0. */
function headerTime(dir: string): number {
  let fd: number | undefined;
  try {
    fd = openSync(logFileIn(dir)!, 'r');
    const buffer = Buffer.alloc(HEADER_PEEK_BYTES);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    const end = buffer.subarray(0, length).indexOf(NEWLINE);
    const header = end === -1 ? undefined : decodeRecordLine(buffer.toString('utf8', 0, end), crc32);
    return typeof header?.time === 'number' ? header.time : 0;
  } catch {
    return 0;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function runDirsUnder(dir: string): string[] {
  return safeReaddir(dir)
    .map((name) => path.join(dir, name))
    .filter((candidate) => isDirectory(candidate) && logFileIn(candidate) !== undefined);
}

const RUN_DIR_STAMP = /(?:^|-)run-(\d{8}_\d{6})-/;

/** `YYYYMMDD_HHMMSS` from the directory's name, or from its log's modification time. */
function startStamp(dir: string): string {
  const match = RUN_DIR_STAMP.exec(path.basename(dir));
  if (match) return match[1]!;
  const time = statSync(logFileIn(dir)!).mtime;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${time.getFullYear()}${pad(time.getMonth() + 1)}${pad(time.getDate())}_${pad(time.getHours())}${pad(time.getMinutes())}${pad(time.getSeconds())}`;
}

function logFileIn(dir: string): string | undefined {
  const name = safeReaddir(dir).find((f) => f.startsWith('run-') && f.endsWith(LOG_EXTENSION));
  return name === undefined ? undefined : path.join(dir, name);
}

function findLogFile(runDir: string): string {
  const logFile = existsSync(runDir) && statSync(runDir).isFile() ? runDir : logFileIn(runDir);
  if (logFile === undefined) throw new CairnError('run_not_found', `${runDir} holds no run-<id>${LOG_EXTENSION} log; pass a run directory such as cairn/offline-run-…`);
  return logFile;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function isDirectory(candidate: string): boolean {
  try {
    return statSync(candidate).isDirectory();
  } catch {
    return false;
  }
}

/** What an upload needs to know about a log, from one pass over it. */
interface LogIndex {
  file: string;
  /** Byte offset of each complete line's start, then the end of the last complete line. */
  offsets: number[];
  lineCount: number;
  writerId: string;
  run: { id: string; project: string; entity: string | null };
  /** The last writer session ended with an exit record (a resumed run starts a new session). */
  endsWithExit: boolean;
}

async function scanLog(handle: FileHandle, logFile: string): Promise<LogIndex> {
  const offsets: number[] = [];
  let writerId: string | undefined;
  let run: LogIndex['run'] | undefined;
  let endsWithExit = false;
  let carry = Buffer.alloc(0);
  let carryStart = 0;
  const chunk = Buffer.alloc(SCAN_CHUNK_BYTES);
  for (;;) {
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, carryStart + carry.length);
    if (bytesRead === 0) break;
    const data = carry.length === 0 ? chunk.subarray(0, bytesRead) : Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
    let start = 0;
    for (let end = data.indexOf(NEWLINE, start); end !== -1; end = data.indexOf(NEWLINE, start)) {
      offsets.push(carryStart + start);
      const type = recordType(data, start, end);
      if (type === 'header' || type === 'run' || type === 'exit') {
        const record = decodeRecordLine(data.toString('utf8', start, end), crc32);
        if (record?.t === 'header') {
          endsWithExit = false;
          if (writerId === undefined && typeof record.writerId === 'string') writerId = record.writerId;
        } else if (record?.t === 'run') {
          run ??= runIdentity(record);
        } else if (record?.t === 'exit') {
          endsWithExit = true;
        }
      }
      start = end + 1;
    }
    // Copy the partial line: `chunk` is reused by the next read.
    carry = Buffer.from(data.subarray(start));
    carryStart += start;
  }
  offsets.push(carryStart);
  const lineCount = offsets.length - 1;
  if (writerId === undefined) {
    throw new CairnError('corrupt_log', `${logFile} has no header record with a writer id; it is not a Cairn run log, or it is damaged at its start`);
  }
  if (run === undefined) {
    throw new CairnError('corrupt_log', `${logFile} holds no run record; it is not a Cairn run log, or it is damaged at its start`);
  }
  return { file: logFile, offsets, lineCount, writerId, run, endsWithExit };
}

/**
 * The record type of a line, read from its first bytes when the JSON starts with `{"t":"`
 * (the SDK writes `t` first); otherwise the whole line is decoded.
 */
function recordType(data: Buffer, start: number, end: number): string | undefined {
  const json = start + 9;
  if (end - json > TYPE_PREFIX.length && data.compare(TYPE_PREFIX, 0, TYPE_PREFIX.length, json, json + TYPE_PREFIX.length) === 0) {
    const typeStart = json + TYPE_PREFIX.length;
    const quote = data.indexOf(0x22, typeStart);
    if (quote !== -1 && quote < end) return data.toString('latin1', typeStart, quote);
  }
  const record = decodeRecordLine(data.toString('utf8', start, end), crc32);
  return typeof record?.t === 'string' ? record.t : undefined;
}

function runIdentity(record: Record<string, unknown>): LogIndex['run'] | undefined {
  const { id, project, entity } = record;
  if (typeof id !== 'string' || typeof project !== 'string') return undefined;
  return { id, project, entity: typeof entity === 'string' ? entity : null };
}

/** The end (exclusive) of the batch that starts at line `first`. */
function batchEnd(log: LogIndex, first: number, limit: number): number {
  const { offsets } = log;
  let end = first;
  while (end < log.lineCount && offsets[end + 1]! - offsets[first]! <= limit) end++;
  if (end > first) return end;
  const size = offsets[first + 1]! - offsets[first]!;
  if (size > MAX_BATCH_BYTES) {
    throw new CairnError(
      'invalid_argument',
      `record ${first} of ${log.file} is ${size} bytes, more than the ${MAX_BATCH_BYTES} bytes a server accepts in one request; it cannot be uploaded`,
    );
  }
  return first + 1;
}

async function readRange(handle: FileHandle, from: number, to: number): Promise<Buffer> {
  const buffer = Buffer.alloc(to - from);
  let filled = 0;
  while (filled < buffer.length) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, from + filled);
    if (bytesRead === 0) throw new CairnError('corrupt_log', `the log shrank while it was being uploaded (expected ${to} bytes)`);
    filled += bytesRead;
  }
  return buffer;
}

/** A POST of records: accepted (with the writer's next index), or 409 out_of_order with the index to resume from. */
export type PostAnswer = { nextIndex: number; applied: number } | { outOfOrder: number };

/**
 * The ingest side of the HTTP API: requests with retries (network errors, transient 5xx),
 * the server's answers as values, its refusals as CairnErrors. Shared by uploadRunDirectory
 * and the live uploader of online runs.
 */
export class IngestClient {
  readonly baseUrl: string;
  private readonly fetch: typeof fetch;
  private readonly headers: Record<string, string>;
  private readonly attempts: number;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(private readonly options: UploadOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetch = options.fetch ?? globalThis.fetch;
    this.headers = options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {};
    this.attempts = Math.max(1, options.retry?.attempts ?? 5);
    this.initialDelayMs = options.retry?.initialDelayMs ?? 200;
    this.maxDelayMs = options.retry?.maxDelayMs ?? 3000;
  }

  async viewerEntity(): Promise<string> {
    const { body } = await this.expectOk('GET', apiPaths.viewer());
    const entity = (body as { entity?: unknown } | null)?.entity;
    if (typeof entity !== 'string' || entity === '') throw this.badAnswer('GET', apiPaths.viewer(), 'no entity');
    return entity;
  }

  async writerPosition(route: string): Promise<number> {
    const { body } = await this.expectOk('GET', route);
    return this.index(body, 'GET', route);
  }

  async postRecords(route: string, body: Buffer): Promise<PostAnswer> {
    const answer = await this.request('POST', route, body);
    if (answer.status === 409 && errorOf(answer.body)?.code === 'out_of_order') {
      return { outOfOrder: this.index(errorOf(answer.body), 'POST', route) };
    }
    if (answer.status !== 200) throw this.refused('POST', route, answer);
    const applied = (answer.body as { applied?: unknown }).applied;
    return { nextIndex: this.index(answer.body, 'POST', route), applied: typeof applied === 'number' ? applied : 0 };
  }

  /**
   * The sha256 of each file the server holds for a run, by path; or, for a server that stores
   * no files (an older server without the route, or one without a blob store), why not.
   */
  async fileHashes(route: string): Promise<Map<string, string> | string> {
    const answer = await this.request('GET', route);
    if (answer.status === 404 || answer.status === 501) {
      // 404 from a server that predates run files (no such route), 501 from one without a blob store.
      return `the Cairn server at ${this.baseUrl} keeps no files for this run (${answer.status}: ${errorOf(answer.body)?.message ?? 'no message'})`;
    }
    if (answer.status !== 200) throw this.refused('GET', route, answer);
    const files = (answer.body as Partial<FileList> | undefined)?.files;
    if (!Array.isArray(files)) throw this.badAnswer('GET', route, 'no file list');
    return new Map(files.map((file) => [file.path, file.sha256]));
  }

  /** Creates or replaces one file of a run with `bytes`. */
  async putFile(route: string, bytes: Uint8Array): Promise<void> {
    const answer = await this.request('PUT', route, bytes, 'application/octet-stream');
    if (answer.status !== 200) throw this.refused('PUT', route, answer);
  }

  /** The run is alive; undefined when the server answered without a body. */
  async heartbeat(route: string): Promise<HeartbeatResult | undefined> {
    const answer = await this.request('POST', route);
    if (answer.status !== 200) throw this.refused('POST', route, answer);
    const stopRequested = (answer.body as { stopRequested?: unknown } | undefined)?.stopRequested;
    return typeof stopRequested === 'boolean' ? { stopRequested } : undefined;
  }

  private async expectOk(method: string, route: string): Promise<{ status: number; body: unknown }> {
    const answer = await this.request(method, route);
    if (answer.status !== 200) throw this.refused(method, route, answer);
    return answer;
  }

  private index(body: unknown, method: string, route: string): number {
    const value = (body as { nextIndex?: unknown } | null | undefined)?.nextIndex;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw this.badAnswer(method, route, 'no valid nextIndex');
    return value;
  }

  /** One request; network errors and transient 5xx answers are retried with backoff. */
  private async request(method: string, route: string, body?: Uint8Array, contentType = RECORDS_CONTENT_TYPE): Promise<{ status: number; body: unknown }> {
    const { signal } = this.options;
    const headers = body ? { ...this.headers, 'content-type': contentType } : this.headers;
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      let failure: CairnError;
      try {
        const response = await this.fetch(this.baseUrl + route, { method, headers, body, signal });
        const answer = { status: response.status, body: parseJson(await response.text()) };
        if (!isTransient(response.status)) return answer;
        failure = this.refused(method, route, answer);
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        failure = this.unreachable(error);
      }
      if (attempt >= this.attempts) throw failure;
      await sleep(Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** (attempt - 1)), signal);
    }
  }

  private unreachable(error: unknown): CairnError {
    const cause = (error as { cause?: { message?: unknown } }).cause;
    const reason = typeof cause?.message === 'string' ? cause.message : (error as Error).message;
    return new CairnError(
      'not_available',
      `cannot reach the Cairn server at ${this.baseUrl}: ${reason}; start it with \`npx cairn server\`, or point CAIRN_BASE_URL (cairn sync --base-url) at a running one`,
    );
  }

  private refused(method: string, route: string, answer: { status: number; body: unknown }): CairnError {
    const error = errorOf(answer.body);
    if (!error) return this.badAnswer(method, route, `status ${answer.status}`);
    const code = error.code;
    const hint = code === 'unauthorized' ? '; pass an API key (cairn sync --api-key, or CAIRN_API_KEY)' : '';
    const known = (ERROR_CODES as readonly string[]).includes(code);
    // Codes that only exist on the wire (unauthorized, payload_too_large…) are kept in the message.
    return new CairnError(
      known ? (code as ErrorCode) : answer.status >= 500 ? 'internal' : 'invalid_argument',
      `the Cairn server at ${this.baseUrl} refused ${method} ${route} (${answer.status} ${code}): ${error.message}${hint}`,
    );
  }

  private badAnswer(method: string, route: string, what: string): CairnError {
    return new CairnError('not_available', `the server at ${this.baseUrl} answered ${method} ${route} with ${what}; is it a Cairn server?`);
  }
}

function errorOf(body: unknown): { code: string; message: string; nextIndex?: unknown } | undefined {
  const error = (body as { error?: unknown } | null | undefined)?.error as { code?: unknown; message?: unknown } | undefined;
  if (typeof error !== 'object' || error === null || typeof error.code !== 'string') return undefined;
  return { ...error, code: error.code, message: typeof error.message === 'string' ? error.message : '' };
}

/** 5xx except 501 (not implemented: asking again does not help), and 429. */
function isTransient(status: number): boolean {
  return (status >= 500 && status !== 501) || status === 429;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
