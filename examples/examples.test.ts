/**
 * Runs every example as a real `node` process in a fresh directory (CAIRN_DIR) and checks
 * what its run recorded, read back with openRun.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openRun, type LocalRun } from '@cairn/sdk';

const EXAMPLES_DIR = path.dirname(fileURLToPath(import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const run = promisify(execFile);
const tempDirs: string[] = [];

afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs examples/<name>.ts in a new temp dir that is also its CAIRN_DIR; rejects on a non-zero exit. */
async function runExample(name: string): Promise<{ dir: string; stdout: string; stderr: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `cairn-example-${name}-`));
  tempDirs.push(dir);
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('CAIRN_')) env[key] = value;
  Object.assign(env, { CAIRN_DIR: dir, CAIRN_SILENT: '1', CAIRN_MODE: 'offline' });
  const script = path.join(EXAMPLES_DIR, `${name}.ts`);
  const { stdout, stderr } = await run(process.execPath, ['--conditions=source', '--import', TSX_LOADER, script], { cwd: dir, env });
  return { dir, stdout, stderr };
}

/** The run directories under <dir>/cairn, oldest first (names start with the start time). */
function runDirs(dir: string): string[] {
  return readdirSync(path.join(dir, 'cairn'))
    .filter((name) => name.startsWith('offline-run-'))
    .sort()
    .map((name) => path.join(dir, 'cairn', name));
}

/** A row without the keys whose values depend on the clock. */
function withoutTimes(row: Record<string, unknown>): Record<string, unknown> {
  const { _runtime, _timestamp, ...rest } = row;
  expect(typeof _runtime).toBe('number');
  expect(typeof _timestamp).toBe('number');
  return rest;
}

function expectFinishedCleanly(back: LocalRun): void {
  expect(back.state).toBe('finished');
  expect(back.exitCode).toBe(0);
  expect(back.mode).toBe('offline');
  expect(back.resumed).toBe(false);
  expect(back.corruptRecords).toBe(0);
}

describe('run-api.md examples, each run as a node process', () => {
  it('run-object-basic: init() alone makes a run that finishes at exit with no rows', async () => {
    const { dir, stdout, stderr } = await runExample('run-object-basic');
    expect(stderr).toBe('');
    const back = openRun(dir);
    expect(back.id).toBe((JSON.parse(stdout) as { id: string }).id);
    expect(runDirs(dir)).toHaveLength(1);
    expectFinishedCleanly(back);
    expect(back.history).toEqual([]);
    expect(back.config).toEqual({});
    expect(back.summary).toEqual({});
  });

  it('global-run-object: cairn.run is null before init() and the run after (asserted in the script)', async () => {
    const { dir, stderr } = await runExample('global-run-object');
    expect(stderr).toBe('');
    expect(runDirs(dir)).toHaveLength(1);
    const back = openRun(dir);
    expectFinishedCleanly(back);
    expect(back.history).toEqual([]);
  });

  it('run-context-manager: finish(), withRun and `await using` each finish their run; no run is left active', async () => {
    const { dir, stderr } = await runExample('run-context-manager');
    expect(stderr).toBe('');
    const runs = runDirs(dir).map((runDir) => openRun(runDir));
    expect(runs).toHaveLength(3);
    expect(new Set(runs.map((r) => r.id)).size).toBe(3);
    for (const back of runs) {
      expectFinishedCleanly(back);
      expect(back.history).toEqual([]);
    }
  });

  it('init-and-log-basic: one row { accuracy: 0.9, epoch: 5 } at step 0', async () => {
    const { dir, stderr } = await runExample('init-and-log-basic');
    expect(stderr).toBe('');
    const back = openRun(dir);
    expectFinishedCleanly(back);
    expect(back.history.map(withoutTimes)).toEqual([{ accuracy: 0.9, epoch: 5, _step: 0 }]);
    expect(withoutTimes(back.summary)).toEqual({ accuracy: 0.9, epoch: 5, _step: 0 });
    expect(back.config).toEqual({});
  });

  it('init-and-log-incremental: log(commit: false) then log() make exactly one row', async () => {
    const { dir, stderr } = await runExample('init-and-log-incremental');
    expect(stderr).toBe('');
    const back = openRun(dir);
    expectFinishedCleanly(back);
    expect(back.history.map(withoutTimes)).toEqual([{ loss: 0.2, accuracy: 0.8, _step: 0 }]);
    expect(withoutTimes(back.summary)).toEqual({ loss: 0.2, accuracy: 0.8, _step: 0 });
  });

  it('quickstart: 12 epochs × 25 batches of training rows, a val row per epoch, and a model that learned', async () => {
    const { dir, stdout, stderr } = await runExample('quickstart');
    expect(stderr).toBe('');
    const back = openRun(dir);
    expectFinishedCleanly(back);
    expect(back.project).toBe('quickstart');
    expect(stdout).toContain(`(${back.id}) is in ${back.dir}`);
    expect(stdout).toContain(`openRun(${JSON.stringify(back.dir)}) → 312 rows`);
    expect(back.config).toEqual({ learningRate: 0.5, epochs: 12, batchSize: 32, trainSize: 800, valSize: 200, seed: 7 });
    expect(back.metrics).toEqual([
      { name: 'epoch' },
      { name: 'val/*', stepMetric: 'epoch', stepSync: true },
      { name: 'train/loss', summary: ['min', 'last'] },
    ]);

    // One row per log() call: _step runs 0..311 with no gap; every 26th row is the epoch's validation.
    expect(back.history.map((row) => row._step)).toEqual(Array.from({ length: 312 }, (_, i) => i));
    const trainRows = back.history.filter((row) => 'train/loss' in row);
    const valRows = back.history.filter((row) => 'val/loss' in row);
    expect(trainRows).toHaveLength(300);
    expect(valRows.map((row) => [row._step, row.epoch])).toEqual(Array.from({ length: 12 }, (_, i) => [26 * i + 25, i + 1]));
    for (const row of trainRows) expect(Object.keys(withoutTimes(row)).sort()).toEqual(['_step', 'train/acc', 'train/loss']);
    for (const row of valRows) expect(Object.keys(withoutTimes(row)).sort()).toEqual(['_step', 'epoch', 'val/acc', 'val/loss']);

    // The first batch meets an all-zero model: loss ln 2; training must bring it well down.
    const trainLoss = trainRows.map((row) => row['train/loss'] as number);
    expect(trainLoss[0]).toBeCloseTo(Math.LN2, 12);
    const lastValRow = valRows[valRows.length - 1]!;
    expect(lastValRow['val/acc']).toBeGreaterThan(0.85);
    // One alert, at the first epoch whose validation accuracy reached 90%.
    const alerts = readFileSync(path.join(back.dir, `run-${back.id}.cairn`), 'utf8').split('\n').filter((line) => line.includes('"t":"alert"'));
    const firstAbove = valRows.find((row) => (row['val/acc'] as number) >= 0.9);
    expect(alerts).toHaveLength(firstAbove ? 1 : 0);
    if (firstAbove) expect(alerts[0]).toContain(`after epoch ${String(firstAbove.epoch)}`);
    expect(lastValRow['val/loss']).toBeLessThan(0.35);

    // Summary: train/loss aggregated as { min, last }; the rest is the last value logged.
    const lastTrainRow = trainRows[trainRows.length - 1]!;
    const { weights, ...summary } = withoutTimes(back.summary);
    expect(summary).toEqual({
      'train/loss': { min: Math.min(...trainLoss), last: lastTrainRow['train/loss'] },
      'train/acc': lastTrainRow['train/acc'],
      epoch: 12,
      'val/loss': lastValRow['val/loss'],
      'val/acc': lastValRow['val/acc'],
      _step: 311,
    });
    expect(weights).toHaveLength(3);
  });
});
