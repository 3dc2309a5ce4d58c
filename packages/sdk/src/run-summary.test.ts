import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isCairnError } from '@cairn/protocol';
import * as sdk from './index.js';
import { openRun } from './read.js';
import { captureStderr, startRun, tempDir, thrown } from './test-support/index.js';

describe('summary through a run (behaviour.md 3, choices table)', () => {
  it('holds the last value of every key, including _step, _runtime and _timestamp', async () => {
    const run = await startRun();
    run.log({ loss: 0.9, acc: 0.1 });
    run.log({ loss: 0.5 });
    expect(run.summary.loss).toBe(0.5);
    expect(run.summary.acc).toBe(0.1);
    expect(run.summary._step).toBe(1);
    expect(run.summary.keys()).toEqual(expect.arrayContaining(['loss', 'acc', '_step', '_runtime', '_timestamp']));
    await run.finish();
    expect(openRun(run.runDir!).summary).toMatchObject({ loss: 0.5, acc: 0.1, _step: 1 });
  });

  it('merges nested objects leaf-wise', async () => {
    const run = await startRun();
    run.log({ t: { a: 1 } });
    run.log({ t: { b: 2 } });
    expect(run.summary.t.toJSON()).toEqual({ a: 1, b: 2 });
    await run.finish();
    expect(openRun(run.runDir!).summary.t).toEqual({ a: 1, b: 2 });
  });

  it('keeps an explicit value until the key is logged again', async () => {
    const run = await startRun();
    run.log({ acc: 0.5 });
    run.summary.acc = 0.99;
    run.summary['best'] = 1;
    run.log({ other: 1 });
    expect(run.summary.acc).toBe(0.99);
    run.log({ acc: 0.6 });
    expect(run.summary.acc).toBe(0.6);
    await run.finish();
    expect(openRun(run.runDir!).summary).toMatchObject({ acc: 0.6, best: 1 });
  });

  it('supports update, nested views, delete, has and get with a default', async () => {
    const run = await startRun();
    run.summary.update({ a: 1, nested: { x: 1 } });
    run.summary.nested.y = 2;
    delete run.summary.a;
    expect(run.summary.has('a')).toBe(false);
    expect(run.summary.get('a', 'none')).toBe('none');
    expect('nested' in run.summary).toBe(true);
    expect(run.summary.nested.x).toBe(1);
    expect(JSON.parse(JSON.stringify(run.summary))).toEqual({ nested: { x: 1, y: 2 } });
    expect(() => (run.summary.bad = () => 1)).toThrow(/key 'bad'/);
    await run.finish();
    expect(openRun(run.runDir!).summary).toEqual({ nested: { x: 1, y: 2 } });
  });

  it('summary writes after finish are errors', async () => {
    const run = await startRun();
    await run.finish();
    expect(isCairnError(thrown(() => (run.summary.x = 1)), 'run_finished')).toBe(true);
    expect(isCairnError(thrown(() => run.config.update({ x: 1 })), 'run_finished')).toBe(true);
  });
});

describe('defineMetric through a run (behaviour.md 4)', () => {
  it('aggregates into a nested object under the key; NaN skipped; best follows goal', async () => {
    const run = await startRun();
    run.defineMetric('loss', { summary: 'min,max,mean,last,first' });
    run.defineMetric('acc', { summary: 'best', goal: 'maximize' });
    run.defineMetric('err', { summary: 'best' });
    for (const [loss, acc, err] of [[0.5, 0.1, 3], [NaN, 0.7, 1], [0.25, 0.4, 2]]) run.log({ loss, acc, err });
    await run.finish();
    const { summary, metrics } = openRun(run.runDir!);
    expect(summary.loss).toEqual({ min: 0.25, max: 0.5, mean: 0.375, last: 0.25, first: 0.5 });
    expect(summary.acc).toEqual({ best: 0.7 });
    expect(summary.err).toEqual({ best: 1 });
    expect(metrics.map((m) => m.name)).toEqual(['loss', 'acc', 'err']);
  });

  it('an aggregate requested after plain values replaces the plain value', async () => {
    const run = await startRun();
    run.log({ loss: 0.5 });
    run.defineMetric('loss', { summary: 'min' });
    run.log({ loss: 0.7 });
    expect(run.summary.loss.toJSON()).toEqual({ min: 0.7 });
    await run.finish();
  });

  it("step_sync inserts the step metric's last value into rows without it, and nothing before it was seen", async () => {
    const run = await startRun();
    run.defineMetric('epoch');
    run.defineMetric('val/*', { stepMetric: 'epoch' });
    run.log({ 'val/acc': 0.1 });
    run.log({ epoch: 1, 'train/loss': 1 });
    run.log({ 'val/acc': 0.5 });
    run.log({ 'val/acc': 0.6, epoch: 2 });
    await run.finish();
    const rows = openRun(run.runDir!).history.map(({ _runtime: _r, _timestamp: _t, ...rest }) => rest);
    expect(rows).toEqual([
      { 'val/acc': 0.1, _step: 0 },
      { epoch: 1, 'train/loss': 1, _step: 1 },
      { 'val/acc': 0.5, epoch: 1, _step: 2 },
      { 'val/acc': 0.6, epoch: 2, _step: 3 },
    ]);
  });

  it('stores definitions with the run (merged on redefinition) for dashboards', async () => {
    const run = await startRun();
    const metric = run.defineMetric('train/*', { stepMetric: 'batch', hidden: true });
    expect(metric).toMatchObject({ name: 'train/*', stepMetric: 'batch', stepSync: true, hidden: true, summary: null, goal: null });
    expect(Object.isFrozen(metric)).toBe(true);
    run.defineMetric('train/*', { summary: 'max' });
    await run.finish();
    expect(openRun(run.runDir!).metrics).toEqual([{ name: 'train/*', stepMetric: 'batch', stepSync: true, hidden: true, summary: ['max'] }]);
  });

  it.each([
    ['', undefined, /name/],
    ['a*b', undefined, /\*/],
    ['loss', { summary: 'avg' }, /avg/],
    ['loss', { goal: 'up' }, /goal/],
    ['loss', { hidden: 'yes' }, /hidden/],
  ])('rejects defineMetric(%j, %j) without recording anything', async (name, options, message) => {
    const run = await startRun();
    const error = thrown(() => run.defineMetric(name, options as never));
    expect(isCairnError(error, 'invalid_argument')).toBe(true);
    expect((error as Error).message).toMatch(message);
    await run.finish();
    expect(openRun(run.runDir!).metrics).toEqual([]);
  });

  it('warns about unknown options', async () => {
    const stderr = captureStderr();
    const run = await startRun({ silent: false });
    run.defineMetric('loss', { colour: 'red' } as never);
    expect(stderr.join('')).toMatch(/unknown option 'colour'/);
    await run.finish();
  });
});

describe('config through a run (behaviour.md 5)', () => {
  it('attribute and item access, change protection with guidance, allowValChange', async () => {
    const run = await startRun({ config: { lr: 0.01, '--batch': 32 } });
    expect(run.config.lr).toBe(0.01);
    expect(run.config['batch']).toBe(32);
    run.config.lr = 0.01;
    const error = thrown(() => (run.config.lr = 0.02));
    expect(isCairnError(error, 'config_value_locked')).toBe(true);
    expect((error as Error).message).toMatch(/'lr'.*0\.01.*allowValChange: true.*0\.02/);
    run.config.update({ lr: 0.02 }, { allowValChange: true });
    run.config.setDefaults({ lr: 1, momentum: 0.9 });
    await run.finish();
    const back = openRun(run.runDir!);
    expect(back.config).toEqual({ lr: 0.02, batch: 32, momentum: 0.9 });
    expect(readFileSync(path.join(run.dir, 'config.yaml'), 'utf8')).toMatch(/^cairn_version: 1\n/);
  });

  it('init({ allowValChange: true }) makes every write permissive', async () => {
    const run = await startRun({ config: { lr: 1 }, allowValChange: true });
    run.config.lr = 2;
    expect(run.config.lr).toBe(2);
    await run.finish();
  });

  it('sweep parameters are applied first and locked; later writes are ignored with a warning', async () => {
    const stderr = captureStderr();
    const run = await startRun({ silent: false, sweepConfig: { lr: 0.5 }, config: { lr: 0.1, epochs: 3 } });
    expect(run.config.lr).toBe(0.5);
    expect(run.config.epochs).toBe(3);
    run.config.update({ lr: 0.9 }, { allowValChange: true });
    expect(run.config.lr).toBe(0.5);
    expect(stderr.join('')).toMatch(/'lr'.*sweep/);
    await run.finish();
    expect(openRun(run.runDir!).config).toEqual({ lr: 0.5, epochs: 3 });
  });

  it('loads init config from a YAML file, wandb config.yaml format included', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'params.yaml');
    writeFileSync(file, 'wandb_version: 1\n\nlr:\n  desc: null\n  value: 0.003\nlayers:\n  value: [64, 32]\n');
    const run = await sdk.init({ mode: 'offline', silent: true, dir, config: file });
    expect(run.config.asDict()).toEqual({ lr: 0.003, layers: [64, 32] });
    await run.finish();
  });

  it('configIncludeKeys keeps only the named keys', async () => {
    const run = await startRun({ config: { a: 1, b: 2, c: 3 }, configIncludeKeys: ['a', 'c'] });
    expect(run.config.asDict()).toEqual({ a: 1, c: 3 });
    await run.finish();
  });

  it('a bad config file is a clear error and starts no run', async () => {
    const dir = tempDir();
    const error = await sdk.init({ mode: 'offline', silent: true, dir, config: path.join(dir, 'missing.yaml') }).catch((e: unknown) => e);
    expect(isCairnError(error, 'usage')).toBe(true);
    expect((error as Error).message).toMatch(/missing\.yaml/);
    expect(sdk.run).toBeNull();
    expect(existsSync(path.join(dir, 'cairn'))).toBe(false);
  });
});
