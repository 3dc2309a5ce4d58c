import { describe, it, expect } from 'vitest';
import { CairnError } from './errors.js';
import { MetricRegistry, parseMetricDefinition } from './metric.js';
import type { MetricDefinition } from './metric.js';

/** The CairnError thrown by `fn`; fails the test if it does not throw one. */
function thrown(fn: () => unknown): CairnError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CairnError);
    return err as CairnError;
  }
  throw new Error('expected a CairnError, nothing was thrown');
}

function define(registry: MetricRegistry, name: string, options?: object): MetricDefinition {
  const { definition, overwrite } = parseMetricDefinition(name, options);
  return registry.define(definition, overwrite);
}

describe('parseMetricDefinition: name', () => {
  it('accepts a plain name and returns a bare definition', () => {
    expect(parseMetricDefinition('loss')).toEqual({ definition: { name: 'loss' }, overwrite: false });
  });

  it.each([
    [undefined, 'undefined'],
    [3, 'number 3'],
    ['', 'an empty string'],
    [null, 'null'],
  ])('rejects name %j, naming the argument and the value', (name, shown) => {
    const err = thrown(() => parseMetricDefinition(name));
    expect(err.code).toBe('invalid_argument');
    expect(err.message).toContain('name');
    expect(err.message).toContain(shown);
  });

  it.each(['train/*', '*', 'a.b*'])('accepts the suffix glob %s', (name) => {
    expect(parseMetricDefinition(name).definition.name).toBe(name);
  });

  it.each(['a*b', '*loss', 'train/**', 'a*.*'])('rejects %s: * only as the final character', (name) => {
    const err = thrown(() => parseMetricDefinition(name));
    expect(err.code).toBe('invalid_argument');
    expect(err.message).toContain(`'${name}'`);
  });
});

describe('parseMetricDefinition: options', () => {
  it('parses summary ops case-insensitively, in order, deduplicated', () => {
    const { definition } = parseMetricDefinition('loss', { summary: 'MAX,min,Max,first' });
    expect(definition.summary).toEqual(['max', 'min', 'first']);
  });

  it.each(['min,max,mean,best,last,first,copy,none'])('accepts every op: %s', (summary) => {
    expect(parseMetricDefinition('x', { summary }).definition.summary).toHaveLength(8);
  });

  it.each([' max', 'min, max', 'avg', 'min,', ''])('rejects summary %j', (summary) => {
    const err = thrown(() => parseMetricDefinition('loss', { summary }));
    expect(err.code).toBe('invalid_argument');
    expect(err.message).toContain('summary op');
  });

  it('rejects a non-string summary, naming its type', () => {
    const err = thrown(() => parseMetricDefinition('loss', { summary: ['min'] }));
    expect(err.message).toContain('summary must be a string');
    expect(err.message).toContain('an array');
  });

  it.each([
    ['minimize', 'minimize'],
    ['MINIMUM', 'minimize'],
    ['min', 'minimize'],
    ['maximize', 'maximize'],
    ['maxwell', 'maximize'],
    ['Max', 'maximize'],
  ])('goal %s is stored as %s (only the first three letters count)', (goal, stored) => {
    expect(parseMetricDefinition('acc', { goal }).definition.goal).toBe(stored);
  });

  it.each(['avg', 'mi', 'up', ''])('rejects goal %j', (goal) => {
    const err = thrown(() => parseMetricDefinition('acc', { goal }));
    expect(err.code).toBe('invalid_argument');
    expect(err.message).toContain('goal');
  });

  it('rejects a non-string goal', () => {
    expect(thrown(() => parseMetricDefinition('acc', { goal: 1 })).message).toContain('goal must be a string, got number 1');
  });

  it('defaults stepSync to true when a step metric is given', () => {
    expect(parseMetricDefinition('acc', { stepMetric: 'epoch' }).definition).toEqual({
      name: 'acc',
      stepMetric: 'epoch',
      stepSync: true,
    });
  });

  it('keeps an explicit stepSync false, and leaves stepSync unset without a step metric', () => {
    expect(parseMetricDefinition('acc', { stepMetric: 'epoch', stepSync: false }).definition.stepSync).toBe(false);
    expect(parseMetricDefinition('acc', { hidden: true }).definition).toEqual({ name: 'acc', hidden: true });
  });

  it('accepts a metric object as step metric', () => {
    const epoch = { name: 'epoch', stepSync: undefined };
    expect(parseMetricDefinition('acc', { stepMetric: epoch }).definition.stepMetric).toBe('epoch');
  });

  it('reads camelCase names only: snake_case spellings are ignored like any unknown key (the SDK renames them first)', () => {
    expect(parseMetricDefinition('acc', { step_metric: 'epoch', step_sync: false }).definition).toEqual({ name: 'acc' });
    expect(parseMetricDefinition('acc', { stepMetric: 'a', step_metric: 'b' }).definition).toEqual({ name: 'acc', stepMetric: 'a', stepSync: true });
  });

  it.each([
    [{ stepMetric: 3 }, 'stepMetric', 'number 3'],
    [{ stepMetric: '' }, 'stepMetric', 'an empty string'],
    [{ stepSync: 'yes' }, 'stepSync', "string 'yes'"],
    [{ hidden: 1 }, 'hidden', 'number 1'],
    [{ overwrite: 'true' }, 'overwrite', "string 'true'"],
  ])('rejects wrong option types %j', (options, argument, shown) => {
    const err = thrown(() => parseMetricDefinition('acc', options));
    expect(err.code).toBe('invalid_argument');
    expect(err.message).toContain(argument);
    expect(err.message).toContain(shown);
  });

  it('rejects a glob as step metric', () => {
    expect(thrown(() => parseMetricDefinition('acc', { stepMetric: 'train/*' })).message).toContain('not a glob');
  });

  it('rejects options that are not an object', () => {
    expect(thrown(() => parseMetricDefinition('acc', 'min')).message).toContain('options must be an object');
  });

  it('ignores unknown option keys and returns overwrite separately', () => {
    expect(parseMetricDefinition('acc', { colour: 'red', overwrite: true, summary: 'max' })).toEqual({
      definition: { name: 'acc', summary: ['max'] },
      overwrite: true,
    });
  });
});

describe('MetricRegistry: storage and merge', () => {
  it('is empty until something is defined', () => {
    const registry = new MetricRegistry();
    expect(registry.isEmpty).toBe(true);
    expect(registry.lookup('loss')).toBeUndefined();
    define(registry, 'loss');
    expect(registry.isEmpty).toBe(false);
    expect(registry.lookup('loss')).toEqual({ name: 'loss' });
  });

  it('merges a redefinition: new fields overwrite, unspecified fields keep their value', () => {
    const registry = new MetricRegistry();
    define(registry, 'acc', { stepMetric: 'epoch', goal: 'max', summary: 'max' });
    const merged = define(registry, 'acc', { goal: 'min', hidden: true });
    expect(merged).toEqual({
      name: 'acc',
      stepMetric: 'epoch',
      stepSync: true,
      hidden: true,
      summary: ['max'],
      goal: 'minimize',
    });
    expect(registry.lookup('acc')).toEqual(merged);
  });

  it('lets a merge turn flags on but never off, including summary ops', () => {
    const registry = new MetricRegistry();
    define(registry, 'acc', { stepMetric: 'epoch', hidden: true, summary: 'min' });
    const merged = define(registry, 'acc', { stepSync: false, hidden: false, summary: 'max' });
    expect(merged.stepSync).toBe(true);
    expect(merged.hidden).toBe(true);
    expect(merged.summary).toEqual(['min', 'max']);

    const off = define(registry, 'flag', { hidden: false });
    expect(off.hidden).toBe(false);
    expect(define(registry, 'flag', { hidden: true }).hidden).toBe(true);
  });

  it('replaces the whole definition with overwrite', () => {
    const registry = new MetricRegistry();
    define(registry, 'acc', { stepMetric: 'epoch', hidden: true, summary: 'min', goal: 'max' });
    const replaced = define(registry, 'acc', { summary: 'max', overwrite: true });
    expect(replaced).toEqual({ name: 'acc', summary: ['max'] });
    expect(registry.lookup('acc')).toEqual({ name: 'acc', summary: ['max'] });
  });

  it('auto-creates an empty definition for an undefined step metric, not listed as explicit', () => {
    const registry = new MetricRegistry();
    define(registry, 'acc', { stepMetric: 'epoch' });
    expect(registry.lookup('epoch')).toEqual({ name: 'epoch' });
    expect(registry.explicit().map((d) => d.name)).toEqual(['acc']);

    define(registry, 'epoch', { hidden: true });
    expect(registry.lookup('epoch')).toEqual({ name: 'epoch', hidden: true });
    expect(registry.explicit().map((d) => d.name)).toEqual(['acc', 'epoch']);
  });

  it('does not replace an existing step metric definition with an empty one', () => {
    const registry = new MetricRegistry();
    define(registry, 'epoch', { summary: 'max' });
    define(registry, 'acc', { stepMetric: 'epoch' });
    expect(registry.lookup('epoch')).toEqual({ name: 'epoch', summary: ['max'] });
  });

  it('lists explicit definitions (exact and glob) in first-definition order', () => {
    const registry = new MetricRegistry();
    define(registry, 'b');
    define(registry, 'train/*', { summary: 'min' });
    define(registry, 'a');
    define(registry, 'b', { hidden: true });
    registry.lookup('train/loss');
    expect(registry.explicit()).toEqual([
      { name: 'b', hidden: true },
      { name: 'train/*', summary: ['min'] },
      { name: 'a' },
    ]);
  });

  it('hands out frozen definitions', () => {
    const registry = new MetricRegistry();
    const stored = define(registry, 'loss', { summary: 'min' });
    expect(Object.isFrozen(stored)).toBe(true);
    expect(Object.isFrozen(stored.summary)).toBe(true);
  });

  it('validates the name in define too', () => {
    expect(thrown(() => new MetricRegistry().define({ name: 'a*b' })).code).toBe('invalid_argument');
  });
});

describe('MetricRegistry: lookup and globs', () => {
  it('takes the first matching glob in definition order and expands it for the path', () => {
    const registry = new MetricRegistry();
    define(registry, 'train/*', { summary: 'min' });
    define(registry, 'train/l*', { summary: 'max' });
    define(registry, '*', { hidden: true });
    expect(registry.lookup('train/loss')).toEqual({ name: 'train/loss', summary: ['min'] });
    expect(registry.lookup('val/loss')).toEqual({ name: 'val/loss', hidden: true });
  });

  it('prefers an exact definition over any glob, even one defined earlier', () => {
    const registry = new MetricRegistry();
    define(registry, 'train/*', { summary: 'min' });
    expect(registry.lookup('train/acc')?.summary).toEqual(['min']);
    define(registry, 'train/acc', { summary: 'max' });
    expect(registry.lookup('train/acc')).toEqual({ name: 'train/acc', summary: ['max'] });
  });

  it('never matches paths starting with _ against globs', () => {
    const registry = new MetricRegistry();
    define(registry, '*', { summary: 'min' });
    define(registry, '_*', { summary: 'max' });
    expect(registry.lookup('_step')).toBeUndefined();
    expect(registry.lookup('_runtime')).toBeUndefined();
    expect(registry.lookup('step')).toEqual({ name: 'step', summary: ['min'] });
    define(registry, '_step', { hidden: true });
    expect(registry.lookup('_step')).toEqual({ name: '_step', hidden: true });
  });

  it('follows a merged glob in later lookups', () => {
    const registry = new MetricRegistry();
    define(registry, 'train/*', { summary: 'min' });
    expect(registry.lookup('train/loss')?.summary).toEqual(['min']);
    define(registry, 'train/*', { summary: 'max' });
    expect(registry.lookup('train/loss')?.summary).toEqual(['min', 'max']);
  });

  it('prefers a glob over an auto-created step metric definition', () => {
    const registry = new MetricRegistry();
    define(registry, 'train/*', { summary: 'max' });
    define(registry, 'acc', { stepMetric: 'train/step' });
    expect(registry.lookup('train/step')).toEqual({ name: 'train/step', summary: ['max'] });
  });

  it('tells the escaped flat key a\\.b from the nested path a.b', () => {
    const registry = new MetricRegistry();
    define(registry, 'a\\.b', { summary: 'min' });
    define(registry, 'a.b', { summary: 'max' });
    expect(registry.lookup('a\\.b')?.summary).toEqual(['min']);
    expect(registry.lookup('a.b')?.summary).toEqual(['max']);
  });

  it('matches a glob against escaped and nested paths as text', () => {
    const registry = new MetricRegistry();
    define(registry, 'train.*', { summary: 'min' });
    expect(registry.lookup('train.acc')?.summary).toEqual(['min']);
    expect(registry.lookup('train\\.acc')).toBeUndefined();
  });
});
