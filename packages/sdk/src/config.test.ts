import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CairnError, isCairnError } from '@cairn/protocol';
import type { ConfigChange, ConfigOptions } from './config.js';
import { createConfig, filterConfigKeys, loadConfigDefaults } from './config.js';

/** A config that records its change events and warnings. */
function recordingConfig(options: ConfigOptions = {}) {
  const changes: ConfigChange[] = [];
  const warnings: string[] = [];
  const config = createConfig({ onChange: (change) => changes.push(change), warn: (message) => warnings.push(message), ...options });
  return { config, changes, warnings };
}

function caught(fn: () => unknown): CairnError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CairnError) return err;
    throw err;
  }
  throw new Error('expected a CairnError, nothing was thrown');
}

describe('access', () => {
  it('treats attribute and item access as the same key for get and set', () => {
    const config = createConfig();
    config.lr = 0.01;
    config['batch_size'] = 32;
    expect(config['lr']).toBe(0.01);
    expect(config.batch_size).toBe(32);
    expect(config.get('lr')).toBe(0.01);
    expect(config.asDict()).toEqual({ lr: 0.01, batch_size: 32 });
  });

  it('reads a missing key as undefined, and get() returns the default', () => {
    const config = createConfig();
    expect(config.missing).toBeUndefined();
    expect(config.get('missing')).toBeUndefined();
    expect(config.get('missing', 7)).toBe(7);
    config.update({ empty: null });
    expect(config.get('empty', 7)).toBeNull();
  });

  it('supports in, delete, Object.keys, spread and JSON.stringify like a plain object', () => {
    const { config, changes } = recordingConfig();
    config.update({ lr: 0.1, _internal: { a: 1 }, name: 'x' });
    expect('lr' in config).toBe(true);
    expect('_internal' in config).toBe(true);
    expect('nope' in config).toBe(false);
    expect(Object.keys(config)).toEqual(['lr', '_internal', 'name']);
    expect({ ...config }).toEqual({ lr: 0.1, _internal: { a: 1 }, name: 'x' });
    expect(JSON.parse(JSON.stringify(config))).toEqual({ lr: 0.1, _internal: { a: 1 }, name: 'x' });
    expect(Object.hasOwn(config, 'lr')).toBe(true);
    expect(Object.entries(config)).toEqual([['lr', 0.1], ['_internal', { a: 1 }], ['name', 'x']]);

    expect(delete config.name).toBe(true);
    expect('name' in config).toBe(false);
    expect(changes.at(-1)).toEqual({ update: {}, remove: ['name'] });
    const before = changes.length;
    delete config.never_set;
    expect(changes.length).toBe(before);
  });

  it('keeps methods out of the key space: not in `in`, Object.keys or spread', () => {
    const config = createConfig();
    config.update({ a: 1 });
    expect('update' in config).toBe(false);
    expect(typeof config.update).toBe('function');
    expect(Object.keys(config)).toEqual(['a']);
    expect(config.update).toBe(config.update);
    // Plain-object behaviour from Object.prototype still works.
    expect(String(config)).toBe('[object Object]');
    expect(config.toString()).toBe('[object Object]');
    expect(config.constructor).toBe(Object);
  });

  it('stores a key named like a method through update(), reads it with get(), and rejects assignment', () => {
    const { config, changes } = recordingConfig();
    config.update({ update: 5, keys: ['k'] });
    expect(config.get('update')).toBe(5);
    expect(config.get('keys')).toEqual(['k']);
    expect(typeof config.update).toBe('function');
    expect(config.keys()).toEqual(['update', 'keys']);
    expect('update' in config).toBe(true);
    expect(changes).toEqual([{ update: { update: 5, keys: ['k'] } }]);

    const loose = config as unknown as Record<string, unknown>;
    const error = caught(() => {
      loose['update'] = 6;
    });
    expect(error.code).toBe('invalid_argument');
    expect(error.message).toContain("config.update({ update: … })");
    expect(error.message).toContain("config.get('update')");
    expect(config.get('update')).toBe(5);

    delete loose['update'];
    expect(config.has('update')).toBe(false);
    expect(typeof config.update).toBe('function');
  });

  it('keys() and items() hide keys starting with _, has() and asDict() do not', () => {
    const config = createConfig();
    config.update({ _cairn: { code_path: 'code/train.ts' }, lr: 0.1, _private: 1, epochs: 3 });
    expect(config.keys()).toEqual(['lr', 'epochs']);
    expect(config.items()).toEqual([['lr', 0.1], ['epochs', 3]]);
    expect(config.has('_private')).toBe(true);
    expect(config.asDict()).toEqual({ _cairn: { code_path: 'code/train.ts' }, lr: 0.1, _private: 1, epochs: 3 });
  });

  it('returns frozen stored values and an unfrozen deep copy from asDict()', () => {
    const config = createConfig();
    const source = { layers: [64, 64], opt: { name: 'adam' } };
    config.update({ model: source });
    source.layers.push(1);
    expect(config.model.layers).toEqual([64, 64]);
    expect(() => {
      config.model.layers.push(32);
    }).toThrow(TypeError);
    const copy = config.asDict();
    (copy['model'] as { layers: number[] }).layers.push(32);
    expect(config.model.layers).toEqual([64, 64]);
  });

  it('shows the values when inspected', () => {
    const config = createConfig();
    config.update({ lr: 0.1 });
    expect(inspect(config)).toBe('Config { lr: 0.1 }');
  });

  it('rejects symbol keys, getters and freezing', () => {
    const config = createConfig();
    expect(caught(() => ((config as unknown as Record<symbol, unknown>)[Symbol('s')] = 1)).code).toBe('invalid_argument');
    expect(caught(() => Object.defineProperty(config, 'x', { get: () => 1 })).code).toBe('invalid_argument');
    expect(() => Object.freeze(config)).toThrow(TypeError);
    Object.defineProperty(config, 'y', { value: 2 });
    expect(config.y).toBe(2);
  });
});

describe('change protection', () => {
  it('throws config_value_locked with the exact guidance when a set key changes', () => {
    const config = createConfig();
    config.lr = 0.01;
    const error = caught(() => {
      config.lr = 0.02;
    });
    expect(error.code).toBe('config_value_locked');
    expect(error.message).toBe(
      "config key 'lr' is already set to 0.01; pass { allowValChange: true } to config.update() to change it to 0.02",
    );
    expect(config.lr).toBe(0.01);
    expect(caught(() => config.update({ lr: 0.03 })).message).toContain('to change it to 0.03');
  });

  it('names the run and quotes strings in the message', () => {
    const config = createConfig({ runLabel: 'run abc123' });
    config.update({ optimizer: 'adam' });
    expect(caught(() => config.update({ optimizer: 'sgd' })).message).toBe(
      'run abc123: config key \'optimizer\' is already set to "adam"; pass { allowValChange: true } to config.update() to change it to "sgd"',
    );
  });

  it('allows a change per call with allowValChange or allow_val_change', () => {
    const { config, changes } = recordingConfig();
    config.update({ lr: 0.01 });
    config.update({ lr: 0.02 }, { allowValChange: true });
    expect(config.lr).toBe(0.02);
    config.update({ lr: 0.03 }, { allow_val_change: true });
    expect(config.lr).toBe(0.03);
    expect(changes.map((change) => change.update)).toEqual([{ lr: 0.01 }, { lr: 0.02 }, { lr: 0.03 }]);
    expect(caught(() => config.update({ lr: 0.04 }, { allowValChange: true, allow_val_change: false })).code).toBe('invalid_argument');
  });

  it('allows changes everywhere when allowValChange is the default, and a call can still forbid them', () => {
    const config = createConfig({ allowValChange: true });
    config.lr = 0.01;
    config.lr = 0.02;
    config.update({ lr: 0.03 });
    expect(config.lr).toBe(0.03);
    expect(caught(() => config.update({ lr: 0.04 }, { allowValChange: false })).code).toBe('config_value_locked');
  });

  it('accepts re-setting an equal value without a change event', () => {
    const { config, changes } = recordingConfig();
    config.update({ lr: 0.01, model: { layers: [64, 32], act: 'relu' }, bad: NaN });
    changes.length = 0;
    config.lr = 0.01;
    config.update({ model: { act: 'relu', layers: [64, 32] }, bad: NaN });
    config.update({ model: { act: 'relu', layers: new Float64Array([64, 32]) } });
    expect(changes).toEqual([]);
    expect(caught(() => config.update({ model: { act: 'relu', layers: [64] } })).code).toBe('config_value_locked');
  });

  it('applies nothing from a rejected update', () => {
    const { config, changes } = recordingConfig();
    config.update({ lr: 0.01 });
    changes.length = 0;
    expect(caught(() => config.update({ epochs: 10, lr: 0.02, seed: 1 })).code).toBe('config_value_locked');
    expect(config.has('epochs')).toBe(false);
    expect(config.has('seed')).toBe(false);
    expect(config.lr).toBe(0.01);
    expect(changes).toEqual([]);
  });

  it('checks two spellings of one key in the same call against each other', () => {
    const config = createConfig();
    expect(caught(() => config.update({ '--lr': 0.1, lr: 0.2 })).code).toBe('config_value_locked');
    expect(config.has('lr')).toBe(false);
  });

  it('treats a shallow update as replacing the whole nested value', () => {
    const config = createConfig();
    config.update({ model: { a: 1, b: 2 } });
    config.update({ model: { a: 1 } }, { allowValChange: true });
    expect(config.model).toEqual({ a: 1 });
  });
});

describe('setDefaults', () => {
  it('adds only absent keys, without errors for present ones', () => {
    const { config, changes } = recordingConfig();
    config.update({ lr: 0.01 });
    config.setDefaults({ lr: 0.5, epochs: 10 });
    expect(config.asDict()).toEqual({ lr: 0.01, epochs: 10 });
    expect(changes.at(-1)).toEqual({ update: { epochs: 10 } });
    config.setdefaults({ epochs: 20, seed: 3 });
    expect(config.asDict()).toEqual({ lr: 0.01, epochs: 10, seed: 3 });
    const before = changes.length;
    config.setDefaults({ lr: 1, epochs: 2 });
    expect(changes.length).toBe(before);
  });
});

describe('locks', () => {
  it('ignores every user write to a locked key with a warning, even with allowValChange', () => {
    const { config, warnings, changes } = recordingConfig({ runLabel: 'run abc123' });
    config.updateLocked({ lr: 0.1 }, 'sweep');
    expect(changes).toEqual([{ update: { lr: 0.1 } }]);

    config.lr = 0.5;
    config.update({ lr: 0.6, epochs: 4 }, { allowValChange: true });
    delete config.lr;
    config.setDefaults({ lr: 0.7 });
    expect(config.lr).toBe(0.1);
    expect(config.epochs).toBe(4);
    expect(warnings).toEqual([
      "run abc123: config key 'lr' is locked by 'sweep'; the write was ignored",
      "run abc123: config key 'lr' is locked by 'sweep'; the write was ignored",
      "run abc123: config key 'lr' is locked by 'sweep'; the write was ignored",
    ]);
    expect(changes).toEqual([{ update: { lr: 0.1 } }, { update: { epochs: 4 } }]);
  });

  it('does not throw for a different value of a locked key, and warnLocked: false keeps quiet', () => {
    const { config, warnings } = recordingConfig();
    config.updateLocked({ lr: 0.1 }, 'sweep');
    config.update({ lr: 0.01, epochs: 3 }, { warnLocked: false });
    expect(config.asDict()).toEqual({ lr: 0.1, epochs: 3 });
    expect(warnings).toEqual([]);
  });

  it('lets updateLocked override, by the same or another locker', () => {
    const { config, warnings } = recordingConfig();
    config.update({ lr: 0.01 });
    config.updateLocked({ lr: 0.1 }, 'sweep');
    expect(config.lr).toBe(0.1);
    config.updateLocked({ lr: 0.2 }, 'sweep');
    config.updateLocked({ lr: 0.3 }, 'launch');
    expect(config.lr).toBe(0.3);
    config.lr = 1;
    expect(warnings).toEqual(["config key 'lr' is locked by 'launch'; the write was ignored"]);
  });

  it('needs a locking user name', () => {
    const config = createConfig();
    expect(caught(() => config.updateLocked({ lr: 1 }, '')).code).toBe('invalid_argument');
    expect(config.has('lr')).toBe(false);
  });
});

describe('keys', () => {
  it("strips leading and trailing '-' on every write", () => {
    const config = createConfig();
    config.update({ '--lr': 0.1, 'batch-size-': 32 });
    config['--epochs'] = 5;
    expect(config.asDict()).toEqual({ lr: 0.1, 'batch-size': 32, epochs: 5 });
    delete config['--epochs'];
    expect(config.has('epochs')).toBe(false);
  });

  it('rejects a key that is empty after normalisation, and reserved version keys', () => {
    const config = createConfig();
    expect(caught(() => config.update({ '--': 1 })).code).toBe('invalid_argument');
    expect(caught(() => config.update({ '': 1 })).code).toBe('invalid_argument');
    expect(caught(() => (config['cairn_version'] = 2)).code).toBe('invalid_argument');
    expect(config.asDict()).toEqual({});
  });

  it('rejects non-string Map keys and unsupported sources', () => {
    const config = createConfig();
    expect(caught(() => config.update(new Map<unknown, unknown>([[1, 'a']]) as Map<string, unknown>)).code).toBe('invalid_argument');
    expect(caught(() => config.update(null as unknown as object)).code).toBe('invalid_argument');
    expect(caught(() => config.update([1, 2])).code).toBe('invalid_argument');
    expect(caught(() => config.update(5 as unknown as object)).message).toContain('got number');
  });
});

describe('sources', () => {
  it('accepts a Map and an object with own enumerable properties', () => {
    const config = createConfig();
    config.update(new Map<string, unknown>([['lr', 0.1]]));
    class ParsedArgs {
      epochs = 3;
      'batch-size' = 16;
      get hidden(): number {
        return 1;
      }
    }
    config.update(new ParsedArgs());
    expect(config.asDict()).toEqual({ lr: 0.1, epochs: 3, 'batch-size': 16 });
  });

  it('accepts another config', () => {
    const first = createConfig();
    first.update({ lr: 0.1, model: { depth: 2 } });
    const second = createConfig();
    second.update(first);
    expect(second.asDict()).toEqual({ lr: 0.1, model: { depth: 2 } });
  });
});

describe('sanitisation', () => {
  class Optimizer {
    toString(): string {
      return 'Optimizer(lr=0.1)';
    }
  }

  const table: [string, unknown, unknown][] = [
    ['plain object, recursively', { a: { b: new Date(0) } }, { a: { b: '1970-01-01T00:00:00.000Z' } }],
    ['array, recursively', [1, [2, new Set([3])]], [1, [2, [3]]]],
    ['small typed array as a list', new Int16Array([1, 2, 3]), [1, 2, 3]],
    ['typed array of exactly 32 as a list', new Uint8Array(32).fill(1), new Array<number>(32).fill(1)],
    ['large typed array as a summary string', new Float32Array(1000), 'Float32Array(1000)'],
    ['BigInt64Array as numbers', new BigInt64Array([1n, 2n]), [1, 2]],
    ['Date as ISO text', new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), '2024-01-02T03:04:05.000Z'],
    ['invalid Date', new Date(Number.NaN), 'Invalid Date'],
    ['safe bigint as number', 42n, 42],
    ['huge bigint as decimal text', 2n ** 70n, '1180591620717411303424'],
    ['NaN kept', Number.NaN, Number.NaN],
    ['Infinity kept', Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY],
    ['-Infinity kept', Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY],
    ['named function as its name', function relu() {}, 'relu'],
    ['class as its name', Optimizer, 'Optimizer'],
    ['Map as object', new Map<unknown, unknown>([['a', 1], [2, 'b']]), { a: 1, '2': 'b' }],
    ['Set as array', new Set(['x', 'y']), ['x', 'y']],
    ['toJSON result', { toJSON: () => ({ kind: 'custom', at: new Date(0) }) }, { kind: 'custom', at: '1970-01-01T00:00:00.000Z' }],
    ['class instance as its text', new Optimizer(), 'Optimizer(lr=0.1)'],
    ['regexp as its text', /ab+c/i, '/ab+c/i'],
    ['undefined inside an object skipped', { a: undefined, b: 1 }, { b: 1 }],
    ['undefined inside an array as null', [undefined, 1], [null, 1]],
    ['boxed number unwrapped', Object(5) as unknown, 5],
    ['null kept', null, null],
  ];

  for (const [name, input, expected] of table) {
    it(name, () => {
      const config = createConfig();
      config.update({ value: input });
      expect(config.get('value')).toEqual(expected);
    });
  }

  it('skips a key whose value is undefined', () => {
    const { config, changes } = recordingConfig();
    config.update({ a: undefined, b: 1 });
    config.c = undefined;
    expect(config.asDict()).toEqual({ b: 1 });
    expect(changes).toEqual([{ update: { b: 1 } }]);
  });

  it('never throws for odd values', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic['self'] = cyclic;
    const throwing = {
      get boom(): number {
        throw new Error('no');
      },
    };
    const config = createConfig();
    config.update({ cyclic, throwing, sym: Symbol('s') });
    expect(config.cyclic).toEqual({ name: 'loop', self: '[Circular]' });
    expect(config.throwing).toBe('[object Object]');
    expect(config.sym).toBe('Symbol(s)');
  });

  it('compares the sanitised value for change protection', () => {
    const config = createConfig();
    config.update({ start: new Date(0) });
    config.update({ start: '1970-01-01T00:00:00.000Z' });
    expect(caught(() => config.update({ start: new Date(1) })).code).toBe('config_value_locked');
  });
});

describe('onChange', () => {
  it('receives once per call only the keys that actually changed', () => {
    const { config, changes } = recordingConfig();
    config.update({ a: 1, b: 2 });
    config.update({ a: 1, b: 3, c: 4 }, { allowValChange: true });
    config.update({ a: 1 });
    config.b = 3;
    config.d = [1];
    expect(changes).toEqual([{ update: { a: 1, b: 2 } }, { update: { b: 3, c: 4 } }, { update: { d: [1] } }]);
  });
});

describe('YAML files and config-defaults.yaml', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-config-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('updates from a config.yaml path, unwrapping values and dropping the internal block', () => {
    const path = join(dir, 'config.yaml');
    writeFileSync(path, 'wandb_version: 1\n\n_wandb:\n  desc: null\n  value:\n    cli_version: 0.12.10\nlr:\n  desc: null\n  value: 0.001\nlayers:\n  value: [64, 32]\n');
    const { config, changes } = recordingConfig();
    config.update(path);
    expect(config.asDict()).toEqual({ lr: 0.001, layers: [64, 32] });
    expect(changes).toEqual([{ update: { lr: 0.001, layers: [64, 32] } }]);
  });

  it('updates from a plain YAML mapping path', () => {
    const path = join(dir, 'params.yaml');
    writeFileSync(path, 'lr: 1e-3\n--epochs: 5\nmodel:\n  depth: 2\n');
    const config = createConfig();
    config.update(path);
    expect(config.asDict()).toEqual({ lr: 0.001, epochs: 5, model: { depth: 2 } });
  });

  it('fails with a usage error naming a missing file', () => {
    const path = join(dir, 'nope.yaml');
    const error = caught(() => createConfig().update(path));
    expect(error.code).toBe('usage');
    expect(error.message).toContain(path);
  });

  it('loads config-defaults.yaml from the directory when present', () => {
    expect(loadConfigDefaults(dir)).toBeUndefined();
    writeFileSync(join(dir, 'config-defaults.yaml'), 'wandb_version: 1\n\nepochs:\n  desc: Number of epochs\n  value: 100\nbatch_size:\n  value: 32\n');
    expect(loadConfigDefaults(dir)).toEqual({ epochs: 100, batch_size: 32 });
  });

  it('reports a broken config-defaults.yaml as a usage error naming it', () => {
    writeFileSync(join(dir, 'config-defaults.yaml'), 'a: [1, 2\n');
    const error = caught(() => loadConfigDefaults(dir));
    expect(isCairnError(error, 'usage')).toBe(true);
    expect(error.message).toContain(join(dir, 'config-defaults.yaml'));
  });
});

describe('filterConfigKeys', () => {
  const config = { lr: 0.1, epochs: 3, seed: 7 };

  it('keeps only included keys', () => {
    expect(filterConfigKeys(config, ['lr', 'seed', 'absent'])).toEqual({ lr: 0.1, seed: 7 });
  });

  it('drops excluded keys', () => {
    expect(filterConfigKeys(config, undefined, ['seed'])).toEqual({ lr: 0.1, epochs: 3 });
  });

  it('returns a copy of everything when neither is given, empty lists counting as not given', () => {
    const result = filterConfigKeys(config, [], []);
    expect(result).toEqual(config);
    expect(result).not.toBe(config);
  });

  it('rejects include and exclude together', () => {
    const error = caught(() => filterConfigKeys(config, ['lr'], ['seed']));
    expect(error.code).toBe('usage');
    expect(error.message).toBe('give either configIncludeKeys or configExcludeKeys, not both');
  });
});
