/**
 * The append-only writer of a run's record log. `append` buffers; the buffer reaches the
 * file when it holds `maxPending` records, when the oldest buffered record is older than
 * `intervalMs`, and on `flush()`. A timer keeps that interval while the event loop runs; a
 * training loop that never yields starves timers, so every `append` also looks at the clock,
 * and a record that comes after a quiet spell (nothing appended for `intervalMs`: a slow,
 * synchronous loop) is written at once, since the loop may not call again for a while. A
 * kill -9 therefore loses the last interval's records (two intervals at the very most, for a
 * loop that never yields and logs a little more often than once an interval).
 */
import { closeSync, fsyncSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { encodeRecordLine } from '@cairn/protocol';

export interface RecordWriterOptions {
  /** Longest time a record may wait in memory, in milliseconds. */
  intervalMs?: number;
  /** Most records held in memory before a write. */
  maxPending?: number;
  /** Truncate the file to this many bytes before appending (drops a torn last line). */
  truncateTo?: number;
  /** The index of the first record this writer appends (the number of lines already in the log). */
  firstIndex?: number;
}

export class RecordWriter {
  private readonly fd: number;
  private pending: object[] = [];
  private oldestPendingAt = 0;
  private lastAppendAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private written: number;
  private readonly intervalMs: number;
  private readonly maxPending: number;
  private afterFlush: (() => void) | undefined;

  constructor(
    readonly file: string,
    options: RecordWriterOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 150;
    this.maxPending = options.maxPending ?? 4096;
    this.written = options.firstIndex ?? 0;
    this.fd = openSync(file, 'a');
    if (options.truncateTo !== undefined) ftruncateSync(this.fd, options.truncateTo);
  }

  /** The index the next appended record will have. */
  get nextIndex(): number {
    return this.written + this.pending.length;
  }

  /** Sets the callback run after each write (the run refreshes its summary and config files). */
  onFlush(callback: () => void): void {
    this.afterFlush = callback;
  }

  /** Buffers `record`; `now` is the time in ms (`Date.now()`), for a caller that has read it already. */
  append(record: object, now = Date.now()): void {
    if (this.closed) throw new Error(`record log ${this.file} is closed`);
    const quiet = now - this.lastAppendAt >= this.intervalMs;
    this.lastAppendAt = now;
    const pending = this.pending;
    pending.push(record);
    if (pending.length === 1) this.oldestPendingAt = now;
    if (quiet || pending.length >= this.maxPending || now - this.oldestPendingAt >= this.intervalMs) {
      this.flush();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.intervalMs).unref();
  }

  /** Writes every buffered record now, synchronously (safe in exit and signal handlers). */
  flush(): void {
    if (this.closed || this.pending.length === 0) return;
    const records = this.pending;
    this.pending = [];
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    let text = '';
    for (const record of records) text += encodeRecordLine(record, crc32);
    writeAll(this.fd, text);
    this.written += records.length;
    this.afterFlush?.();
  }

  /** Flushes, forces the data to disk, and closes the file. */
  close(): void {
    if (this.closed) return;
    this.flush();
    try {
      fsyncSync(this.fd);
    } catch {
      // fsync is not supported on every file system; the data is written either way.
    }
    closeSync(this.fd);
    this.closed = true;
  }
}

function writeAll(fd: number, text: string): void {
  // Regular files take the whole write; only a short write (disk full, signals) needs bytes.
  const length = Buffer.byteLength(text);
  const written = writeSync(fd, text);
  if (written === length) return;
  const buffer = Buffer.from(text, 'utf8');
  let offset = written;
  while (offset < buffer.length) offset += writeSync(fd, buffer, offset, buffer.length - offset);
}
