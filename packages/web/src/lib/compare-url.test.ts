import { describe, expect, it } from 'vitest';
import { comparePath, MAX_COMPARED_RUNS, parseComparePath, readRunIds, withRunIds } from './compare-url.js';

describe('the compare page URL', () => {
  it('recognises /:entity/:project/compare and nothing else', () => {
    expect(parseComparePath('/local/my%20proj/compare')).toEqual({ entity: 'local', project: 'my proj' });
    expect(parseComparePath('/local/mnist/compare/')).toEqual({ entity: 'local', project: 'mnist' });
    expect(parseComparePath('/local/compare')).toBeUndefined();
    expect(parseComparePath('/local/mnist/runs/compare')).toBeUndefined();
    expect(parseComparePath('/local/%E0%A4/compare')).toBeUndefined();
  });

  it('reads the run ids in order, without blanks or repeats', () => {
    expect(readRunIds('?runs=a,b,c')).toEqual(['a', 'b', 'c']);
    expect(readRunIds('?diff=1&runs=b,,a,b, c')).toEqual(['b', 'a', 'c']);
    expect(readRunIds('?diff=1')).toEqual([]);
    expect(readRunIds('')).toEqual([]);
  });

  it('round-trips ids holding a space, a # or non-ASCII', () => {
    const ids = ['c d', 'x#1', 'é'];
    expect(readRunIds(withRunIds('', ids))).toEqual(ids);
    // What URLSearchParams writes (+ for a space, %2C for every comma) reads as the same ids.
    expect(readRunIds('?runs=a%2Cb%2Cc+d')).toEqual(['a', 'b', 'c d']);
  });

  it('sets the ids keeping the other parameters, and removes the parameter for none', () => {
    expect(withRunIds('?diff=1', ['a', 'b'])).toBe('?diff=1&runs=a,b');
    expect(withRunIds('?runs=x&diff=1', ['y'])).toBe('?diff=1&runs=y');
    expect(withRunIds('?runs=x', [])).toBe('');
  });

  it('builds a shareable path of at most MAX_COMPARED_RUNS runs', () => {
    expect(comparePath('local', 'mnist', ['abc', 'def'])).toBe('/local/mnist/compare?runs=abc,def');
    expect(comparePath('local', 'my proj')).toBe('/local/my%20proj/compare');
    const many = Array.from({ length: MAX_COMPARED_RUNS + 5 }, (_, i) => `r${i}`);
    expect(readRunIds(comparePath('e', 'p', many).split('?')[1]!)).toHaveLength(MAX_COMPARED_RUNS);
  });
});
