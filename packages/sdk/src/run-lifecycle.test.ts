import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isCairnError } from '@cairn/protocol';
import cairn, * as sdk from './index.js';
import { openRun } from './read.js';
import type { Run } from './run.js';
import { captureStderr, recordsOnDisk, rejection, startRun, tempDir, thrown } from './test-support/index.js';

describe('init() and the active run', () => {
  it('makes the run global while it is active and resets everything at finish', async () => {
    expect(sdk.run).toBeNull();
    const run = await startRun();
    expect(sdk.run).toBe(run);
    expect(cairn.run).toBe(run);
    expect(sdk.config).toBe(run.config);
    expect(sdk.summary).toBe(run.summary);
    sdk.log({ a: 1 });
    await sdk.finish();
    expect(sdk.run).toBeNull();
    expect(cairn.run).toBeNull();
    expect(isCairnError(thrown(() => sdk.log({ a: 1 })), 'no_active_run')).toBe(true);
    expect(thrown(() => sdk.config.lr)).toMatchObject({ code: 'no_active_run', message: expect.stringMatching(/call init\(\) first/) });
    expect(isCairnError(thrown(() => (sdk.summary.x = 1)), 'no_active_run')).toBe(true);
    expect(openRun(run.runDir!).history).toHaveLength(1);
  });

  it('module functions before init say to call init() first', () => {
    expect(thrown(() => sdk.log({ a: 1 }))).toMatchObject({ code: 'no_active_run', message: 'log() needs an active run: call init() first' });
    expect(isCairnError(thrown(() => sdk.defineMetric('a')), 'no_active_run')).toBe(true);
  });

  it('a second init returns the active run unchanged and warns; reinit finishes it first', async () => {
    const stderr = captureStderr();
    const first = await startRun({ silent: false, config: { lr: 1 } });
    const again = await sdk.init({ config: { lr: 2 }, project: 'other' });
    expect(again).toBe(first);
    expect(first.config.lr).toBe(1);
    expect(stderr.join('')).toMatch(/still active.*reinit: true/);
    const second = await sdk.init({ reinit: true, mode: 'offline', silent: true, dir: tempDir() });
    expect(second).not.toBe(first);
    expect(first.isFinished).toBe(true);
    expect(openRun(first.runDir!).state).toBe('finished');
    await second.finish();
  });

  it('finish is idempotent; finish with a code marks the run failed', async () => {
    const run = await startRun();
    run.log({ a: 1 });
    await run.finish(2);
    await run.finish(0);
    const back = openRun(run.runDir!);
    expect(back.exitCode).toBe(2);
    expect(back.state).toBe('failed');
    expect(recordsOnDisk(run).filter((r) => r.t === 'exit')).toHaveLength(1);
  });

  it('join() is an alias of finish()', async () => {
    const run = await startRun();
    await run.join();
    expect(openRun(run.runDir!).state).toBe('finished');
  });

  it('withRun finishes with 0, or with 1 and rethrows', async () => {
    const dir = tempDir();
    const value = await sdk.withRun({ mode: 'offline', silent: true, dir }, (run) => {
      run.log({ ok: 1 });
      return 42;
    });
    expect(value).toBe(42);
    expect(openRun(dir).exitCode).toBe(0);
    expect(sdk.run).toBeNull();
    const failing = sdk.withRun({ mode: 'offline', silent: true, dir, reinit: true }, async () => {
      throw new Error('boom');
    });
    await expect(failing).rejects.toThrow('boom');
    expect(openRun(dir).exitCode).toBe(1);
    expect(sdk.run).toBeNull();
  });

  it('await using finishes the run at the end of the block', async () => {
    const dir = tempDir();
    {
      await using run = await sdk.init({ mode: 'offline', silent: true, dir });
      run.log({ a: 1 });
    }
    expect(sdk.run).toBeNull();
    expect(openRun(dir).state).toBe('finished');
  });

  it('await using finishes the run when the block throws, and the error goes on', async () => {
    const dir = tempDir();
    const failing = (async () => {
      await using run = await sdk.init({ mode: 'offline', silent: true, dir });
      run.log({ a: 1 });
      throw new Error('boom');
    })();
    await expect(failing).rejects.toThrow('boom');
    expect(sdk.run).toBeNull();
    const back = openRun(dir);
    expect(back.state).toBe('finished');
    expect(back.history).toHaveLength(1);
    // A disposer is not told why its block ended (JavaScript passes it nothing), so the exit
    // code is 0 here; withRun is the form that records 1 (the test above).
    expect(back.exitCode).toBe(0);
  });

  it('markPreempting is recorded and written at once', async () => {
    const run = await startRun();
    run.markPreempting();
    expect(recordsOnDisk(run).some((r) => r.t === 'preempting')).toBe(true);
    await run.finish();
  });

});

describe('finish(exitCode, { quiet })', () => {
  /** Finishes a run that logged two rows, with what it printed at finish and its output.log. */
  async function finishOutput(finishRun: (run: Run) => Promise<void>): Promise<{ run: Run; printed: string; outputLog: string }> {
    const stderr = captureStderr();
    const run = await startRun({ silent: false });
    run.log({ loss: 0.25, acc: 0.5 });
    run.log({ loss: 0.125, acc: 0.75 });
    const before = stderr.length;
    await finishRun(run);
    return { run, printed: stderr.slice(before).join(''), outputLog: readFileSync(path.join(run.dir, 'output.log'), 'utf8') };
  }

  function closingLine(run: Run, status: string): string {
    return `cairn: run ${run.name} (${run.id}) ${status} after X.Xs, 2 steps. Read it back with openRun(${JSON.stringify(run.runDir)})\n`;
  }

  /** The runtime in the closing line is the clock's: X.X stands for it. */
  function withoutRuntime(text: string): string {
    return text.replace(/after \d+\.\ds,/g, 'after X.Xs,');
  }

  it('prints the summary line, then the closing line, by default', async () => {
    const { run, printed, outputLog } = await finishOutput((r) => r.finish(0));
    const expected = `cairn: summary: loss=0.125 acc=0.75\n${closingLine(run, 'finished')}`;
    expect(withoutRuntime(printed)).toBe(expected);
    expect(withoutRuntime(outputLog).endsWith(expected)).toBe(true);
  });

  it('quiet: true leaves out the summary line and keeps the closing line', async () => {
    const { run, printed, outputLog } = await finishOutput((r) => r.finish(0, { quiet: true }));
    expect(withoutRuntime(printed)).toBe(closingLine(run, 'finished'));
    expect(withoutRuntime(outputLog).endsWith(closingLine(run, 'finished'))).toBe(true);
    expect(outputLog).not.toMatch(/summary:/);
    expect(openRun(run.runDir!)).toMatchObject({ state: 'finished', exitCode: 0, summary: { loss: 0.125, acc: 0.75 } });
  });

  it('quiet: false prints the summary like the default, here of a failed run', async () => {
    const { run, printed } = await finishOutput((r) => r.finish(3, { quiet: false }));
    expect(withoutRuntime(printed)).toBe(`cairn: summary: loss=0.125 acc=0.75\n${closingLine(run, 'failed with exit code 3')}`);
  });

  it('quiet: true still says that the run failed, and with which exit code', async () => {
    const { run, printed } = await finishOutput((r) => r.finish(3, { quiet: true }));
    expect(withoutRuntime(printed)).toBe(closingLine(run, 'failed with exit code 3'));
    expect(openRun(run.runDir!)).toMatchObject({ state: 'failed', exitCode: 3 });
  });

  it('the module finish() passes quiet on to the active run', async () => {
    const { run, printed } = await finishOutput(() => sdk.finish(0, { quiet: true }));
    expect(withoutRuntime(printed)).toBe(closingLine(run, 'finished'));
    expect(sdk.run).toBeNull();
  });
});

describe('init() options', () => {
  it.each([
    [{ mode: 'fast' }, 'usage', /mode must be 'online', 'offline' or 'disabled'/],
    [{ resume: 3 }, 'usage', /resume must be/],
    [{ project: 'a/b' }, 'usage', /invalid project name/],
    [{ id: 'has space ' }, 'usage', /invalid run id/],
    [{ tags: ['ok', ''] }, 'usage', /every tag/],
    [{ colour: 'red' }, 'usage', /unknown option 'colour'/],
    [{ configIncludeKeys: ['a'], configExcludeKeys: ['b'] }, 'usage', /either configIncludeKeys or configExcludeKeys/],
  ])('rejects %j', async (options, code, message) => {
    const error = await rejection(sdk.init({ silent: true, dir: tempDir(), ...(options as object) }));
    expect(isCairnError(error, code as 'usage')).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect(sdk.run).toBeNull();
  });

  it('exposes every attribute of the reference', async () => {
    const run = await startRun({ name: 'my-run', project: 'proj', entity: 'team', group: 'g', jobType: 'train', tags: ['a', 'b'], notes: 'hi' });
    expect(run.id).toMatch(/^[0-9a-z]{8}$/);
    expect(run).toMatchObject({ name: 'my-run', project: 'proj', entity: 'team', group: 'g', jobType: 'train', notes: 'hi', mode: 'offline' });
    expect(run.tags).toEqual(['a', 'b']);
    expect(run.path).toBe(`team/proj/${run.id}`);
    expect(run.projectName()).toBe('proj');
    expect(run.resumed).toBe(false);
    expect(run.startingStep).toBe(0);
    expect(run.step).toBe(0);
    expect(run.sweepId).toBeNull();
    expect(Math.abs(run.startTime - Date.now() / 1000)).toBeLessThan(60);
    expect(run.url).toBeNull();
    expect(run.getProjectUrl()).toBeNull();
    expect(run.getSweepUrl()).toBeNull();
    expect(Object.isFrozen(run.settings)).toBe(true);
    expect(run.settings.project).toBe('proj');
    expect(run.dir).toBe(path.join(run.runDir!, 'files'));
    expect(run.history.step).toBe(0);
    run.log({ a: 1 });
    run.log({ b: 2 }, { commit: false });
    expect(run.history.rows().map((row) => row._step)).toEqual([0]);
    await run.finish();
  });

  it('generates an adjective-noun-N name and an entity-less path', async () => {
    const run = await startRun();
    expect(run.name).toMatch(/^[a-z]+-[a-z]+-1$/);
    expect(run.path).toBe(`test/${run.id}`);
    await run.finish();
  });

  it('name, notes and tags can be changed and are recorded', async () => {
    const run = await startRun({ name: 'before' });
    run.name = 'after';
    run.notes = 'note';
    run.tags = ['x'];
    await run.finish();
    expect(openRun(run.runDir!)).toMatchObject({ name: 'after', notes: 'note', tags: ['x'] });
  });

  it('reads CAIRN_* environment variables; init options win', async () => {
    const dir = tempDir();
    const saved = { ...process.env };
    Object.assign(process.env, {
      CAIRN_DIR: dir,
      CAIRN_PROJECT: 'from-env',
      CAIRN_MODE: 'offline',
      CAIRN_TAGS: 'x, y',
      CAIRN_RUN_GROUP: 'grp',
      CAIRN_JOB_TYPE: 'eval',
      CAIRN_NOTES: 'env notes',
      CAIRN_NAME: 'env-name',
      CAIRN_SILENT: 'true',
    });
    try {
      const run = await sdk.init({ jobType: 'train' });
      expect(run).toMatchObject({ project: 'from-env', mode: 'offline', group: 'grp', jobType: 'train', notes: 'env notes', name: 'env-name' });
      expect(run.tags).toEqual(['x', 'y']);
      expect(run.runDir!.startsWith(path.join(dir, 'cairn'))).toBe(true);
      await run.finish();
    } finally {
      process.env = saved;
    }
  });

  it('online mode with no server named and none at the default URL falls back to offline, saying how to sync', async (context) => {
    const answering = await fetch('http://127.0.0.1:8080/api/v1/viewer', { signal: AbortSignal.timeout(500) }).then(
      () => true,
      () => false,
    );
    if (answering || process.env.CAIRN_BASE_URL) context.skip();
    const stderr = captureStderr();
    const run = await sdk.init({ dir: tempDir(), project: 'p' });
    expect(run.mode).toBe('offline');
    expect(path.basename(run.runDir!)).toMatch(/^offline-run-\d{8}_\d{6}-[0-9a-z]{8}$/);
    expect(stderr.join('')).toMatch(/no Cairn server answers at http:\/\/127\.0\.0\.1:8080.*npx cairn server.*npx cairn sync/);
    expect(run.url).toBeNull();
    await run.finish();
  });
});

describe('the run directory', () => {
  it('lays out the log, files/ and latest-run', async () => {
    const dir = tempDir();
    const run = await sdk.init({ mode: 'offline', silent: true, dir, config: { lr: 0.1 } });
    run.log({ loss: 1 });
    run.flush();
    const cairnDir = path.join(dir, 'cairn');
    expect(path.basename(run.runDir!)).toMatch(new RegExp(`^offline-run-\\d{8}_\\d{6}-${run.id}$`));
    expect(readlinkSync(path.join(cairnDir, 'latest-run'))).toBe(path.basename(run.runDir!));
    expect(readdirSync(run.runDir!).sort()).toEqual(['files', `run-${run.id}.cairn`]);
    // Kept current while the run is live.
    expect(readFileSync(path.join(run.dir, 'config.yaml'), 'utf8')).toMatch(/lr:\n {2}value: 0.1/);
    expect(JSON.parse(readFileSync(path.join(run.dir, 'cairn-summary.json'), 'utf8'))).toMatchObject({ loss: 1, _step: 0 });
    const metadata = JSON.parse(readFileSync(path.join(run.dir, 'cairn-metadata.json'), 'utf8'));
    expect(metadata).toMatchObject({ node: process.version, pid: process.pid, state: 'running' });
    expect(typeof metadata.host).toBe('string');
    await run.finish();
    expect(JSON.parse(readFileSync(path.join(run.dir, 'cairn-metadata.json'), 'utf8'))).toMatchObject({ state: 'finished', exitCode: 0 });
  });

  it('openRun finds runs by run directory, log file, cairn/ and its parent', async () => {
    const dir = tempDir();
    const run = await sdk.init({ mode: 'offline', silent: true, dir });
    run.log({ a: 1 });
    await run.finish();
    const logFile = path.join(run.runDir!, `run-${run.id}.cairn`);
    for (const where of [dir, path.join(dir, 'cairn'), run.runDir!, logFile]) expect(openRun(where).id).toBe(run.id);
    expect(isCairnError(thrown(() => openRun(path.join(dir, 'nope'))), 'run_not_found')).toBe(true);
    expect(isCairnError(thrown(() => openRun(tempDir())), 'run_not_found')).toBe(true);
  });
});

describe('resume of a local run', () => {
  it("continues steps, config and summary with resume: 'allow'", async () => {
    const dir = tempDir();
    const first = await sdk.init({ mode: 'offline', silent: true, dir, id: 'resumable', config: { lr: 0.1 } });
    first.defineMetric('loss', { summary: 'min' });
    first.log({ loss: 0.5 });
    first.log({ loss: 0.2 });
    await first.finish();
    const second = await sdk.init({ mode: 'offline', silent: true, dir, id: 'resumable', resume: 'allow', config: { batch: 8 } });
    expect(second.resumed).toBe(true);
    expect(second.startingStep).toBe(2);
    expect(second.step).toBe(2);
    expect(second.config.asDict()).toEqual({ lr: 0.1, batch: 8 });
    expect(second.summary.loss.min).toBe(0.2);
    second.log({ loss: 0.3 });
    await second.finish();
    const back = openRun(dir);
    expect(back.history.map((r) => [r._step, r.loss])).toEqual([[0, 0.5], [1, 0.2], [2, 0.3]]);
    expect(back.summary.loss).toEqual({ min: 0.2 });
    expect(back.resumed).toBe(true);
    const headers = readFileSync(back.logFile, 'utf8').split('\n').filter((line) => line.includes('"t":"header"'));
    expect(headers).toHaveLength(2);
    expect(new Set(headers.map((line) => JSON.parse(line.slice(9)).writerId)).size).toBe(1);
    expect(back.history[2]!._runtime as number).toBeGreaterThanOrEqual(back.history[1]!._runtime as number);
  });

  it("resume: 'must' with an unknown id and 'never' with an existing id are errors", async () => {
    const dir = tempDir();
    const missing = await rejection(sdk.init({ mode: 'offline', silent: true, dir, id: 'ghost', resume: 'must' }));
    expect(isCairnError(missing, 'run_not_found')).toBe(true);
    expect((missing as Error).message).toMatch(/no run 'ghost'/);
    const run = await sdk.init({ mode: 'offline', silent: true, dir, id: 'taken' });
    await run.finish();
    const exists = await rejection(sdk.init({ mode: 'offline', silent: true, dir, id: 'taken', resume: 'never' }));
    expect(isCairnError(exists, 'run_exists')).toBe(true);
  });

  it("resume: 'auto' reuses the id of a run that did not finish cleanly", async () => {
    const dir = tempDir();
    const crashed = await sdk.init({ mode: 'offline', silent: true, dir, resume: 'auto' });
    crashed.log({ a: 1 });
    await crashed.finish(1);
    const again = await sdk.init({ mode: 'offline', silent: true, dir, resume: 'auto' });
    expect(again.id).toBe(crashed.id);
    expect(again.resumed).toBe(true);
    await again.finish(0);
    expect(existsSync(path.join(dir, 'cairn', 'cairn-resume.json'))).toBe(false);
    const fresh = await sdk.init({ mode: 'offline', silent: true, dir, resume: 'auto' });
    expect(fresh.id).not.toBe(crashed.id);
    expect(fresh.resumed).toBe(false);
    await fresh.finish();
  });
});

describe("mode: 'disabled'", () => {
  it('writes nothing and keeps config and summary in memory', async () => {
    const dir = tempDir();
    const run = await sdk.init({ mode: 'disabled', dir, config: { lr: 1 } });
    expect(run.disabled).toBe(true);
    expect(run.name).toBe(`dummy-${run.id}`);
    run.log({ loss: 0.5 });
    run.log({ acc: 1 });
    expect(run.step).toBe(0);
    expect(run.summary.loss).toBe(0.5);
    expect(run.summary.acc).toBe(1);
    expect(run.config.lr).toBe(1);
    run.defineMetric('loss', { summary: 'min' });
    await run.finish();
    expect(sdk.run).toBeNull();
    expect(existsSync(path.join(dir, 'cairn'))).toBe(false);
  });
});
