import { describe, expect, it } from 'vitest';
import { compareRows, flattenLeaves, formatRowValues, MISSING } from './compare.js';

describe('flattenLeaves', () => {
  it('joins nested keys with dots; arrays, typed values and empty objects are leaves', () => {
    const leaves = flattenLeaves({
      lr: 0.1,
      optimizer: { name: 'adam', betas: [0.9, 0.999], extra: { eps: 1e-8 } },
      image: { _type: 'image-file', path: 'a.png' },
      empty: {},
    });
    expect(leaves.map((leaf) => [leaf.label, leaf.value])).toEqual([
      ['lr', 0.1],
      ['optimizer.name', 'adam'],
      ['optimizer.betas', [0.9, 0.999]],
      ['optimizer.extra.eps', 1e-8],
      ['image', { _type: 'image-file', path: 'a.png' }],
      ['empty', {}],
    ]);
  });

  it('keeps a key holding a dot apart from the nested key it reads like', () => {
    const leaves = flattenLeaves({ 'a.b': 1, a: { b: 2 } });
    expect(leaves.map((leaf) => leaf.path)).toEqual(['a\\.b', 'a.b']);
    expect(leaves.map((leaf) => leaf.label)).toEqual(['a.b', 'a.b']);
  });
});

describe('compareRows', () => {
  it('takes the union of keys in the first run\'s order, then keys only later runs hold', () => {
    const rows = compareRows([{ lr: 0.1, seed: 1 }, { wd: 0.01, lr: 0.1, seed: 2 }, { lr: 0.1, seed: 1 }]);
    expect(rows.map((row) => row.label)).toEqual(['lr', 'seed', 'wd']);
    expect(rows.map((row) => row.values)).toEqual([
      [0.1, 0.1, 0.1],
      [1, 2, 1],
      [undefined, 0.01, undefined],
    ]);
    expect(rows.map((row) => row.differs)).toEqual([false, true, true]);
  });

  it('compares nested values, arrays and objects by content, whatever their key order', () => {
    const rows = compareRows([
      { opt: { name: 'adam', betas: [0.9, 0.999] }, aug: { _type: 'cfg', a: 1, b: 2 } },
      { opt: { betas: [0.9, 0.999], name: 'adam' }, aug: { _type: 'cfg', b: 2, a: 1 } },
    ]);
    expect(rows.map((row) => [row.label, row.differs])).toEqual([
      ['opt.name', false],
      ['opt.betas', false],
      ['aug', false],
    ]);
    expect(compareRows([{ betas: [0.9, 0.999] }, { betas: [0.9, 0.99] }])[0]!.differs).toBe(true);
  });

  it('tells a missing value from null, and 1 from "1"', () => {
    expect(compareRows([{ a: null }, {}])[0]!.differs).toBe(true);
    expect(compareRows([{ a: null }, { a: null }])[0]!.differs).toBe(false);
    expect(compareRows([{ a: 1 }, { a: '1' }])[0]!.differs).toBe(true);
  });

  it('never marks a single run\'s rows as differing', () => {
    expect(compareRows([{ a: 1, b: { c: 2 } }]).every((row) => !row.differs)).toBe(true);
    expect(compareRows([])).toEqual([]);
  });

  it('sorts by key on request, system keys last', () => {
    const rows = compareRows([{ _runtime: 3, loss: 0.2, acc: 0.9, _step: 9 }], { order: 'key' });
    expect(rows.map((row) => row.label)).toEqual(['acc', 'loss', '_runtime', '_step']);
  });
});

describe('formatRowValues', () => {
  it('shows — for a missing value and formats the rest as everywhere else', () => {
    expect(formatRowValues([0.1, undefined, 'adam', null, true, [1, 2]])).toEqual(['0.1', MISSING, 'adam', 'null', 'true', '[1,2]']);
    expect(formatRowValues([0.123456, 1e-7, 42])).toEqual(['0.1235', '1e-7', '42']);
  });

  it('writes every number of the row in full when the compact form would show different numbers alike', () => {
    expect(formatRowValues([0.123451, 0.123459, 2])).toEqual(['0.123451', '0.123459', '2']);
    expect(formatRowValues([12345.61, 12345.64])).toEqual(['12345.61', '12345.64']);
    // Equal numbers showing alike is no collision.
    expect(formatRowValues([0.123451, 0.123451])).toEqual(['0.1235', '0.1235']);
  });
});
