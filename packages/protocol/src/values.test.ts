import { describe, expect, it } from 'vitest';
import { histogramOf, normaliseLogData } from './values.js';

describe('normaliseLogData', () => {
  it('keeps scalars, NaN, infinities, bigint, null and nested objects', () => {
    const row = normaliseLogData({ a: 1, b: NaN, c: -Infinity, d: 10n ** 30n, e: null, f: 'x', g: true, h: { i: { j: 2 } } });
    expect(row).toEqual({ a: 1, b: NaN, c: -Infinity, d: 10n ** 30n, e: null, f: 'x', g: true, h: { i: { j: 2 } } });
  });

  it('returns a new object and never shares nested objects with the input', () => {
    const input = { h: { i: 1 } };
    const row = normaliseLogData(input);
    input.h.i = 2;
    expect(row).toEqual({ h: { i: 1 } });
  });

  it('converts Dates, Sets, Maps and toJSON objects, and drops undefined', () => {
    const when = new Date('2026-01-02T03:04:05.000Z');
    const row = normaliseLogData({
      when,
      set: new Set([1, 2]),
      map: new Map([['k', 3]]),
      custom: { toJSON: () => ({ v: 4 }) },
      gone: undefined,
      list: [1, undefined, 'a'],
    });
    expect(row).toEqual({ when: '2026-01-02T03:04:05.000Z', set: [1, 2], map: { k: 3 }, custom: { v: 4 }, list: [1, null, 'a'] });
    expect('gone' in row).toBe(false);
  });

  it('stores short typed arrays as lists, length one as a number, long ones as a 32-bin histogram', () => {
    expect(normaliseLogData({ a: new Float32Array([0.5, 1.5]) }).a).toEqual([0.5, 1.5]);
    expect(normaliseLogData({ a: new Int32Array([7]) }).a).toBe(7);
    const long = new Float64Array(1000).map((_, i) => i);
    const h = normaliseLogData({ a: long }).a as { _type: string; values: number[]; bins: number[] };
    expect(h._type).toBe('histogram');
    expect(h.values).toHaveLength(32);
    expect(h.bins).toHaveLength(33);
    expect(h.values.reduce((s, v) => s + v, 0)).toBe(1000);
    expect(h.bins[0]).toBe(0);
    expect(h.bins[32]).toBe(999);
  });

  it('keeps plain arrays verbatim however long', () => {
    const list = Array.from({ length: 1000 }, (_, i) => i);
    expect(normaliseLogData({ a: list }).a).toEqual(list);
  });

  it.each([
    ['a number', 5, /takes an object/],
    ['null', null, /takes an object/],
    ['an array', [1], /takes an object/],
    ['a string', 'loss', /takes an object/],
  ])('rejects %s as the argument', (_name, arg, message) => {
    expect(() => normaliseLogData(arg)).toThrow(TypeError);
    expect(() => normaliseLogData(arg)).toThrow(message);
  });

  it('names the key of an unloggable value', () => {
    expect(() => normaliseLogData({ fn: () => 1 })).toThrow(/key 'fn'.*a function/);
    expect(() => normaliseLogData({ s: Symbol('x') })).toThrow(/key 's'.*a symbol/);
    class Model {}
    expect(() => normaliseLogData({ nested: { model: new Model() } })).toThrow(/key 'nested\.model'.*Model without toJSON/);
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => normaliseLogData({ loop })).toThrow(/key 'loop\.self'.*circular/);
    expect(() => normaliseLogData({ xs: [1, () => 2] })).toThrow(/key 'xs\[1\]'/);
  });

  it('allows the same object twice when it is not circular', () => {
    const shared = { v: 1 };
    expect(normaliseLogData({ a: shared, b: shared })).toEqual({ a: { v: 1 }, b: { v: 1 } });
  });
});

describe('histogramOf', () => {
  it('skips non-finite values and widens a constant range', () => {
    const h = histogramOf([3, 3, NaN, Infinity], 4);
    expect(h.values).toEqual([0, 0, 2, 0]);
    expect(h.bins[0]).toBe(2.5);
    expect(h.bins[4]).toBe(3.5);
  });
});
