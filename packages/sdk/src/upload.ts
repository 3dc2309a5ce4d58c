/**
 * The uploader: sends a run directory's record log to a Cairn server, used by `cairn sync`
 * (and by online runs). Each request carries the raw log lines from one record index on; the
 * server applies each (writer, index) once, so an interrupted or repeated upload resumes
 * where the server stopped and never duplicates anything. Then the run's files (everything
 * under `files/`) follow, each sent only when it changed since the last upload.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { apiPaths, CairnError, decodeRecordLine, MAX_BATCH_BYTES } from '@cairn/protocol';
import { IngestClient, type IngestClientOptions } from './ingest-client.js';
import { CAIRN_DIR_NAME, LOG_EXTENSION, SYNCED_SUFFIX, writeFileAtomic } from './run-dir.js';
import { sendRunFiles, type FileNotSent } from './upload-files.js';

export { IngestClient, type IngestClientOptions, type PostAnswer } from './ingest-client.js';
export { uploadRunFiles, type FileNotSent, type FilesUploadResult, type RunFilesOptions } from './upload-files.js';

/** How far an upload has got, in bytes of log lines from where it started. */
export interface UploadProgress {
  sentBytes: number;
  totalBytes: number;
  /** The index of the next record the server needs. */
  nextIndex: number;
}

export interface UploadOptions extends IngestClientOptions {
  onProgress?: (progress: UploadProgress) => void;
  /** Largest request body (default 1 MiB, at most MAX_BATCH_BYTES). A larger single record goes alone. */
  batchBytes?: number;
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
