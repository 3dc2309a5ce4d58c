import { describe, it, expect } from 'vitest';
import { CairnError } from './errors.js';
import { MetricRegistry, parseMetricDefinition } from './metric.js';
import { SummaryState } from './summary.js';

/** A summary whose registry holds the given definitions, defined in order. */
function summaryWith(...definitions: Array<[string, object?]>): { summary: SummaryState; metrics: MetricRegistry } {
  const metrics = new MetricRegistry();
  for (const [name, options] of definitions) {
    const { definition, overwrite } = parseMetricDefinition(name, options);
    metrics.define(definition, overwrite);
  }
  return { summary: new SummaryState(metrics), metrics };
}

function logAll(summary: SummaryState, rows: Array<Record<string, unknown>>): void {
  for (const row of rows) summary.applyRow(summary.syncStepMetrics(row));
}

describe('SummaryState without definitions (fast path)', () => {
  it('copies every top-level entry, including _step, _runtime and _timestamp', () => {
    const { summary } = summaryWith();
    summary.applyRow({ loss: 0.5, note: 'x', _step: 0, _runtime: 1.5, _timestamp: 1700000000.25 });
    summary.applyRow({ loss: 0.25, _step: 1, _runtime: 2.5, _timestamp: 1700000001.5 });
    expect(summary.toJSON()).toEqual({ loss: 0.25, note: 'x', _step: 1, _runtime: 2.5, _timestamp: 1700000001.5 });
  });

  it('merges nested objects leaf by leaf', () => {
    const { summary } = summaryWith();
    summary.applyRow({ t: { a: 1 } });
    summary.applyRow({ t: { b: 2 } });
    summary.applyRow({ t: { c: { d: 3 } } });
    summary.applyRow({ t: { c: { e: 4 }, a: 5 } });
    expect(summary.toJSON()).toEqual({ t: { a: 5, b: 2, c: { d: 3, e: 4 } } });
  });

  it('treats arrays and scalars as leaves that replace', () => {
    const { summary } = summaryWith();
    summary.applyRow({ v: [1, 2, 3], t: { a: 1 } });
    summary.applyRow({ v: [4], t: 7 });
    expect(summary.toJSON()).toEqual({ v: [4], t: 7 });
    summary.applyRow({ t: { a: 2 } });
    expect(summary.toJSON()).toEqual({ v: [4], t: { a: 2 } });
  });

  it('keeps NaN, ±Infinity, bigint, booleans and null as logged', () => {
    const { summary } = summaryWith();
    summary.applyRow({ n: NaN, p: Infinity, m: -Infinity, b: 10n, t: true, z: null });
    expect(summary.toJSON()).toEqual({ n: NaN, p: Infinity, m: -Infinity, b: 10n, t: true, z: null });
  });

  it('copies an empty nested object as an empty object', () => {
    const { summary } = summaryWith();
    summary.applyRow({ t: {} });
    expect(summary.toJSON()).toEqual({ t: {} });
  });

  it('never shares nested objects with the logged row', () => {
    const { summary } = summaryWith();
    const nested = { a: 1 };
    summary.applyRow({ t: nested });
    nested.a = 99;
    summary.applyRow({ t: { b: 2 } });
    expect(nested).toEqual({ a: 99 });
    expect(summary.toJSON()).toEqual({ t: { a: 1, b: 2 } });
  });

  it('returns copies from toJSON and get that do not alias its state', () => {
    const { summary } = summaryWith();
    summary.applyRow({ t: { a: 1 }, v: [1, [2]] });
    const json = summary.toJSON() as { t: { a: number }; v: [number, number[]] };
    json.t.a = 2;
    json.v[1].push(3);
    const t = summary.get(['t']) as { a: number };
    t.a = 3;
    expect(summary.toJSON()).toEqual({ t: { a: 1 }, v: [1, [2]] });
    expect(Object.getPrototypeOf(summary.toJSON().t)).toBe(Object.prototype);
  });

  it('stores a __proto__ key from JSON as data, without touching Object.prototype', () => {
    const { summary } = summaryWith();
    summary.applyRow(JSON.parse('{"t":{"__proto__":{"polluted":1}}}') as Record<string, unknown>);
    summary.applyRow(JSON.parse('{"__proto__":{"polluted":2}}') as Record<string, unknown>);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(JSON.stringify(summary.toJSON())).toBe('{"t":{"__proto__":{"polluted":1}},"__proto__":{"polluted":2}}');
  });

  it('leaves a row untouched in syncStepMetrics', () => {
    const { summary } = summaryWith();
    const row = { a: 1 };
    expect(summary.syncStepMetrics(row)).toBe(row);
    expect(row).toEqual({ a: 1 });
  });
});

describe('SummaryState explicit writes', () => {
  it('replaces a top-level entry, whole', () => {
    const { summary } = summaryWith();
    summary.applyRow({ t: { a: 1, b: 2 } });
    summary.set(['t'], { c: 3 });
    expect(summary.toJSON()).toEqual({ t: { c: 3 } });
  });

  it('creates missing intermediate objects for a nested set and replaces non-objects on the way', () => {
    const { summary } = summaryWith();
    summary.set(['a', 'b', 'c'], 1);
    summary.applyRow({ x: 5 });
    summary.set(['x', 'y'], 2);
    expect(summary.toJSON()).toEqual({ a: { b: { c: 1 } }, x: { y: 2 } });
    expect(summary.get(['a', 'b'])).toEqual({ c: 1 });
    expect(summary.get(['a', 'b', 'c', 'd'])).toBeUndefined();
    expect(summary.get(['missing'])).toBeUndefined();
  });

  it('copies a set value so later merges never mutate the caller’s object', () => {
    const { summary } = summaryWith();
    const value = { a: 1 };
    summary.set(['t'], value);
    summary.applyRow({ t: { b: 2 } });
    expect(value).toEqual({ a: 1 });
    expect(summary.get(['t'])).toEqual({ a: 1, b: 2 });
  });

  it('removes a path and ignores missing ones', () => {
    const { summary } = summaryWith();
    summary.applyRow({ a: 1, t: { b: 2, c: 3 } });
    summary.remove(['t', 'b']);
    summary.remove(['a']);
    summary.remove(['nope']);
    summary.remove(['t', 'c', 'deeper']);
    summary.remove(['x', 'y', 'z']);
    expect(summary.toJSON()).toEqual({ t: { c: 3 } });
  });

  it('lets a later logged value win over an explicit set (last writer wins)', () => {
    const { summary } = summaryWith();
    summary.set(['loss'], 'best ever');
    summary.applyRow({ loss: 0.4 });
    expect(summary.get(['loss'])).toBe(0.4);
    summary.set(['loss'], 0.1);
    expect(summary.get(['loss'])).toBe(0.1);
  });

  it('refuses an empty key path', () => {
    const { summary } = summaryWith();
    expect(() => summary.set([], 1)).toThrow(CairnError);
    expect(() => summary.remove([])).toThrow(/at least one key/);
  });
});

describe('SummaryState with definitions: aggregates', () => {
  it('nests only the requested aggregates under the metric key, in the requested order', () => {
    const { summary } = summaryWith(['loss', { summary: 'max,min' }]);
    logAll(summary, [{ loss: 0.5 }, { loss: 0.1 }, { loss: 0.9 }, { loss: 0.3 }]);
    const json = summary.toJSON();
    expect(json).toEqual({ loss: { max: 0.9, min: 0.1 } });
    expect(Object.keys(json['loss'] as object)).toEqual(['max', 'min']);
    expect(json['loss.min']).toBeUndefined();
  });

  it('computes mean, first and last over numeric values', () => {
    const { summary } = summaryWith(['x', { summary: 'mean,first,last' }]);
    logAll(summary, [{ x: 2 }, { x: 4 }, { x: 9 }]);
    expect(summary.toJSON()).toEqual({ x: { mean: 5, first: 2, last: 9 } });
  });

  it('makes best the running minimum by default and the maximum for goal maximize', () => {
    const { summary } = summaryWith(['loss', { summary: 'best' }], ['acc', { summary: 'best', goal: 'maximize' }]);
    logAll(summary, [
      { loss: 0.5, acc: 0.2 },
      { loss: 0.2, acc: 0.8 },
      { loss: 0.7, acc: 0.6 },
    ]);
    expect(summary.toJSON()).toEqual({ loss: { best: 0.2 }, acc: { best: 0.8 } });
  });

  it('follows goal minimize for best when given', () => {
    const { summary } = summaryWith(['err', { summary: 'best,max', goal: 'MINIMUM' }]);
    logAll(summary, [{ err: 3 }, { err: 1 }, { err: 2 }]);
    expect(summary.toJSON()).toEqual({ err: { best: 1, max: 3 } });
  });

  it('skips NaN in aggregates', () => {
    const { summary } = summaryWith(['loss', { summary: 'min,max,mean,last,first' }]);
    logAll(summary, [{ loss: NaN }]);
    expect(summary.toJSON()).toEqual({});
    logAll(summary, [{ loss: 2 }, { loss: NaN }, { loss: 4 }, { loss: NaN }]);
    expect(summary.toJSON()).toEqual({ loss: { min: 2, max: 4, mean: 3, last: 4, first: 2 } });
  });

  it('still copies NaN as the plain value when no aggregate is requested', () => {
    const { summary } = summaryWith(['a', { summary: 'copy' }], ['b', { hidden: true }]);
    logAll(summary, [{ a: 1, b: 1 }, { a: NaN, b: NaN }]);
    expect(summary.toJSON()).toEqual({ a: NaN, b: NaN });
  });

  it('lets ±Infinity take part in aggregates', () => {
    const { summary } = summaryWith(['x', { summary: 'min,max,last' }]);
    logAll(summary, [{ x: 1 }, { x: -Infinity }, { x: Infinity }]);
    expect(summary.toJSON()).toEqual({ x: { min: -Infinity, max: Infinity, last: Infinity } });
  });

  it('counts booleans as 1/0 and bigints as numbers', () => {
    const { summary } = summaryWith(['ok', { summary: 'mean,max' }], ['n', { summary: 'max' }]);
    logAll(summary, [
      { ok: true, n: 5n },
      { ok: false, n: 7n },
      { ok: true, n: 2n },
    ]);
    expect(summary.toJSON()).toEqual({ ok: { mean: 2 / 3, max: 1 }, n: { max: 7 } });
  });

  it('copies non-numeric values of an aggregated metric plainly, and aggregates resume after', () => {
    const { summary } = summaryWith(['x', { summary: 'max' }]);
    logAll(summary, [{ x: 3 }, { x: 'diverged' }]);
    expect(summary.toJSON()).toEqual({ x: 'diverged' });
    logAll(summary, [{ x: 1 }]);
    expect(summary.toJSON()).toEqual({ x: { max: 3 } });
  });

  it('ignores copy once an aggregate is requested', () => {
    const { summary } = summaryWith(['loss', { summary: 'copy,min' }]);
    logAll(summary, [{ loss: 0.5 }, { loss: 0.7 }]);
    expect(summary.toJSON()).toEqual({ loss: { min: 0.5 } });
  });

  it('copies plainly with copy alone, or with no summary option', () => {
    const { summary } = summaryWith(['a', { summary: 'copy' }], ['b', { stepMetric: 'epoch' }]);
    logAll(summary, [{ a: 1, b: 1 }, { a: 2, b: 2 }]);
    expect(summary.toJSON()).toEqual({ a: 2, b: 2 });
  });

  it('keeps a metric with summary none out of the summary', () => {
    const { summary } = summaryWith(['secret', { summary: 'none' }]);
    logAll(summary, [{ secret: 1, other: 2 }]);
    expect(summary.toJSON()).toEqual({ other: 2 });
  });

  it('drops a plain value logged before none was defined', () => {
    const { summary, metrics } = summaryWith();
    logAll(summary, [{ secret: 1 }]);
    metrics.define(parseMetricDefinition('secret', { summary: 'none' }).definition);
    logAll(summary, [{ secret: 2 }]);
    expect(summary.toJSON()).toEqual({});
  });

  it('replaces a plain value logged before the aggregate was defined', () => {
    const { summary, metrics } = summaryWith();
    logAll(summary, [{ loss: 0.9 }, { loss: 0.8 }]);
    expect(summary.toJSON()).toEqual({ loss: 0.8 });
    metrics.define(parseMetricDefinition('loss', { summary: 'min,max' }).definition);
    logAll(summary, [{ loss: 0.5 }]);
    expect(summary.toJSON()).toEqual({ loss: { min: 0.5, max: 0.5 } });
  });

  it('replaces an explicitly set value when the aggregated metric is logged again', () => {
    const { summary } = summaryWith(['loss', { summary: 'min' }]);
    logAll(summary, [{ loss: 0.5 }]);
    summary.set(['loss'], 42);
    expect(summary.get(['loss'])).toBe(42);
    logAll(summary, [{ loss: 0.6 }]);
    expect(summary.get(['loss'])).toEqual({ min: 0.5 });
  });

  it('copies leaves without any definition plainly, merging leaf-wise', () => {
    const { summary } = summaryWith(['loss', { summary: 'min' }]);
    logAll(summary, [{ loss: 1, t: { a: 1 }, acc: 0.1 }, { loss: 2, t: { b: 2 } }]);
    expect(summary.toJSON()).toEqual({ loss: { min: 1 }, t: { a: 1, b: 2 }, acc: 0.1 });
  });

  it('always copies top-level _ keys plainly, even with a catch-all glob or an exact definition', () => {
    const { summary } = summaryWith(['*', { summary: 'min' }], ['_step', { summary: 'max' }]);
    logAll(summary, [
      { x: 3, _step: 0, _runtime: 1.5 },
      { x: 1, _step: 1, _runtime: 2.5 },
    ]);
    expect(summary.toJSON()).toEqual({ x: { min: 1 }, _step: 1, _runtime: 2.5 });
  });

  it('lets nested leaves inherit their nearest ancestor definition, overridden by their own', () => {
    const { summary } = summaryWith(['train', { summary: 'max' }], ['train.loss', { summary: 'min' }]);
    logAll(summary, [{ train: { acc: 0.2, loss: 0.5, deep: { x: 1 } } }, { train: { acc: 0.1, loss: 0.3, deep: { x: 4 } } }]);
    expect(summary.toJSON()).toEqual({ train: { acc: { max: 0.2 }, loss: { min: 0.3 }, deep: { x: { max: 4 } } } });
  });

  it('aggregates leaves matched by a glob', () => {
    const { summary } = summaryWith(['val/*', { summary: 'min' }]);
    logAll(summary, [{ 'val/loss': 2, 'train/loss': 2 }, { 'val/loss': 1, 'train/loss': 3 }]);
    expect(summary.toJSON()).toEqual({ 'val/loss': { min: 1 }, 'train/loss': 3 });
  });

  it('targets the flat key a.b with a\\.b and the nested value with a.b', () => {
    const flat = summaryWith(['a\\.b', { summary: 'max' }]).summary;
    logAll(flat, [{ 'a.b': 1, a: { b: 1 } }, { 'a.b': 0, a: { b: 0 } }]);
    expect(flat.toJSON()).toEqual({ 'a.b': { max: 1 }, a: { b: 0 } });

    const nested = summaryWith(['a.b', { summary: 'max' }]).summary;
    logAll(nested, [{ 'a.b': 1, a: { b: 1 } }, { 'a.b': 0, a: { b: 0 } }]);
    expect(nested.toJSON()).toEqual({ 'a.b': 0, a: { b: { max: 1 } } });
  });
});

describe('SummaryState.syncStepMetrics (step_sync)', () => {
  it('inserts the last logged value of the step metric into rows that lack it', () => {
    const { summary } = summaryWith(['acc', { stepMetric: 'epoch' }]);
    summary.applyRow(summary.syncStepMetrics({ epoch: 3, _step: 0 }));
    const row = summary.syncStepMetrics({ acc: 0.7, _step: 1 });
    expect(row).toEqual({ acc: 0.7, _step: 1, epoch: 3 });
    summary.applyRow(row);
    expect(summary.toJSON()).toEqual({ acc: 0.7, epoch: 3, _step: 1 });
  });

  it('inserts nothing when the step metric was never logged', () => {
    const { summary } = summaryWith(['acc', { stepMetric: 'epoch' }]);
    expect(summary.syncStepMetrics({ acc: 0.7 })).toEqual({ acc: 0.7 });
  });

  it('inserts nothing when the row has the step metric itself', () => {
    const { summary } = summaryWith(['acc', { stepMetric: 'epoch' }]);
    logAll(summary, [{ epoch: 1 }]);
    expect(summary.syncStepMetrics({ acc: 0.7, epoch: 5 })).toEqual({ acc: 0.7, epoch: 5 });
    expect(summary.syncStepMetrics({ acc: 0.7, epoch: 0 })).toEqual({ acc: 0.7, epoch: 0 });
  });

  it('inserts nothing with stepSync false', () => {
    const { summary } = summaryWith(['acc', { stepMetric: 'epoch', stepSync: false }]);
    logAll(summary, [{ epoch: 1 }]);
    expect(summary.syncStepMetrics({ acc: 0.7 })).toEqual({ acc: 0.7 });
  });

  it('uses the latest logged value, not an aggregate of it nor an explicit summary write', () => {
    const { summary } = summaryWith(['epoch', { summary: 'max' }], ['acc', { stepMetric: 'epoch' }]);
    logAll(summary, [{ epoch: 5 }, { epoch: 2 }]);
    summary.set(['epoch'], 100);
    expect(summary.syncStepMetrics({ acc: 1 })).toEqual({ acc: 1, epoch: 2 });
  });

  it('remembers a step metric logged before any metric was defined', () => {
    const { summary, metrics } = summaryWith();
    logAll(summary, [{ epoch: 7 }]);
    metrics.define(parseMetricDefinition('acc', { stepMetric: 'epoch' }).definition);
    expect(summary.syncStepMetrics({ acc: 1 })).toEqual({ acc: 1, epoch: 7 });
  });

  it('syncs nested leaves through glob and inherited definitions', () => {
    const { summary } = summaryWith(['val/*', { stepMetric: 'epoch' }], ['train', { stepMetric: 'batch' }]);
    logAll(summary, [{ epoch: 1, batch: 10 }]);
    expect(summary.syncStepMetrics({ 'val/acc': 0.5 })).toEqual({ 'val/acc': 0.5, epoch: 1 });
    expect(summary.syncStepMetrics({ train: { loss: { a: 1 } } })).toEqual({ train: { loss: { a: 1 } }, batch: 10 });
    expect(summary.syncStepMetrics({ other: 1 })).toEqual({ other: 1 });
  });

  it('syncs a flat step metric named with an escaped dot, but not a nested step metric', () => {
    const { summary } = summaryWith(['acc', { stepMetric: 'my\\.epoch' }], ['loss', { stepMetric: 'sched.epoch' }]);
    logAll(summary, [{ 'my.epoch': 4, sched: { epoch: 9 } }]);
    expect(summary.syncStepMetrics({ acc: 1 })).toEqual({ acc: 1, 'my.epoch': 4 });
    expect(summary.syncStepMetrics({ loss: 1 })).toEqual({ loss: 1 });
  });
});
