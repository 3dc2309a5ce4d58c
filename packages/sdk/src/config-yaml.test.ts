import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CairnError } from '@cairn/protocol';
import { formatConfigYaml, parseConfigYaml, readConfigYamlFile } from './config-yaml.js';

function caught(fn: () => unknown): CairnError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CairnError) return err;
    throw err;
  }
  throw new Error('expected a CairnError, nothing was thrown');
}

describe('formatConfigYaml', () => {
  it('writes the version line, a blank line, then sorted keys wrapped in value: blocks', () => {
    const text = formatConfigYaml({ lr: 0.001, epochs: 10, model: { depth: 2, act: 'relu' }, layers: [64, 32] });
    expect(text).toBe(
      [
        'cairn_version: 1',
        '',
        'epochs:',
        '  value: 10',
        'layers:',
        '  value:',
        '    - 64',
        '    - 32',
        'lr:',
        '  value: 0.001',
        'model:',
        '  value:',
        '    act: relu',
        '    depth: 2',
        '',
      ].join('\n'),
    );
  });

  it('writes only the version line for an empty config', () => {
    expect(formatConfigYaml({})).toBe('cairn_version: 1\n');
  });

  it('writes NaN and infinities as YAML .nan / .inf / -.inf', () => {
    const text = formatConfigYaml({ a: Number.NaN, b: Number.POSITIVE_INFINITY, c: Number.NEGATIVE_INFINITY });
    expect(text).toContain('a:\n  value: .nan\n');
    expect(text).toContain('b:\n  value: .inf\n');
    expect(text).toContain('c:\n  value: -.inf\n');
  });

  it('quotes strings that would read back as another type', () => {
    const text = formatConfigYaml({ s: 'true' });
    expect(text).toMatch(/s:\n {2}value: ("true"|'true')\n/);
  });

  it('quotes strings that a YAML 1.1 (Python) reader would take as booleans or numbers', () => {
    const text = formatConfigYaml({ a: 'yes', b: 'on', c: '1_000', d: 'plain', yes: 1 });
    expect(text).toBe('cairn_version: 1\n\na:\n  value: "yes"\nb:\n  value: "on"\nc:\n  value: "1_000"\nd:\n  value: plain\n"yes":\n  value: 1\n');
  });

  it('refuses a config key that collides with the version line', () => {
    expect(caught(() => formatConfigYaml({ cairn_version: 2 })).code).toBe('invalid_argument');
  });
});

describe('parseConfigYaml', () => {
  it('reads a reference wandb config.yaml with desc and drops _wandb', () => {
    const text = [
      'wandb_version: 1',
      '',
      '_wandb:',
      '  desc: null',
      '  value:',
      '    cli_version: 0.12.10',
      '    t: {1: [1, 5]}',
      'lr:',
      '  desc: null',
      '  value: 0.001',
      'optimizer:',
      '  desc: which optimizer',
      '  value: adam',
      '',
    ].join('\n');
    expect(parseConfigYaml(text)).toEqual({ lr: 0.001, optimizer: 'adam' });
  });

  it('reads the modern shape without a version line and drops _cairn', () => {
    expect(parseConfigYaml('_cairn:\n  value: {cli_version: 0.1.0}\nlr:\n  value: 0.1\n')).toEqual({ lr: 0.1 });
  });

  it('accepts a plain mapping, unwrapping only value/desc-shaped entries', () => {
    const text = 'lr: 0.1\nmodel:\n  depth: 2\n  value: 3\nwrapped:\n  value: 7\nonly_desc:\n  desc: text\n';
    expect(parseConfigYaml(text)).toEqual({ lr: 0.1, model: { depth: 2, value: 3 }, wrapped: 7, only_desc: { desc: 'text' } });
  });

  it('reads an empty document as an empty config', () => {
    expect(parseConfigYaml('')).toEqual({});
    expect(parseConfigYaml('# nothing\n')).toEqual({});
  });

  it('rejects other versions with a usage error naming the file', () => {
    const error = caught(() => parseConfigYaml('wandb_version: 2\nlr:\n  value: 1\n', 'runs/x/config.yaml'));
    expect(error.code).toBe('usage');
    expect(error.message).toContain("'runs/x/config.yaml'");
    expect(error.message).toContain('wandb_version: 2');
    expect(caught(() => parseConfigYaml('cairn_version: "1"\n')).code).toBe('usage');
  });

  it('rejects invalid YAML with a usage error naming the file and the YAML error', () => {
    const error = caught(() => parseConfigYaml('a: [1, 2\n', 'params.yaml'));
    expect(error.code).toBe('usage');
    expect(error.message).toMatch(/^could not parse config file 'params\.yaml': .+/);
    expect(caught(() => parseConfigYaml('a: 1\na: 2\n', 'dup.yaml')).message).toContain('dup.yaml');
  });

  it('rejects a document that is not a mapping', () => {
    expect(caught(() => parseConfigYaml('- 1\n- 2\n', 'list.yaml')).message).toBe(
      "config file 'list.yaml' must hold a YAML mapping of keys to values, got a list",
    );
    expect(caught(() => parseConfigYaml('just text', 'text.yaml')).message).toContain('got a string');
  });
});

describe('round trip', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['empty config', {}],
    ['nested objects and lists', { model: { encoder: { layers: [64, { kind: 'attn', heads: 4 }] }, dropout: 0.1 }, tags: [] , empty: {} }],
    ['strings that look like other types', { a: '1e3', b: 'true', c: 'null', d: '0x10', e: '', f: '.nan', g: 'yes', h: '~', i: '- item' }],
    ['non-finite numbers', { nan: Number.NaN, inf: Number.POSITIVE_INFINITY, ninf: Number.NEGATIVE_INFINITY, list: [Number.NaN, 1] }],
    ['unicode and multi-line text', { name: 'résumé 训练 🚀', note: 'line one\nline two\n', 'clé: spéciale': 1 }],
    ['booleans, null, integers and floats', { t: true, f: false, n: null, i: -3, big: 9007199254740991, x: 1e-7, z: 0 }],
    ['numeric-looking keys', { '1': 'one', '0.5': 'half' }],
    ['YAML 1.1 look-alikes', { on: 'off', y: 'n', octal: '0o17', old_octal: '017', sexagesimal: '1:20', odd: 'a: [1', tag: '!foo' }],
    ['a __proto__ key', Object.defineProperty({}, '__proto__', { value: { x: 1 }, enumerable: true }) as Record<string, unknown>],
  ];

  for (const [name, config] of cases) {
    it(name, () => {
      expect(parseConfigYaml(formatConfigYaml(config))).toEqual(config);
    });
  }
});

describe('readConfigYamlFile', () => {
  it('reads a file written by formatConfigYaml', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-config-yaml-'));
    try {
      const path = join(dir, 'config.yaml');
      writeFileSync(path, formatConfigYaml({ lr: 0.01, nested: { a: [1, 2] } }));
      expect(readConfigYamlFile(path)).toEqual({ lr: 0.01, nested: { a: [1, 2] } });
      const missing = caught(() => readConfigYamlFile(join(dir, 'missing.yaml')));
      expect(missing.code).toBe('usage');
      expect(missing.message).toContain('missing.yaml');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
