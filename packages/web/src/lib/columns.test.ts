import { describe, expect, it } from 'vitest';
import { escapePathKey, summaryColumns, valueAt } from './columns.js';

describe('summaryColumns', () => {
  const summaries = [
    { loss: 0.1, 'val/acc': 0.9, _runtime: 12, name: 'text', nested: { f1: 0.5 }, 'a.b': 3 },
    { loss: 0.2, epoch: 4 },
  ];

  it('picks numeric summary values of any run, preferred keys first, _ keys never', () => {
    expect(summaryColumns(summaries, ['val/acc', 'missing'], 3)).toEqual([
      { label: 'val/acc', path: 'val/acc', parts: ['val/acc'] },
      { label: 'a.b', path: 'a\\.b', parts: ['a.b'] },
      { label: 'epoch', path: 'epoch', parts: ['epoch'] },
    ]);
    expect(summaryColumns(summaries, [], 10).map((c) => c.path)).toEqual(['a\\.b', 'epoch', 'loss', 'nested.f1', 'val/acc']);
  });

  it('leaves out what `exclude` rejects', () => {
    expect(summaryColumns(summaries, [], 10, (path) => path.startsWith('val/') || path === 'loss').map((c) => c.path)).toEqual(['a\\.b', 'epoch', 'nested.f1']);
  });

  it('is empty without summaries', () => {
    expect(summaryColumns([], ['loss'], 4)).toEqual([]);
  });
});

describe('valueAt and escapePathKey', () => {
  it('read nested values and escape keys as the server expects', () => {
    expect(valueAt({ a: { b: 2 } }, ['a', 'b'])).toBe(2);
    expect(valueAt({ a: 1 }, ['a', 'b'])).toBeUndefined();
    expect(valueAt({ 'a.b': 1 }, ['a.b'])).toBe(1);
    expect(escapePathKey('a.b')).toBe('a\\.b');
    expect(escapePathKey('a\\b')).toBe('a\\\\b');
    expect(escapePathKey('val/loss')).toBe('val/loss');
  });
});
