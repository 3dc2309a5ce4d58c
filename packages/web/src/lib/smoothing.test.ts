import { describe, expect, it } from 'vitest';
import { smoothEma } from './smoothing.js';

describe('smoothEma', () => {
  it('returns the values unchanged at weight 0', () => {
    expect([...smoothEma([3, -1, 4.5, 0], 0)]).toEqual([3, -1, 4.5, 0]);
  });

  it('is debiased: a constant line stays constant from its first point, at any weight', () => {
    for (const weight of [0.1, 0.5, 0.9, 0.99]) {
      for (const value of smoothEma([2, 2, 2, 2, 2], weight)) expect(value).toBeCloseTo(2, 12);
    }
  });

  it('starts at the first value, then follows s = w·s + (1 − w)·y divided by 1 − wⁿ', () => {
    const w = 0.6;
    const ys = [10, 0, 5];
    const s1 = (1 - w) * 10;
    const s2 = w * s1 + (1 - w) * 0;
    const s3 = w * s2 + (1 - w) * 5;
    const out = smoothEma(ys, w);
    expect(out[0]).toBeCloseTo(10, 12);
    expect(out[1]).toBeCloseTo(s2 / (1 - w ** 2), 12);
    expect(out[2]).toBeCloseTo(s3 / (1 - w ** 3), 12);
  });

  it('lags behind a step and stays within the range of the values', () => {
    const ys = [...Array<number>(20).fill(0), ...Array<number>(20).fill(1)];
    const out = smoothEma(ys, 0.8);
    expect(out[19]).toBe(0);
    expect(out[20]).toBeGreaterThan(0);
    expect(out[20]).toBeLessThan(0.5);
    for (let i = 21; i < out.length; i++) expect(out[i]!).toBeGreaterThan(out[i - 1]!);
    for (const v of out) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  });

  it('keeps gaps as gaps without resetting the average', () => {
    const out = smoothEma([4, -Infinity, Number.NaN, 4, Infinity, 4], 0.5);
    expect(out[1]).toBeNaN();
    expect(out[2]).toBeNaN();
    expect(out[4]).toBeNaN();
    expect(out[0]).toBeCloseTo(4, 12);
    expect(out[3]).toBeCloseTo(4, 12);
    expect(out[5]).toBeCloseTo(4, 12);
  });

  it('refuses weights outside [0, 1)', () => {
    expect(() => smoothEma([1], 1)).toThrow(RangeError);
    expect(() => smoothEma([1], -0.1)).toThrow(/\[0, 1\)/);
    expect(() => smoothEma([1], Number.NaN)).toThrow(RangeError);
  });
});
