/**
 * The live uploader of an online run: tails the run's record log and streams new complete
 * lines to the server in the background, so the training process never waits on the
 * network. With the server down, slow or restarting, nothing is lost (the log has it all)
 * and uploads resume with backoff. Heartbeats keep the run "running" between records and
 * carry the server's stop requests back. The console log (files/output.log) follows while it
 * grows: re-sent when it changed, every {@link LiveUploadOptions.liveFilesSeconds} at most
 * (and less often as it gets big); the other files go up at finish.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { apiPaths, MAX_BATCH_BYTES, type HeartbeatResult } from '@cairn/protocol';
import type { Console } from './console.js';
import { IngestClient } from './ingest-client.js';
import { FILES_DIR, OUTPUT_LOG_FILE } from './run-dir.js';
import { sendRunFiles } from './upload-files.js';

export interface LiveUploadOptions {
  baseUrl: string;
  apiKey?: string;
  entity: string;
  project: string;
  runId: string;
  writerId: string;
  logFile: string;
  console: Console;
  /** Seconds between heartbeats (default 5): how soon a stop from the server is noticed. */
  heartbeatSeconds?: number;
  /** Called once when the server asks the run to stop. */
  onStopRequested: () => void;
  /** The run directory, whose live files (the console log) are re-sent while they change. */
  runDir?: string;
  /** Shortest time between two uploads of the live files, in seconds (default 5). */
  liveFilesSeconds?: number;
}

/** Files re-sent while the run lives, when they changed: the console log. */
const LIVE_FILES = [OUTPUT_LOG_FILE];
/**
 * A live file is sent whole, so a big one waits longer between uploads: about one second per
 * MiB, which keeps re-sending a growing 100 MiB log to under 1 MiB/s of upload.
 */
const LIVE_FILE_MS_PER_MIB = 1000;

const NEWLINE = 0x0a;
const BATCH_BYTES = Math.min(1024 * 1024, MAX_BATCH_BYTES);
const MIN_INTERVAL_MS = 1000;
const MAX_BACKOFF_MS = 30_000;

export class LiveUploader {
  private readonly client: IngestClient;
  private readonly recordsRoute: string;
  private handle: FileHandle | undefined;
  /** Byte offset and record index of the first line the server does not have yet. */
  private offset = 0;
  private index = 0;
  private positioned = false;
  private uploading: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private backoffMs = 0;
  private lastError: string | undefined;
  private stopRequested = false;
  private closed = false;
  private filesTimer: NodeJS.Timeout | undefined;
  private filesUpload: Promise<void> | undefined;
  /** Live files stop when the server keeps no files (or refuses them). */
  private liveFilesOff = false;

  constructor(private readonly options: LiveUploadOptions) {
    // One attempt per request: this loop does its own backoff, and must never hold finish().
    this.client = new IngestClient({ baseUrl: options.baseUrl, apiKey: options.apiKey, retry: { attempts: 1 } });
    this.recordsRoute = apiPaths.records(options.entity, options.project, options.runId);
  }

  /** Starts heartbeats and the first upload. */
  start(): void {
    const seconds = this.options.heartbeatSeconds ?? 5;
    this.heartbeat = setInterval(() => void this.beat(), seconds * 1000).unref();
    this.poke();
    this.scheduleLiveFiles(0);
  }

  /** New lines were written: upload them soon (at most one upload per second while data flows). */
  poke(): void {
    if (this.closed || this.timer || this.uploading) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.uploading = this.uploadAvailable()
        .then(() => {
          this.backoffMs = 0;
          this.lastError = undefined;
        })
        .catch((error: unknown) => this.failed(error))
        .finally(() => {
          this.uploading = undefined;
        });
    }, Math.max(MIN_INTERVAL_MS, this.backoffMs)).unref();
  }

  /**
   * After the run's log is closed: uploads what is left, showing progress, for at most
   * `timeoutMs`. Resolves true when the server has every record.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    this.closed = true;
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    clearTimeout(this.filesTimer);
    this.timer = undefined;
    this.filesTimer = undefined;
    // finish() sends every file next: a live upload still running must not race it.
    await this.filesUpload;
    const deadline = Date.now() + timeoutMs;
    let lastReport = 0;
    try {
      for (;;) {
        await this.uploading;
        const { size: total } = await (await this.file()).stat();
        if (this.offset >= total) return true;
        if (Date.now() >= deadline) return false;
        if (Date.now() - lastReport > 1000) {
          lastReport = Date.now();
          this.options.console.info(`uploading run ${this.options.runId}: ${formatBytes(total - this.offset)} left`);
        }
        try {
          await this.uploadAvailable();
          this.lastError = undefined;
        } catch (error) {
          this.failed(error);
          await sleep(Math.min(this.backoffMs, Math.max(0, deadline - Date.now())));
        }
      }
    } finally {
      await this.handle?.close();
      this.handle = undefined;
    }
  }

  /** Records and bytes of the log the server has. */
  get uploaded(): { records: number; bytes: number } {
    return { records: this.index, bytes: this.offset };
  }

  /** What went wrong last, for the message when a drain times out. */
  get error(): string | undefined {
    return this.lastError;
  }

  /** Checks the live files again after the interval, longer when they are `lastSize` bytes big. */
  private scheduleLiveFiles(lastSize: number): void {
    if (this.closed || this.liveFilesOff || this.options.runDir === undefined) return;
    const base = (this.options.liveFilesSeconds ?? 5) * 1000;
    const delay = Math.max(base, (lastSize / (1024 * 1024)) * LIVE_FILE_MS_PER_MIB);
    this.filesTimer = setTimeout(() => {
      this.filesTimer = undefined;
      this.filesUpload = this.sendLiveFiles().then(
        (size) => this.scheduleLiveFiles(size),
        () => this.scheduleLiveFiles(0), // the record upload reports connection problems; try again later
      ).finally(() => {
        this.filesUpload = undefined;
      });
    }, delay).unref();
  }

  /** Sends the live files that changed; answers their size in bytes (0 when none is there yet). */
  private async sendLiveFiles(): Promise<number> {
    // A file needs its run on the server: wait until some records are there.
    if (this.index === 0) return 0;
    const { entity, project, runId } = this.options;
    const result = await sendRunFiles(this.client, this.options.runDir!, { entity, project, id: runId }, undefined, LIVE_FILES);
    if (result.filesNotSent.length > 0) {
      // A server without a blob store, or a file it refuses: finish() reports it; no point in retrying.
      this.liveFilesOff = true;
      return 0;
    }
    let size = 0;
    for (const file of LIVE_FILES) size += await stat(path.join(this.options.runDir!, FILES_DIR, file)).then((s) => s.size, () => 0);
    return size;
  }

  private failed(error: unknown): void {
    this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs === 0 ? 500 : this.backoffMs * 2);
    const message = (error as Error).message ?? String(error);
    if (message !== this.lastError) this.options.console.warn(`upload paused, retrying in the background: ${message}`);
    this.lastError = message;
    if (!this.closed) this.poke();
  }

  private async file(): Promise<FileHandle> {
    this.handle ??= await open(this.options.logFile, 'r');
    return this.handle;
  }

  /** Sends every complete line after `offset`, in batches. */
  private async uploadAvailable(): Promise<void> {
    const file = await this.file();
    if (!this.positioned) {
      const next = await this.client.writerPosition(apiPaths.writer(this.options.entity, this.options.project, this.options.runId, this.options.writerId));
      await this.seek(file, next);
      this.positioned = true;
    }
    for (;;) {
      const { size } = await file.stat();
      if (size <= this.offset) return;
      const length = Math.min(size - this.offset, BATCH_BYTES);
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await file.read(buffer, 0, length, this.offset);
      const end = buffer.lastIndexOf(NEWLINE, bytesRead - 1);
      if (end === -1) {
        // One line longer than a batch, or a line still being written.
        if (length < BATCH_BYTES) return;
        throw new Error(`record ${this.index} of ${this.options.logFile} is larger than ${BATCH_BYTES} bytes`);
      }
      const body = buffer.subarray(0, end + 1);
      const lines = countLines(body);
      const answer = await this.client.postRecords(`${this.recordsRoute}?writer=${encodeURIComponent(this.options.writerId)}&first=${this.index}`, body);
      if ('outOfOrder' in answer) {
        await this.seek(file, answer.outOfOrder);
        continue;
      }
      this.offset += body.length;
      this.index += lines;
      if (answer.nextIndex !== this.index) await this.seek(file, answer.nextIndex);
    }
  }

  /** Moves to record `index` by counting lines from the start of the log. */
  private async seek(file: FileHandle, index: number): Promise<void> {
    let offset = 0;
    let line = 0;
    let chunk = Buffer.alloc(1024 * 1024);
    while (line < index) {
      const { bytesRead } = await file.read(chunk, 0, chunk.length, offset);
      if (bytesRead === 0) break;
      let consumed = 0;
      while (line < index) {
        const end = chunk.indexOf(NEWLINE, consumed);
        if (end === -1 || end >= bytesRead) break;
        line++;
        consumed = end + 1;
      }
      if (consumed === 0) {
        // A line longer than the buffer: read again with room for it; at the end of the file, stop.
        if (bytesRead < chunk.length) break;
        chunk = Buffer.alloc(chunk.length * 2);
        continue;
      }
      offset += consumed;
    }
    this.offset = offset;
    this.index = line;
  }

  private async beat(): Promise<void> {
    try {
      const result = await this.client.heartbeat(apiPaths.heartbeat(this.options.entity, this.options.project, this.options.runId));
      if (result?.stopRequested && !this.stopRequested) {
        this.stopRequested = true;
        this.options.onStopRequested();
      }
    } catch {
      // A missed heartbeat is not an error: uploads report connection problems.
    }
  }
}

export type { HeartbeatResult };

function countLines(body: Buffer): number {
  let lines = 0;
  for (let i = body.indexOf(NEWLINE); i !== -1; i = body.indexOf(NEWLINE, i + 1)) lines++;
  return lines;
}

function formatBytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
