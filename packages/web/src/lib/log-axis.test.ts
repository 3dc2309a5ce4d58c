import { describe, expect, it } from 'vitest';
import { logAxisSplits } from './log-axis.js';

const decade = (exponent: number) => [1, 2, 3, 4, 5, 6, 7, 8, 9].map((m) => Number((m * 10 ** exponent).toPrecision(6)));

describe('logAxisSplits', () => {
  it('keeps only powers of ten over several decades', () => {
    const splits = [...decade(-2), ...decade(-1), ...decade(0), 10];
    expect(logAxisSplits(splits).filter((v) => v !== null)).toEqual([0.01, 0.1, 1, 10]);
  });

  it('keeps 1, 2 and 5 times a power of ten over a short range', () => {
    expect(logAxisSplits([...decade(-1), 1]).filter((v) => v !== null)).toEqual([0.1, 0.2, 0.5, 1]);
  });

  it('leaves the splits as they are when none is positive', () => {
    expect(logAxisSplits([])).toEqual([]);
  });
});
