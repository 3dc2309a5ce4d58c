/**
 * Console capture: while a run is active, everything the process writes to `process.stdout`
 * and `process.stderr` still reaches the terminal unchanged and is also appended to the run's
 * `files/output.log` (setting `console`, behaviour.md 1.6). The format of output.log:
 *
 * - one line per line written, in the order lines were completed; stdout lines as written;
 * - stderr lines start with `ERROR ` (the reference's marker for them);
 * - the SDK's own lines (`cairn: …`) are kept unmarked, though they go to stderr;
 * - a line keeps the text after its last carriage return (what a terminal shows of a
 *   progress bar redrawn with `\r`); `\r\n` ends a line like `\n`; ANSI escape codes are kept;
 * - a line still unfinished when the run ends is written with a newline; an uncaught
 *   exception (which Node prints without `process.stderr.write`) is written as stderr lines;
 * - the file stops at {@link OUTPUT_LOG_MAX_BYTES}, with a last line saying the output was
 *   truncated; a resumed run appends to the same file, under the same limit.
 *
 * Writes only buffer: the buffer reaches the file every {@link ConsoleCaptureOptions.intervalMs}
 * or every 64 KiB, on `flush()`, and synchronously on `stop()`, which every exit path of the
 * run calls, so the last lines survive a crash exit. A `kill -9` loses at most one interval.
 */
import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { inspect } from 'node:util';
import { MAX_FILE_BYTES } from '@cairn/protocol';

/**
 * The most bytes of console output a run keeps: a little under the most a server takes for
 * one file (100 MiB), so that output.log, truncation notice included, always uploads.
 */
export const OUTPUT_LOG_MAX_BYTES = MAX_FILE_BYTES - 4096;

/** The prefix of a line the process wrote to stderr. */
export const STDERR_PREFIX = 'ERROR ';

/** A stream whose `write` can be captured: process.stdout and process.stderr (tests pass their own). */
export interface CapturableStream {
  write(...args: never[]): boolean;
}

export interface ConsoleCaptureOptions {
  /** Bytes of output kept before the file is truncated (default {@link OUTPUT_LOG_MAX_BYTES}). */
  maxBytes?: number;
  /** Longest time a completed line waits in memory, in milliseconds (default 200). */
  intervalMs?: number;
  stdout?: CapturableStream;
  stderr?: CapturableStream;
  /** Told once when the file cannot be written (capture then stops recording; writes go on). */
  onError?: (message: string) => void;
}

type Source = 'stdout' | 'stderr' | 'sdk';

/** Buffered characters that trigger a write, and the longest unfinished line kept in memory. */
const MAX_PENDING_CHARS = 64 * 1024;
const MAX_PARTIAL_CHARS = 64 * 1024;
const NEWLINE = 0x0a;

/** The capture recording now: at most one per process. */
const current: { capture?: ConsoleCapture } = {};
/** Set while the SDK writes its own lines, so they are recorded unmarked. */
let sdkWriting = false;

/** Writes one of the SDK's own lines to stderr; a capture records it without the stderr mark. */
export function writeSdkOutput(text: string): void {
  sdkWriting = true;
  try {
    process.stderr.write(text);
  } finally {
    sdkWriting = false;
  }
}

/**
 * Records what the process writes to stdout and stderr into `file`, from `start()` to `stop()`.
 *
 * @example
 * const capture = new ConsoleCapture(path.join(run.dir, 'output.log'));
 * capture.start();
 * console.log('epoch 1');   // on the terminal, and in output.log
 * capture.stop();           // writes what is buffered; stdout and stderr are as before
 */
export class ConsoleCapture {
  private fd: number | undefined;
  /** Bytes in the file (including what earlier sessions wrote). */
  private written = 0;
  private pending: string[] = [];
  private pendingChars = 0;
  private oldestPendingAt = 0;
  private linesSinceCheck = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly partial: Record<Source, string> = { stdout: '', stderr: '', sdk: '' };
  private readonly decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  private readonly restorers: Array<() => void> = [];
  private recording = false;
  private ended = false;
  private full = false;
  private readonly maxBytes: number;
  private readonly intervalMs: number;

  constructor(
    readonly file: string,
    private readonly options: ConsoleCaptureOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? OUTPUT_LOG_MAX_BYTES;
    this.intervalMs = options.intervalMs ?? 200;
  }

  /** Wraps the streams' `write`; a capture already recording in this process is stopped first. */
  start(): void {
    if (this.recording || this.ended) return;
    current.capture?.stop();
    current.capture = this;
    this.recording = true;
    this.wrap(this.options.stdout ?? process.stdout, 'stdout');
    this.wrap(this.options.stderr ?? process.stderr, 'stderr');
  }

  /**
   * Ends the capture: unfinished lines are completed, everything buffered is written
   * (synchronously: safe in exit and signal handlers) and the streams get their `write` back.
   */
  stop(): void {
    if (!this.recording) return;
    this.endUnfinishedLines();
    this.recording = false;
    this.ended = true;
    if (current.capture === this) current.capture = undefined;
    this.flush();
    for (const restore of this.restorers.splice(0)) restore();
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }

  /** Writes the completed lines buffered so far (an unfinished line waits for its end). */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    this.linesSinceCheck = 0;
    try {
      this.writeText(text);
    } catch (error) {
      // A full disk must not break the program's own writes: stop recording, say so once.
      this.full = true;
      this.options.onError?.(`console output is no longer recorded in ${this.file}: ${(error as Error).message}`);
    }
  }

  /**
   * Records an uncaught exception as stderr lines: Node prints it itself, past
   * `process.stderr.write`, just before the process dies.
   */
  noteUncaught(error: unknown): void {
    if (!this.recording) return;
    const described = error instanceof Error ? inspect(error) : `Uncaught ${inspect(error)}`;
    // The error comes after everything printed before it, on lines of its own, as on the terminal.
    this.endUnfinishedLines();
    this.append('stderr', `${described}\n`);
  }

  /** Records the lines the program left unfinished as they are (before the SDK's closing lines). */
  endUnfinishedLines(): void {
    if (!this.recording) return;
    for (const source of ['stdout', 'stderr', 'sdk'] as const) {
      const rest = this.partial[source] + (source === 'sdk' ? '' : this.decoders[source].end());
      this.partial[source] = '';
      if (rest.length > 0) this.completeLine(source, rest);
    }
  }

  private wrap(stream: CapturableStream, source: 'stdout' | 'stderr'): void {
    const original = stream.write;
    const hadOwn = Object.prototype.hasOwnProperty.call(stream, 'write');
    const record = (chunk: unknown, encoding: unknown): void => {
      if (this.recording) this.record(source === 'stderr' && sdkWriting ? 'sdk' : source, chunk, encoding);
    };
    const wrapper = function (this: unknown, ...args: unknown[]): boolean {
      const result = (original as (...a: unknown[]) => boolean).apply(this, args);
      // Recorded after the real write: a call the stream rejects (bad arguments) records nothing.
      record(args[0], args[1]);
      return result;
    };
    stream.write = wrapper as CapturableStream['write'];
    this.restorers.push(() => {
      if (stream.write !== wrapper) return; // wrapped again by someone else: ours stays, passing through
      if (hadOwn) stream.write = original;
      else delete (stream as { write?: unknown }).write;
    });
  }

  private record(source: Source, chunk: unknown, encoding: unknown): void {
    if (this.full) return;
    try {
      let text: string;
      if (typeof chunk === 'string') {
        text = typeof encoding === 'string' && source !== 'sdk' && !isUtf8(encoding) ? this.decoders[source].write(Buffer.from(chunk, encoding as BufferEncoding)) : chunk;
      } else if (chunk instanceof Uint8Array && source !== 'sdk') {
        text = this.decoders[source].write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      } else {
        return;
      }
      this.append(source, text);
    } catch {
      // Recording must never break a write the stream accepted.
    }
  }

  private append(source: Source, text: string): void {
    if (text.length === 0) return;
    const combined = this.partial[source] + text;
    let start = 0;
    for (let end = combined.indexOf('\n'); end !== -1; end = combined.indexOf('\n', start)) {
      this.completeLine(source, combined.slice(start, end));
      start = end + 1;
    }
    let rest = start === 0 ? combined : combined.slice(start);
    // Only what a terminal would still show: the text after the last \r (one at the very end may start \r\n).
    const cr = rest.length >= 2 ? rest.lastIndexOf('\r', rest.length - 2) : -1;
    if (cr !== -1) rest = rest.slice(cr + 1);
    if (rest.length >= MAX_PARTIAL_CHARS) {
      this.completeLine(source, rest);
      rest = '';
    }
    this.partial[source] = rest;
  }

  private completeLine(source: Source, raw: string): void {
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const cr = line.lastIndexOf('\r');
    if (cr !== -1) line = line.slice(cr + 1);
    const text = source === 'stderr' ? `${STDERR_PREFIX}${line}\n` : `${line}\n`;
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.pending.length === 1) {
      this.oldestPendingAt = Date.now();
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, this.intervalMs).unref();
    } else if (this.pendingChars >= MAX_PENDING_CHARS) {
      this.flush();
    } else if (++this.linesSinceCheck >= 64) {
      // The time bound for a busy loop that starves the timer, checked now and then (Date.now() costs).
      this.linesSinceCheck = 0;
      if (Date.now() - this.oldestPendingAt >= this.intervalMs) this.flush();
    }
  }

  private writeText(text: string): void {
    if (this.full) return;
    if (this.fd === undefined) {
      // Opened on the first line, so a run that prints nothing has no output.log.
      this.fd = openSync(this.file, 'a');
      this.written = fstatSync(this.fd).size;
      if (this.written >= this.maxBytes) {
        this.full = true;
        return;
      }
    }
    const length = Buffer.byteLength(text);
    if (this.written + length <= this.maxBytes) {
      this.writeBytes(text);
      return;
    }
    // Full: keep the whole lines that fit, then say that the rest is missing.
    const bytes = Buffer.from(text, 'utf8');
    const room = this.maxBytes - this.written;
    const cut = room > 0 ? bytes.lastIndexOf(NEWLINE, room - 1) + 1 : 0;
    if (cut > 0) this.writeBytes(bytes.subarray(0, cut));
    this.writeBytes(`cairn: console output truncated: output.log reached its limit of ${this.maxBytes} bytes, so later output is not recorded\n`);
    this.full = true;
  }

  private writeBytes(data: string | Buffer): void {
    const buffer = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let offset = 0;
    while (offset < buffer.length) offset += writeSync(this.fd!, buffer, offset, buffer.length - offset);
    this.written += buffer.length;
  }
}

function isUtf8(encoding: string): boolean {
  const name = encoding.toLowerCase();
  return name === 'utf8' || name === 'utf-8';
}
