import { describe, expect, it } from 'vitest';
import { flattenObject, formatAgo, formatCount, formatDuration, formatNumber, formatTick, formatValue } from './format.js';

describe('flattenObject', () => {
  it('joins nested keys with dots, keeping arrays, typed values and empty objects as leaves', () => {
    const value = {
      lr: 0.1,
      optimizer: { name: 'adam', betas: [0.9, 0.999], extra: { eps: 1e-8 } },
      image: { _type: 'image-file', path: 'a.png' },
      empty: {},
    };
    expect(flattenObject(value)).toEqual([
      ['lr', 0.1],
      ['optimizer.name', 'adam'],
      ['optimizer.betas', [0.9, 0.999]],
      ['optimizer.extra.eps', 1e-8],
      ['image', { _type: 'image-file', path: 'a.png' }],
      ['empty', {}],
    ]);
  });
});

describe('formatNumber', () => {
  it('shows integers whole and other numbers with 4 significant digits', () => {
    expect(formatNumber(42)).toBe('42');
    expect(formatNumber(-3)).toBe('-3');
    expect(formatNumber(0.123456)).toBe('0.1235');
    expect(formatNumber(123.456)).toBe('123.5');
    expect(formatNumber(0.5)).toBe('0.5');
  });

  it('keeps the integer digits of large values', () => {
    expect(formatNumber(1_700_000_123.456)).toBe('1700000123.5');
    expect(formatNumber(2.5e6 + 0.25)).toBe('2500000.3');
    expect(formatNumber(12345.678)).toBe('12345.7');
  });

  it('uses exponents only for very large and very small values', () => {
    expect(formatNumber(1.5e-7)).toBe('1.5e-7');
    expect(formatNumber(2.5e16 + 0.5)).toBe('2.5e+16');
    expect(formatNumber(1e-5)).toBe('1e-5');
    expect(formatNumber(Number.NaN)).toBe('NaN');
    expect(formatNumber(-Infinity)).toBe('-∞');
  });
});

describe('formatCount', () => {
  it('groups thousands with commas, whatever the browser locale', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1000)).toBe('1,000');
    expect(formatCount(10_000)).toBe('10,000');
    expect(formatCount(1_234_567)).toBe('1,234,567');
    expect(formatCount(-12_345)).toBe('-12,345');
  });

  it('rounds to a whole count', () => {
    expect(formatCount(1234.6)).toBe('1,235');
  });
});

describe('formatValue', () => {
  it('shows any config or summary value', () => {
    expect(formatValue('adam')).toBe('adam');
    expect(formatValue(true)).toBe('true');
    expect(formatValue(null)).toBe('null');
    expect(formatValue(undefined)).toBe('');
    expect(formatValue([1, 2])).toBe('[1,2]');
    expect(formatValue(0.25)).toBe('0.25');
  });
});

describe('formatDuration', () => {
  it('reads like a stopwatch', () => {
    expect(formatDuration(0.42)).toBe('0.42s');
    expect(formatDuration(0.004)).toBe('0s');
    expect(formatDuration(2.46)).toBe('2.5s');
    expect(formatDuration(12)).toBe('12s');
    expect(formatDuration(184)).toBe('3m 04s');
    expect(formatDuration(3725)).toBe('1h 02m');
    expect(formatDuration(90000)).toBe('1d 1h');
    expect(formatDuration(-1)).toBe('—');
  });
});

describe('formatAgo', () => {
  it('says how long ago, then the date', () => {
    const now = 1_700_000_000;
    expect(formatAgo(now - 10, now)).toBe('just now');
    expect(formatAgo(now - 300, now)).toBe('5 min ago');
    expect(formatAgo(now - 3 * 3600, now)).toBe('3 h ago');
    expect(formatAgo(now - 2 * 86400, now)).toBe('2 d ago');
    expect(formatAgo(now - 30 * 86400, now)).toBe('2023-10-15');
  });
});

describe('formatTick', () => {
  it('is compact for large values', () => {
    expect(formatTick(500)).toBe('500');
    expect(formatTick(15000)).toBe('15k');
    expect(formatTick(2_500_000)).toBe('2.5M');
    expect(formatTick(3e9)).toBe('3G');
    expect(formatTick(0.25)).toBe('0.25');
  });
});
