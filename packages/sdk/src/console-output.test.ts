/**
 * Console capture on real child processes running test-fixtures/console-output.ts: the
 * terminal gets exactly what the program wrote, and files/output.log records it on every way
 * the process can end — finish(), the end of the script, an uncaught exception, an unhandled
 * rejection, process.exit() — and not at all with console: 'off' or a disabled run.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, it } from 'vitest';
import { openRun } from './index.js';

const FIXTURE = fileURLToPath(new URL('./test-fixtures/console-output.ts', import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-console-'));
  tempDirs.push(dir);
  return dir;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `console-output.ts <ending>` offline with cwd = CAIRN_DIR = `dir`; `env` adds CAIRN_* / FIXTURE_*. */
function runFixture(ending: string, dir: string, env: Record<string, string> = {}): Promise<Exit> {
  return startFixture(ending, dir, env).exited;
}

function startFixture(ending: string, dir: string, env: Record<string, string> = {}): { exited: Promise<Exit>; stdout: () => string; kill: (signal: NodeJS.Signals) => void } {
  const childEnv: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('CAIRN_') && !key.startsWith('FIXTURE_')) childEnv[key] = value;
  Object.assign(childEnv, { CAIRN_DIR: dir, CAIRN_SILENT: '1', CAIRN_MODE: 'offline' }, env);
  const child = spawn(process.execPath, ['--conditions=source', '--import', TSX_LOADER, FIXTURE, ending], { cwd: dir, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const deadline = setTimeout(() => child.kill('SIGKILL'), 50_000).unref();
  const exited = new Promise<Exit>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(deadline);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { exited, stdout: () => stdout, kill: (signal) => child.kill(signal) };
}

/** What the fixture prints before its ending, on the terminal. */
const TERMINAL_STDOUT = (session = 1) =>
  `hello from stdout (session ${session})\na Buffer line ✓\na Uint8Array line\nhex encoded\nwindows line\r\nwith a callback\nan unfinished line`;
const TERMINAL_STDERR = 'oops on stderr\né\n\rprogress 10%\rprogress 50%\rprogress 100%\n';

/** The same, as output.log records it: in the order lines ended, stderr marked, \r resolved. */
const RECORDED = (session = 1) => [
  `hello from stdout (session ${session})`,
  'ERROR oops on stderr',
  'a Buffer line ✓',
  'a Uint8Array line',
  'hex encoded',
  'ERROR é',
  'ERROR progress 100%',
  'windows line',
  'with a callback',
];

function outputLog(dir: string): string {
  return readFileSync(path.join(openRun(dir).dir, 'files', 'output.log'), 'utf8');
}

describe.concurrent('console output of a real process', { timeout: 60_000 }, () => {
  it('finish(): the terminal gets every byte unchanged, output.log gets the lines, and capture ends at finish', async ({ expect }) => {
    const dir = tempDir();
    const exit = await runFixture('finish', dir);
    expect(exit).toMatchObject({ code: 0, stdout: `${TERMINAL_STDOUT()}\nafter finish\n`, stderr: TERMINAL_STDERR });
    // The unfinished line is completed at finish; what the script prints after finish() is not recorded.
    expect(outputLog(dir)).toBe([...RECORDED(), 'an unfinished line', ''].join('\n'));
    expect(openRun(dir)).toMatchObject({ state: 'finished', exitCode: 0 });
  });

  it('the end of the script without finish(): every line is recorded', async ({ expect }) => {
    const dir = tempDir();
    const exit = await runFixture('end', dir);
    expect(exit).toMatchObject({ code: 0, stdout: TERMINAL_STDOUT(), stderr: TERMINAL_STDERR });
    expect(outputLog(dir)).toBe([...RECORDED(), 'an unfinished line', ''].join('\n'));
  });

  it('an uncaught exception: the lines before it and its stack trace (as stderr) are in output.log', async ({ expect }) => {
    const dir = tempDir();
    const exit = await runFixture('throw', dir);
    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain('boom from a timer'); // Node still prints it
    const lines = outputLog(dir).split('\n');
    expect(lines.slice(0, RECORDED().length)).toEqual(RECORDED());
    expect(lines[RECORDED().length]).toBe('an unfinished line');
    expect(lines[RECORDED().length + 1]).toBe('ERROR Error: boom from a timer');
    expect(lines[RECORDED().length + 2]).toMatch(/^ERROR {5}at /);
    expect(openRun(dir)).toMatchObject({ state: 'failed', exitCode: 1 });
  });

  it('an unhandled rejection: recorded like an uncaught exception', async ({ expect }) => {
    const dir = tempDir();
    const exit = await runFixture('reject', dir);
    expect(exit.code).toBe(1);
    expect(outputLog(dir)).toContain('\nERROR Error: nobody handles this rejection\n');
  });

  it('process.exit(4): the buffered lines reach output.log synchronously on the way out', async ({ expect }) => {
    const dir = tempDir();
    const exit = await runFixture('process-exit', dir);
    expect(exit).toMatchObject({ code: 4, stdout: TERMINAL_STDOUT(), stderr: TERMINAL_STDERR });
    expect(outputLog(dir)).toBe([...RECORDED(), 'an unfinished line', ''].join('\n'));
    expect(openRun(dir)).toMatchObject({ state: 'failed', exitCode: 4 });
  });

  it('SIGTERM: the lines so far are recorded, and the process still dies of the signal', async ({ expect }) => {
    const dir = tempDir();
    const child = startFixture('wait', dir);
    for (let i = 0; i < 500 && !child.stdout().endsWith('an unfinished line'); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGTERM');
    const exit = await child.exited;
    expect(exit).toMatchObject({ code: null, signal: 'SIGTERM', stdout: TERMINAL_STDOUT(), stderr: TERMINAL_STDERR });
    expect(outputLog(dir)).toBe([...RECORDED(), 'an unfinished line', ''].join('\n'));
    expect(openRun(dir)).toMatchObject({ state: 'failed', exitCode: 143 });
  });

  it("CAIRN_CONSOLE=off records nothing and leaves the terminal alone", async ({ expect }) => {
    const dir = tempDir();
    const exit = await runFixture('finish', dir, { CAIRN_CONSOLE: 'off' });
    expect(exit).toMatchObject({ code: 0, stdout: `${TERMINAL_STDOUT()}\nafter finish\n`, stderr: TERMINAL_STDERR });
    expect(existsSync(path.join(openRun(dir).dir, 'files', 'output.log'))).toBe(false);
  });

  it('a disabled run records nothing', async ({ expect }) => {
    const dir = tempDir();
    const exit = await runFixture('finish', dir, { CAIRN_MODE: 'disabled' });
    expect(exit).toMatchObject({ code: 0, stdout: `${TERMINAL_STDOUT()}\nafter finish\n`, stderr: TERMINAL_STDERR });
    expect(existsSync(path.join(dir, 'cairn'))).toBe(false);
  });

  it('the SDK\'s own lines are recorded unmarked, from the first ("tracking run …") to the last', async ({ expect }) => {
    const dir = tempDir();
    const exit = await runFixture('finish', dir, { CAIRN_SILENT: '' });
    expect(exit.code).toBe(0);
    const lines = outputLog(dir).split('\n');
    expect(lines[0]).toMatch(/^cairn: tracking run .+ offline in /);
    expect(lines.slice(1, 1 + RECORDED().length)).toEqual(RECORDED());
    expect(lines.at(-2)).toMatch(/^cairn: run .+ finished after/);
    expect(lines.some((line) => line.startsWith('ERROR cairn:'))).toBe(false);
  });

  it('a resumed run appends to output.log', async ({ expect }) => {
    const dir = tempDir();
    expect((await runFixture('throw', dir, { FIXTURE_ID: 'again', FIXTURE_RESUME: 'allow' })).code).toBe(1);
    const first = outputLog(dir);
    const exit = await runFixture('finish', dir, { FIXTURE_ID: 'again', FIXTURE_RESUME: 'allow', FIXTURE_SESSION: '2' });
    expect(exit.code).toBe(0);
    expect(outputLog(dir)).toBe(`${first}${[...RECORDED(2), 'an unfinished line', ''].join('\n')}`);
    expect(first.startsWith('hello from stdout (session 1)\n')).toBe(true);
  });
});
