/**
 * CAIRN_ENTITY, CAIRN_RUN_ID and CAIRN_API_KEY through init(), on real runs: where each
 * value ends up, and (for the API key) where it must not.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isCairnError } from '@cairn/protocol';
import { init, run as activeRun } from './init.js';
import { openRun } from './read.js';
import { captureStderr, rejection, tempDir } from './test-support/index.js';

/** Sets these CAIRN_* variables and clears every other one the test process has, until the test ends. */
function cairnEnv(vars: Record<string, string>): void {
  for (const name of Object.keys(process.env)) if (name.startsWith('CAIRN_')) vi.stubEnv(name, undefined);
  for (const [name, value] of Object.entries(vars)) vi.stubEnv(name, value);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

/** Every regular file under `dir`, at any depth (symbolic links, such as latest-run, are not followed). */
function filesUnder(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    const stat = lstatSync(full);
    if (stat.isDirectory()) files.push(...filesUnder(full));
    else if (stat.isFile()) files.push(full);
  }
  return files;
}

describe('CAIRN_ENTITY and CAIRN_RUN_ID', () => {
  it('name the run: its entity, id and path, its run directory and log, and what openRun reads back', async () => {
    const dir = tempDir();
    cairnEnv({ CAIRN_DIR: dir, CAIRN_MODE: 'offline', CAIRN_SILENT: 'true', CAIRN_ENTITY: 'env-team', CAIRN_RUN_ID: 'env-run-7' });
    const run = await init({ project: 'p' });
    expect(run.settings).toMatchObject({ entity: 'env-team', id: 'env-run-7' });
    expect(run).toMatchObject({ entity: 'env-team', id: 'env-run-7', path: 'env-team/p/env-run-7' });
    expect(path.dirname(run.runDir!)).toBe(path.join(dir, 'cairn'));
    expect(path.basename(run.runDir!)).toMatch(/^offline-run-\d{8}_\d{6}-env-run-7$/);
    expect(readdirSync(run.runDir!)).toContain('run-env-run-7.cairn');
    run.log({ loss: 1 });
    await run.finish();
    const back = openRun(dir);
    expect(back).toMatchObject({ id: 'env-run-7', entity: 'env-team', project: 'p', dir: run.runDir });
    expect(back.history).toHaveLength(1);
  });

  it('init options win over them', async () => {
    cairnEnv({ CAIRN_DIR: tempDir(), CAIRN_MODE: 'offline', CAIRN_SILENT: 'true', CAIRN_ENTITY: 'env-team', CAIRN_RUN_ID: 'env-run' });
    const run = await init({ project: 'p', entity: 'option-team', id: 'option-run' });
    expect(run).toMatchObject({ entity: 'option-team', id: 'option-run', path: 'option-team/p/option-run' });
    await run.finish();
    expect(openRun(run.runDir!)).toMatchObject({ id: 'option-run', entity: 'option-team' });
  });

  it('CAIRN_RUN_ID with CAIRN_RESUME continues the same run in a later process', async () => {
    const dir = tempDir();
    cairnEnv({ CAIRN_DIR: dir, CAIRN_MODE: 'offline', CAIRN_SILENT: 'true', CAIRN_RUN_ID: 'preemptible', CAIRN_RESUME: 'allow' });
    const first = await init({ project: 'p' });
    first.log({ loss: 0.5 });
    await first.finish(1);
    const second = await init({ project: 'p' });
    expect(second).toMatchObject({ id: 'preemptible', resumed: true, startingStep: 1, runDir: first.runDir });
    second.log({ loss: 0.25 });
    await second.finish();
    expect(openRun(dir).history.map((row) => [row._step, row.loss])).toEqual([[0, 0.5], [1, 0.25]]);
  });

  it('an invalid CAIRN_RUN_ID is refused like an invalid id option, before anything is written', async () => {
    const dir = tempDir();
    cairnEnv({ CAIRN_DIR: dir, CAIRN_MODE: 'offline', CAIRN_SILENT: 'true', CAIRN_RUN_ID: 'team/run' });
    const error = await rejection(init({ project: 'p' }));
    expect(isCairnError(error, 'usage')).toBe(true);
    expect((error as Error).message).toMatch(/^init\(\): invalid run id "team\/run"/);
    expect(activeRun).toBeNull();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('CAIRN_API_KEY', () => {
  const KEY = 'cairn_test_key_5f3b9e0c71d2a84e';

  it('reaches run.settings, and is neither printed nor written into the run directory', async () => {
    const dir = tempDir();
    // An empty config dir: no key saved by `cairn login` can stand in for the variable.
    cairnEnv({ CAIRN_DIR: dir, CAIRN_MODE: 'offline', CAIRN_API_KEY: KEY, CAIRN_CONFIG_DIR: tempDir() });
    const stderr = captureStderr();
    const run = await init({ project: 'p', silent: false, config: { lr: 0.1 } });
    expect(run.settings.apiKey).toBe(KEY);
    run.log({ loss: 1 });
    run.summary.best = 1;
    await run.finish();
    const printed = stderr.join('');
    expect(printed).toMatch(/cairn: tracking run .* offline in /);
    expect(printed).not.toContain(KEY);
    const written = filesUnder(dir).map((file) => path.relative(run.runDir!, file)).sort();
    // Everything a run writes, console output included, is searched.
    expect(written).toEqual([
      'files/cairn-metadata.json',
      'files/cairn-summary.json',
      'files/config.yaml',
      'files/output.log',
      `run-${run.id}.cairn`,
    ]);
    for (const file of filesUnder(dir)) expect(readFileSync(file, 'latin1'), file).not.toContain(KEY);
  });

  it('an apiKey option wins over CAIRN_API_KEY; without either, settings.apiKey is null', async () => {
    cairnEnv({ CAIRN_DIR: tempDir(), CAIRN_MODE: 'offline', CAIRN_SILENT: 'true', CAIRN_API_KEY: KEY, CAIRN_CONFIG_DIR: tempDir() });
    const withOption = await init({ project: 'p', apiKey: 'cairn_from_option' });
    expect(withOption.settings.apiKey).toBe('cairn_from_option');
    await withOption.finish();
    vi.stubEnv('CAIRN_API_KEY', undefined);
    const without = await init({ project: 'p' });
    expect(without.settings.apiKey).toBeNull();
    await without.finish();
  });
});
