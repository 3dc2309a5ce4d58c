/**
 * The reference's snake_case names, defined once in aliases.ts, on real runs: methods,
 * attributes and option keys keep working everywhere, though the config and metric code
 * behind them reads camelCase names only.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isCairnError } from '@cairn/protocol';
import cairn from './index.js';
import { openRun } from './read.js';
import type { Run } from './run.js';
import { startRun, thrown } from './test-support/index.js';

/** The run's snake_case methods, which TypeScript does not know about. */
function snake(run: Run): { define_metric: Run['defineMetric'] } {
  return run as unknown as { define_metric: Run['defineMetric'] };
}

/** Rows as logged, without the keys whose values depend on the clock. */
function rowsOf(run: Run): Array<Record<string, unknown>> {
  return openRun(run.runDir!).history.map(({ _runtime: _r, _timestamp: _t, ...rest }) => rest);
}

describe('snake_case names of methods, attributes and init options', () => {
  it('accepts the reference snake_case names in one table', async () => {
    const run = await startRun({ job_type: 'train', config_exclude_keys: ['secret'], config: { lr: 1, secret: 2 } } as never);
    expect(run.jobType).toBe('train');
    expect(run.config.asDict()).toEqual({ lr: 1 });
    const metric = snake(run).define_metric('acc', { step_metric: 'epoch' });
    expect(metric.stepMetric).toBe('epoch');
    expect((run as unknown as { start_time: number }).start_time).toBe(run.startTime);
    expect((run as unknown as { starting_step: number }).starting_step).toBe(0);
    expect((cairn as unknown as { define_metric: typeof cairn.defineMetric }).define_metric('loss').name).toBe('loss');
    const config = run.config as unknown as { as_dict(): object; setdefaults(d: object): void; update_locked(d: object, u: string): void };
    config.setdefaults({ lr: 5, momentum: 0.9 });
    config.update_locked({ seed: 1 }, 'sweep');
    expect(config.as_dict()).toEqual({ lr: 1, momentum: 0.9, seed: 1 });
    await run.finish();
  });
});

describe('defineMetric: step_metric and step_sync', () => {
  it("define_metric('x', { step_metric, step_sync: true }) defines, stores and syncs like the camelCase names", async () => {
    const run = await startRun();
    const metric = snake(run).define_metric('x', { step_metric: 'epoch', step_sync: true });
    expect(metric).toMatchObject({ name: 'x', stepMetric: 'epoch', stepSync: true });
    run.log({ epoch: 1 });
    run.log({ x: 0.5 });
    await run.finish();
    expect(openRun(run.runDir!).metrics).toEqual([{ name: 'x', stepMetric: 'epoch', stepSync: true }]);
    // step_sync put the epoch into the row that only had x.
    expect(rowsOf(run)).toEqual([
      { epoch: 1, _step: 0 },
      { x: 0.5, epoch: 1, _step: 1 },
    ]);
  });

  it('keeps an explicit step_sync: false, through the module and the run', async () => {
    const run = await startRun();
    const defineMetric = (cairn as unknown as { define_metric: Run['defineMetric'] }).define_metric;
    expect(defineMetric('y', { step_metric: 'epoch', step_sync: false })).toMatchObject({ stepMetric: 'epoch', stepSync: false });
    run.log({ epoch: 1 });
    run.log({ y: 2 });
    await run.finish();
    expect(openRun(run.runDir!).metrics).toEqual([{ name: 'y', stepMetric: 'epoch', stepSync: false }]);
    expect(rowsOf(run)[1]).toEqual({ y: 2, _step: 1 });
  });

  it('refuses both spellings of one option with different values, and takes equal ones', async () => {
    const run = await startRun();
    const error = thrown(() => run.defineMetric('x', { stepMetric: 'a', step_metric: 'b' }));
    expect(isCairnError(error, 'invalid_argument')).toBe(true);
    expect((error as Error).message).toBe("defineMetric(): 'step_metric' and 'stepMetric' are the same option and were given different values; pass only 'stepMetric'");
    expect(run.defineMetric('x', { stepMetric: 'a', step_metric: 'a' })).toMatchObject({ stepMetric: 'a' });
    await run.finish();
    expect(openRun(run.runDir!).metrics).toEqual([{ name: 'x', stepMetric: 'a', stepSync: true }]);
  });
});

describe('config: allow_val_change', () => {
  it('config.update(d, { allow_val_change: true }) changes a set value, and it is recorded', async () => {
    const run = await startRun({ config: { lr: 0.01 } });
    expect(isCairnError(thrown(() => run.config.update({ lr: 0.02 })), 'config_value_locked')).toBe(true);
    run.config.update({ lr: 0.02 }, { allow_val_change: true });
    expect(run.config.lr).toBe(0.02);
    await run.finish();
    expect(openRun(run.runDir!).config).toEqual({ lr: 0.02 });
    expect(readFileSync(path.join(run.dir, 'config.yaml'), 'utf8')).toMatch(/lr:\n {2}value: 0.02/);
  });

  it('allow_val_change: false forbids a change even when init allowed them', async () => {
    const run = await startRun({ allowValChange: true, config: { lr: 0.01 } });
    const error = thrown(() => run.config.update({ lr: 0.02 }, { allow_val_change: false }));
    expect(isCairnError(error, 'config_value_locked')).toBe(true);
    expect(run.config.lr).toBe(0.01);
    await run.finish();
  });

  it('init({ allow_val_change: true }) lets every config write change values', async () => {
    const run = await startRun({ allow_val_change: true, config: { lr: 0.01 } } as never);
    expect(run.settings.allowValChange).toBe(true);
    run.config.lr = 0.02;
    run.config.update({ lr: 0.03 });
    expect(run.config.lr).toBe(0.03);
    await run.finish();
    expect(openRun(run.runDir!).config).toEqual({ lr: 0.03 });
  });
});
