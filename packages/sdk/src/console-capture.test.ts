import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConsoleCapture } from './console-capture.js';
import { init } from './init.js';
import { startRun, tempDir } from './test-support/index.js';

/** A stand-in for process.stdout: keeps every call's arguments, calls the callback, answers `answer`. */
class FakeStream {
  calls: unknown[][] = [];
  answer = true;
  write(...args: unknown[]): boolean {
    if (typeof args[0] !== 'string' && !(args[0] instanceof Uint8Array)) throw new TypeError('The "chunk" argument must be a string or a Uint8Array');
    this.calls.push(args);
    const callback = args.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return this.answer;
  }
}

function capture(options: { maxBytes?: number; intervalMs?: number; file?: string } = {}) {
  const stdout = new FakeStream();
  const stderr = new FakeStream();
  const file = options.file ?? path.join(tempDir(), 'output.log');
  const errors: string[] = [];
  const recorder = new ConsoleCapture(file, { stdout, stderr, maxBytes: options.maxBytes, intervalMs: options.intervalMs ?? 60_000, onError: (m) => errors.push(m) });
  return { stdout, stderr, file, errors, recorder, read: () => (existsSync(file) ? readFileSync(file, 'utf8') : undefined) };
}

describe('ConsoleCapture', () => {
  it('passes every call through unchanged, records the lines, marks stderr, and restores write at stop', () => {
    const { stdout, stderr, recorder, read } = capture();
    const original = stdout.write;
    recorder.start();
    expect(stdout.write).not.toBe(original);
    let called = 0;
    stdout.answer = false;
    expect(stdout.write('one\ntwo\n', 'utf8', () => called++)).toBe(false);
    const buffer = Buffer.from('three\n');
    stderr.write(buffer, () => called++);
    expect(stdout.calls).toEqual([['one\ntwo\n', 'utf8', expect.any(Function)]]);
    expect(stderr.calls[0]![0]).toBe(buffer); // the very same object, not a copy
    expect(called).toBe(2);
    expect(read()).toBeUndefined(); // buffered, not written yet
    recorder.stop();
    expect(read()).toBe('one\ntwo\nERROR three\n');
    expect(Object.prototype.hasOwnProperty.call(stdout, 'write')).toBe(false);
    expect(stdout.write).toBe(original);
    stdout.write('after\n');
    recorder.flush();
    expect(read()).toBe('one\ntwo\nERROR three\n');
  });

  it('decodes Buffers, Uint8Arrays and encoded strings, also a character split across writes', () => {
    const { stdout, stderr, recorder, read } = capture();
    recorder.start();
    stdout.write(new TextEncoder().encode('typed ✓\n'));
    stdout.write(Buffer.from('cafe\u0301 ok\n').toString('base64'), 'base64');
    stdout.write('latin é\n', 'latin1');
    const euro = Buffer.from('€\n');
    stderr.write(euro.subarray(0, 2));
    stderr.write(euro.subarray(2));
    stdout.write('UTF-8 string\n', 'UTF-8');
    recorder.stop();
    // The bytes are what counts: a latin1 'é' is one byte 0xE9, which is not UTF-8 (a terminal shows � too).
    expect(read()).toBe('typed ✓\ncafe\u0301 ok\nlatin \ufffd\nERROR €\nUTF-8 string\n');
  });

  it('keeps what a terminal shows of \\r-redrawn lines, and treats \\r\\n as a newline', () => {
    const { stdout, stderr, recorder, read } = capture();
    recorder.start();
    for (let i = 0; i <= 1000; i++) stderr.write(`\r${i / 10}%`);
    stderr.write('\n');
    stdout.write('dos\r');
    stdout.write('\nline\r\n');
    stdout.write('a\rb\rc\n');
    recorder.stop();
    expect(read()).toBe('ERROR 100%\ndos\nline\nc\n');
  });

  it('interleaves by line: a partial stdout line does not swallow a stderr line', () => {
    const { stdout, stderr, recorder, read } = capture();
    recorder.start();
    stdout.write('Epoch 1: ');
    stderr.write('warning in between\n');
    stdout.write('done\n');
    stdout.write('never finished');
    recorder.stop();
    expect(read()).toBe('ERROR warning in between\nEpoch 1: done\nnever finished\n');
  });

  it('writes buffered lines on its own within the interval, without stop()', async () => {
    const { stdout, recorder, read } = capture({ intervalMs: 20 });
    recorder.start();
    stdout.write('soon on disk\n');
    stdout.write('not yet a line');
    for (let i = 0; i < 100 && read() === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(read()).toBe('soon on disk\n');
    recorder.stop();
    expect(read()).toBe('soon on disk\nnot yet a line\n');
  });

  it('stops at the byte limit with whole lines and a last line that says so; the terminal still gets everything', () => {
    const { stdout, stderr, recorder, read } = capture({ maxBytes: 50 });
    recorder.start();
    for (let i = 0; i < 10; i++) stdout.write(`line number ${i}\n`);
    stderr.write('late error\n');
    recorder.stop();
    const text = read()!;
    expect(text).toBe('line number 0\nline number 1\nline number 2\ncairn: console output truncated: output.log reached its limit of 50 bytes, so later output is not recorded\n');
    expect(stdout.calls).toHaveLength(10);
    expect(stderr.calls).toHaveLength(1);
  });

  it('appends to an existing output.log, and counts its bytes against the limit', () => {
    const file = path.join(tempDir(), 'output.log');
    writeFileSync(file, 'from the first session\n');
    const { stdout, recorder, read } = capture({ file, maxBytes: 40 });
    recorder.start();
    stdout.write('second\n');
    stdout.write('this line is past the limit\n');
    recorder.stop();
    expect(read()).toBe('from the first session\nsecond\ncairn: console output truncated: output.log reached its limit of 40 bytes, so later output is not recorded\n');
  });

  it('creates no file when nothing is printed', () => {
    const { recorder, file } = capture();
    recorder.start();
    recorder.stop();
    expect(existsSync(file)).toBe(false);
  });

  it('records an uncaught exception after everything printed before it', () => {
    const { stdout, recorder, read } = capture();
    recorder.start();
    stdout.write('half a line');
    const error = new Error('kaput');
    error.stack = 'Error: kaput\n    at somewhere (file.js:1:1)';
    recorder.noteUncaught(error);
    recorder.noteUncaught('a string');
    recorder.stop();
    expect(read()).toBe("half a line\nERROR Error: kaput\nERROR     at somewhere (file.js:1:1)\nERROR Uncaught 'a string'\n");
  });

  it('records one capture at a time: starting another stops the first and restores its wrapping', () => {
    const first = capture();
    const stdout = first.stdout;
    const original = stdout.write;
    first.recorder.start();
    const second = new ConsoleCapture(path.join(tempDir(), 'output.log'), { stdout, stderr: first.stderr, intervalMs: 60_000 });
    second.start();
    stdout.write('for the second\n');
    second.stop();
    expect(first.read()).toBeUndefined();
    expect(readFileSync(second.file, 'utf8')).toBe('for the second\n');
    expect(stdout.write).toBe(original);
  });

  it('wrapped again by someone else: stop leaves their wrapper in place, and ours only passes through', () => {
    const { stdout, recorder, read } = capture();
    recorder.start();
    const ours = stdout.write;
    const seen: unknown[] = [];
    stdout.write = function (this: unknown, ...args: unknown[]) {
      seen.push(args[0]);
      return (ours as (...a: unknown[]) => boolean).apply(this, args);
    };
    const theirs = stdout.write;
    stdout.write('while recording\n');
    recorder.stop();
    expect(stdout.write).toBe(theirs);
    stdout.write('after stop\n');
    expect(seen).toEqual(['while recording\n', 'after stop\n']);
    expect(stdout.calls.map((call) => call[0])).toEqual(['while recording\n', 'after stop\n']);
    expect(read()).toBe('while recording\n');
  });

  it('a write the stream rejects records nothing; an unwritable file is reported once and writes go on', () => {
    const { stdout, recorder, errors, file } = capture({ file: path.join(tempDir(), 'missing', 'output.log') });
    recorder.start();
    expect(() => stdout.write(42)).toThrow('must be a string');
    stdout.write('cannot be stored\n');
    recorder.flush();
    stdout.write('still passes through\n');
    recorder.stop();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`console output is no longer recorded in ${file}`);
    expect(stdout.calls.map((call) => call[0])).toEqual(['cannot be stored\n', 'still passes through\n']);
  });
});

describe('console capture of a run', () => {
  it("wraps process.stdout and process.stderr while the run is active and restores them at finish", async () => {
    const write = { stdout: process.stdout.write, stderr: process.stderr.write };
    const run = await startRun();
    expect(process.stdout.write).not.toBe(write.stdout);
    expect(process.stderr.write).not.toBe(write.stderr);
    await run.finish();
    expect(process.stdout.write).toBe(write.stdout);
    expect(process.stderr.write).toBe(write.stderr);
  });

  it("console: 'off' and disabled runs leave the streams alone", async () => {
    const write = process.stdout.write;
    for (const options of [{ console: 'off' }, { mode: 'disabled' as const }]) {
      const run = await startRun(options);
      expect(process.stdout.write, JSON.stringify(options)).toBe(write);
      expect(run.settings.console).toBe(run.disabled ? 'auto' : 'off');
      await run.finish();
    }
  });

  it("reinit restores the first run's wrapping before the second run wraps", async () => {
    const write = process.stdout.write;
    const first = await startRun();
    const firstWrapper = process.stdout.write;
    const second = await init({ reinit: true, mode: 'offline', silent: true, dir: tempDir(), project: 'test' });
    expect(first.isFinished).toBe(true);
    expect(process.stdout.write).not.toBe(firstWrapper);
    await second.finish();
    expect(process.stdout.write).toBe(write);
  });

  it('rejects an unknown console setting; CAIRN_CONSOLE sets it', async () => {
    await expect(startRun({ console: 'loud' })).rejects.toMatchObject({ code: 'usage', message: "init(): console must be 'auto', 'wrap' or 'off'; got \"loud\"" });
    process.env.CAIRN_CONSOLE = 'off';
    try {
      const run = await startRun();
      expect(run.settings.console).toBe('off');
      await run.finish();
    } finally {
      delete process.env.CAIRN_CONSOLE;
    }
  });
});
