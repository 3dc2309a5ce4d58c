/**
 * Every way a process can end, tried on real child processes running
 * test-fixtures/exit-path.ts: what the run's log says afterwards (read with openRun), and
 * how the process itself ended. behaviour.md 1.5 (resume) and 6 (exit codes).
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { crc32 } from 'node:zlib';
import { decodeRecordLog } from '@cairn/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { openRun, type LocalRun } from './index.js';

const FIXTURE = fileURLToPath(new URL('./test-fixtures/exit-path.ts', import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
/** How long to wait for a child's output before giving up: generous, since CI machines stall. */
const PATIENCE_MS = 25_000;

type Ending =
  | 'finish'
  | 'end'
  | 'throw'
  | 'throw-top-level'
  | 'reject'
  | 'exit-code'
  | 'process-exit'
  | 'kill-self'
  | 'loop'
  | 'own-sigint';

interface FixtureOptions {
  id?: string;
  resume?: string;
  config?: Record<string, unknown>;
  losses?: number[];
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  messages: Array<Record<string, unknown>>;
}

interface Line {
  /** When the parent received the line (Date.now()). */
  receivedAt: number;
  message: Record<string, unknown>;
}

interface Child {
  lines: Line[];
  waitFor(predicate: (message: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  kill(signal: NodeJS.Signals): void;
  exited: Promise<Exit>;
}

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-exit-paths-'));
  tempDirs.push(dir);
  return dir;
}

/** Starts `exit-path.ts <ending>` with cwd = CAIRN_DIR = `dir`, offline and silent. */
function start(ending: Ending, dir: string, options: FixtureOptions = {}): Child {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('CAIRN_') && !key.startsWith('FIXTURE_')) env[key] = value;
  Object.assign(env, { CAIRN_DIR: dir, CAIRN_SILENT: '1', CAIRN_MODE: 'offline' });
  if (options.id !== undefined) env.FIXTURE_ID = options.id;
  if (options.resume !== undefined) env.FIXTURE_RESUME = options.resume;
  if (options.config !== undefined) env.FIXTURE_CONFIG = JSON.stringify(options.config);
  if (options.losses !== undefined) env.FIXTURE_LOSSES = JSON.stringify(options.losses);

  const child = spawn(process.execPath, ['--conditions=source', '--import', TSX_LOADER, FIXTURE, ending], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Line[] = [];
  let partial = '';
  let stderr = '';
  let exit: Exit | undefined;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const receivedAt = Date.now();
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    for (const part of parts) lines.push({ receivedAt, message: JSON.parse(part) as Record<string, unknown> });
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<Exit>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      exit = { code, signal, stderr, messages: lines.map((line) => line.message) };
      resolve(exit);
    });
  });
  const deadline = setTimeout(() => child.kill('SIGKILL'), PATIENCE_MS * 2).unref();
  void exited.finally(() => clearTimeout(deadline));

  return {
    lines,
    exited,
    kill: (signal) => child.kill(signal),
    async waitFor(predicate) {
      const giveUpAt = Date.now() + PATIENCE_MS;
      for (;;) {
        const found = lines.find((line) => predicate(line.message));
        if (found) return found.message;
        if (exit || Date.now() > giveUpAt) {
          throw new Error(`the child ${exit ? `ended (${exit.code ?? exit.signal})` : 'was still silent'}; stdout: ${JSON.stringify(lines)}; stderr: ${stderr}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}

/** Runs a child to its end. */
async function runFixture(ending: Ending, dir: string, options?: FixtureOptions): Promise<Exit> {
  return start(ending, dir, options).exited;
}

function steps(run: LocalRun): unknown[] {
  return run.history.map((row) => row._step);
}

function range(count: number, from = 0): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

const DEFAULT_LOSSES = [0.9, 0.7, 0.5, 0.3, 0.2];

/** The five rows every non-loop ending logs first, all present, with the summary they imply. */
function expectFiveRows(run: LocalRun): void {
  expect(steps(run)).toEqual(range(5));
  expect(run.history.map((row) => row.loss)).toEqual(DEFAULT_LOSSES);
  expect(run.summary.loss).toEqual({ min: 0.2 });
  expect(run.summary.sessions).toBe(1);
  expect(run.corruptRecords).toBe(0);
}

describe.concurrent('exit paths of a real process', { timeout: 60_000 }, () => {
  it('an uncaught Error thrown from a timer: exit code 1, state failed, every row kept', async ({ expect }) => {
    const dir = tempDir();
    const exit = await runFixture('throw', dir);
    expect(exit).toMatchObject({ code: 1, signal: null });
    expect(exit.stderr).toContain('boom from a timer'); // Cairn does not swallow the error
    const run = openRun(dir);
    expect(run).toMatchObject({ state: 'failed', exitCode: 1 });
    expectFiveRows(run);
  });

  it('an Error thrown by the module body (top-level await): exit code 1, state failed', async ({ expect }) => {
    const dir = tempDir();
    const exit = await runFixture('throw-top-level', dir);
    expect(exit).toMatchObject({ code: 1, signal: null });
    expect(exit.stderr).toContain('boom from the module body');
    const run = openRun(dir);
    expect(run).toMatchObject({ state: 'failed', exitCode: 1 });
    expectFiveRows(run);
  });

  it('an unhandled promise rejection: exit code 1, state failed', async ({ expect }) => {
    const dir = tempDir();
    const exit = await runFixture('reject', dir);
    expect(exit).toMatchObject({ code: 1, signal: null });
    expect(exit.stderr).toContain('nobody handles this rejection');
    const run = openRun(dir);
    expect(run).toMatchObject({ state: 'failed', exitCode: 1 });
    expectFiveRows(run);
  });

  it('a script that ends without finish(): finished with exit code 0 (beforeExit)', async ({ expect }) => {
    const dir = tempDir();
    const exit = await runFixture('end', dir);
    expect(exit).toMatchObject({ code: 0, signal: null, stderr: '' });
    const run = openRun(dir);
    expect(run).toMatchObject({ state: 'finished', exitCode: 0 });
    expectFiveRows(run);
  });

  it('process.exitCode = 3, then the script ends: the run records exit code 3 (failed), the process exits 3', async ({ expect }) => {
    const dir = tempDir();
    const exit = await runFixture('exit-code', dir);
    expect(exit).toMatchObject({ code: 3, signal: null, stderr: '' });
    const run = openRun(dir);
    expect(run).toMatchObject({ state: 'failed', exitCode: 3 });
    expectFiveRows(run);
  });

  it('process.exit(4) without finish(): the run records exit code 4', async ({ expect }) => {
    const dir = tempDir();
    const exit = await runFixture('process-exit', dir);
    expect(exit).toMatchObject({ code: 4, signal: null, stderr: '' });
    const run = openRun(dir);
    expect(run).toMatchObject({ state: 'failed', exitCode: 4 });
    expectFiveRows(run);
  });

  for (const [signal, exitCode] of [
    ['SIGINT', 255],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal} while logging: the run records exit code ${exitCode} with every row, and the process still dies of ${signal}`, async ({ expect }) => {
      const dir = tempDir();
      const child = start('loop', dir);
      await child.waitFor((m) => m.ready === true);
      await child.waitFor((m) => typeof m.step === 'number' && m.step > 50);
      const lastSaid = child.lines.filter((line) => typeof line.message.step === 'number').pop()!.message.step as number;
      child.kill(signal);
      const exit = await child.exited;
      expect(exit).toMatchObject({ code: null, signal, stderr: '' });
      const run = openRun(dir);
      expect(run).toMatchObject({ state: 'failed', exitCode, corruptRecords: 0 });
      // finish() on the signal commits everything logged: at least every row the child had reported.
      const last = run.history.length - 1;
      expect(steps(run)).toEqual(range(last + 1));
      expect(run.history.map((row) => row.i)).toEqual(range(last + 1));
      expect(last + 1).toBeGreaterThanOrEqual(lastSaid);
    });
  }

  it('kill -9 while logging a row a millisecond: the log keeps contiguous rows and loses at most the last moments', async ({ expect }) => {
    const dir = tempDir();
    const child = start('loop', dir);
    const isReport = (line: Line): boolean => typeof line.message.step === 'number' && line.message.step > 0;
    await child.waitFor((m) => m.ready === true);
    // Let it log until some report is over a second old, so that one predates the kill by ≥ 1 s.
    await child.waitFor(() => child.lines.some((line) => isReport(line) && line.receivedAt <= Date.now() - 1200));
    const killedAt = Date.now();
    child.kill('SIGKILL');
    const exit = await child.exited;
    expect(exit).toMatchObject({ code: null, signal: 'SIGKILL' });

    const run = openRun(dir);
    expect(run.state).toBe('crashed'); // no exit record and the writer's pid is gone
    expect(run.exitCode).toBeNull();
    expect(run.corruptRecords).toBe(0);
    const last = run.history.length - 1;
    expect(last).toBeGreaterThan(0);
    expect(steps(run)).toEqual(range(last + 1));
    expect(run.history.map((row) => row.i)).toEqual(range(last + 1));
    // A report received ≥ 1 s before the kill says how many rows had been logged by then.
    const early = child.lines.filter((line) => isReport(line) && line.receivedAt <= killedAt - 1000).pop();
    expect(early).toBeDefined();
    const loggedBeforeThen = early!.message.step as number;
    expect(run.history[last]!._step).toBeGreaterThanOrEqual(loggedBeforeThen - 1);
  });

  it('SIGINT to a program with its own SIGINT handler: Cairn only flushes; the program decides and finishes', async ({ expect }) => {
    const dir = tempDir();
    const child = start('own-sigint', dir);
    await child.waitFor((m) => m.ready === true);
    await child.waitFor((m) => typeof m.step === 'number' && m.step > 50);
    child.kill('SIGINT');
    const exit = await child.exited;
    expect(exit).toMatchObject({ code: 0, signal: null, stderr: '' });
    const seen = exit.messages.find((m) => m.sigint !== undefined)!.sigint as { logged: number; onDisk: number; finished: boolean };
    // In the program's handler the run is still live, and every row logged so far is already on disk.
    expect(seen.finished).toBe(false);
    expect(seen.onDisk).toBe(seen.logged);
    const run = openRun(dir);
    expect(run).toMatchObject({ state: 'finished', exitCode: 0, corruptRecords: 0 });
    expect(steps(run)).toEqual(range(seen.logged + 1));
    expect(run.history.at(-1)).toMatchObject({ stopped: true, _step: seen.logged });
  });
});

describe.concurrent('resuming a run from another process', { timeout: 60_000 }, () => {
  it("resume: 'allow' continues a failed run: steps go on, config and summary carry over", async ({ expect }) => {
    const dir = tempDir();
    const first = await runFixture('throw', dir, { id: 'resumable', config: { lr: 0.1, layers: 2 } });
    expect(first.code).toBe(1);
    const second = await runFixture('finish', dir, { id: 'resumable', resume: 'allow', config: { batch: 64 }, losses: [0.6, 0.4] });
    expect(second).toMatchObject({ code: 0, stderr: '' });
    expect(second.messages[0]).toEqual({ id: 'resumable', resumed: true, startingStep: 5, config: { lr: 0.1, layers: 2, batch: 64 } });

    const run = openRun(dir);
    expect(run).toMatchObject({ id: 'resumable', resumed: true, state: 'finished', exitCode: 0, corruptRecords: 0 });
    expect(steps(run)).toEqual(range(7));
    expect(run.history.map((row) => row.loss)).toEqual([...DEFAULT_LOSSES, 0.6, 0.4]);
    expect(run.config).toEqual({ lr: 0.1, layers: 2, batch: 64 });
    // The min aggregate spans both processes, and the second read the first's summary back.
    expect(run.summary).toMatchObject({ loss: { min: 0.2 }, sessions: 2, _step: 6 });
    // One run directory holds both sessions.
    expect(readdirSync(path.join(dir, 'cairn')).filter((name) => name.includes('run-'))).toHaveLength(1);
  });

  it("resume: 'must' with an unknown id: init() rejects with CairnError 'run_not_found' and creates nothing", async ({ expect }) => {
    const dir = tempDir();
    const exit = await runFixture('finish', dir, { id: 'never-was', resume: 'must' });
    expect(exit).toMatchObject({ code: 2, stderr: '' });
    expect(exit.messages).toEqual([{ initError: 'run_not_found' }]);
    const cairn = path.join(dir, 'cairn');
    expect(existsSync(cairn) ? readdirSync(cairn) : []).toEqual([]);
  });

  it("resume: 'auto' after a kill -9 picks up the crashed run's id and continues it", async ({ expect }) => {
    const dir = tempDir();
    const crashed = await runFixture('kill-self', dir, { resume: 'auto' });
    expect(crashed.signal).toBe('SIGKILL');
    const crashedId = crashed.messages[0]!.id as string;
    expect(openRun(dir)).toMatchObject({ id: crashedId, state: 'crashed' });

    const again = await runFixture('finish', dir, { resume: 'auto', losses: [0.6, 0.4] });
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.messages[0]).toMatchObject({ id: crashedId, resumed: true, startingStep: 5 });
    const run = openRun(dir);
    expect(run).toMatchObject({ id: crashedId, resumed: true, state: 'finished', exitCode: 0 });
    expect(steps(run)).toEqual(range(7));
    expect(run.summary).toMatchObject({ loss: { min: 0.2 }, sessions: 2 });
  });

  it("resume: 'auto' after a clean finish (exit 0): the resume file is gone and the next run gets a new id", async ({ expect }) => {
    const dir = tempDir();
    const first = await runFixture('finish', dir, { resume: 'auto' });
    expect(first.code).toBe(0);
    const firstId = first.messages[0]!.id as string;
    expect(existsSync(path.join(dir, 'cairn', 'cairn-resume.json'))).toBe(false);

    const next = await runFixture('finish', dir, { resume: 'auto' });
    expect(next.code).toBe(0);
    expect(next.messages[0]).toMatchObject({ resumed: false, startingStep: 0 });
    expect(next.messages[0]!.id).not.toBe(firstId);
  });

  it('a torn last line is ignored by openRun, and a resumed writer truncates it before appending', async ({ expect }) => {
    const dir = tempDir();
    expect((await runFixture('finish', dir, { id: 'torn' })).code).toBe(0);
    const { logFile } = openRun(dir);
    const lines = readFileSync(logFile, 'utf8').split('\n');
    const historyLine = lines.find((line) => line.includes('"t":"history"'))!;
    // A writer killed mid-write leaves the start of a line without its newline.
    appendFileSync(logFile, historyLine.slice(0, Math.floor(historyLine.length / 2)));

    const torn = openRun(dir);
    expect(decodeRecordLog(readFileSync(logFile), crc32).tornTail).toBe(true);
    expect(torn).toMatchObject({ state: 'finished', exitCode: 0, corruptRecords: 0 });
    expectFiveRows(torn);

    const resumed = await runFixture('finish', dir, { id: 'torn', resume: 'allow', losses: [0.6, 0.4] });
    expect(resumed).toMatchObject({ code: 0, stderr: '' });
    const contents = decodeRecordLog(readFileSync(logFile), crc32);
    expect(contents.tornTail).toBe(false);
    expect(contents.corrupt).toEqual([]);
    expect(contents.records.filter(({ record }) => record.t === 'header')).toHaveLength(2);
    const run = openRun(dir);
    expect(run).toMatchObject({ resumed: true, state: 'finished', exitCode: 0, corruptRecords: 0 });
    expect(steps(run)).toEqual(range(7));
    expect(run.history.map((row) => row.loss)).toEqual([...DEFAULT_LOSSES, 0.6, 0.4]);
  });
});
