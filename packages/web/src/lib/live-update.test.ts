// The live update against the real server is tested in e2e/live-update.test.ts; here, the
// arithmetic it rests on.
import { describe, expect, it } from 'vitest';
import { packBuckets } from './buckets.js';
import { LiveState, nextUp, tailStart } from './live-update.js';
import { gridOf, type PanelAnswer } from './panel-query.js';

const point = (x: number, y = 0) => ({ count: 1, first: [x, y] as [number, number], last: [x, y] as [number, number], min: [x, y] as [number, number], max: [x, y] as [number, number] });
const span = (from: number, to: number) => ({ count: to - from + 1, first: [from, 0] as [number, number], last: [to, 0] as [number, number], min: [from, 0] as [number, number], max: [to, 0] as [number, number] });

describe('nextUp', () => {
  it('gives the next double up', () => {
    expect(nextUp(1)).toBe(1 + Number.EPSILON);
    expect(nextUp(-1)).toBe(-1 + Number.EPSILON / 2);
    expect(nextUp(0)).toBe(Number.MIN_VALUE);
    expect(nextUp(299)).toBeGreaterThan(299);
    expect(nextUp(299) - 299).toBeLessThan(1e-12);
    expect(nextUp(-Infinity)).toBe(-Infinity);
  });
});

describe('gridOf', () => {
  it('spreads an unzoomed series over its own extent, a ranged one over the range', () => {
    const a = packBuckets([span(0, 4), span(5, 9)]);
    const empty = packBuckets([]);
    expect([a, empty].map((b) => gridOf(b, undefined))).toEqual([{ from: 0, width: 4.5, count: 2 }, undefined]);
    expect([a, packBuckets([null, point(12)])].map((b) => gridOf(b, [0, 20]))).toEqual([
      { from: 0, width: 10, count: 2 },
      { from: 0, width: 10, count: 2 },
    ]);
  });
});

describe('tailStart', () => {
  it('starts at the last bucket with points, at its grid edge', () => {
    const grid = { from: 0, width: 10, count: 4 };
    expect(tailStart(grid, packBuckets([span(0, 9), span(10, 19), span(20, 25), null]))).toEqual({ index: 2, x: 20 });
    expect(tailStart(grid, packBuckets([span(3, 9), span(12, 19), span(22, 25), point(30)]))).toEqual({ index: 3, x: 30 });
    expect(tailStart(grid, packBuckets([null, null]))).toBeUndefined();
  });

  it('moves an edge that rounding put on the wrong side of a point', () => {
    // 300 steps in 50 buckets of 5.98: the server put step 299 in the last bucket, but the
    // edge computed for a later grid may come out at 299.00000000000006.
    const grid = { from: 0, width: 5.98, count: 51 };
    const buckets = new Array(51).fill(null).map((_, k) => (k === 49 ? span(294, 298) : k === 50 ? span(299, 300) : null));
    const start = tailStart({ ...grid, from: 1e-13 }, packBuckets(buckets))!;
    expect(start.index).toBe(50);
    expect(start.x).toBeLessThanOrEqual(299);
    expect(start.x).toBeGreaterThan(298);
    // And an edge at or before a point of the bucket before moves past it.
    const early = tailStart({ ...grid, from: -1 }, packBuckets(buckets))!;
    expect(early.x).toBeGreaterThan(298);
    expect(early.x).toBeLessThanOrEqual(299);
  });
});

describe('LiveState', () => {
  const answer = (name: string) => ({ x: '_step', range: undefined, series: { x: '_step', series: [] }, grids: [], name }) as PanelAnswer & { name: string };

  it('hands a fetch the runs with new points and the answer to update', () => {
    const state = new LiveState();
    expect(state.begin('k', false)).toEqual({ previous: undefined, live: new Set() });
    state.answered('k', answer('first'));
    state.noteEvent('a');
    state.noteEvent('b');
    const fetch = state.begin('k', true);
    expect(fetch.previous).toMatchObject({ name: 'first' });
    expect(fetch.live).toEqual(new Set(['a', 'b']));
    // Taken: the next fetch has only what came since.
    state.noteEvent('c');
    expect(state.begin('k', true).live).toEqual(new Set(['c']));
  });

  it('asks for the whole panel for another request, or when the panel holds no answer to it', () => {
    const state = new LiveState();
    state.answered('k', answer('first'));
    expect(state.begin('other', true).previous).toBeUndefined();
    expect(state.begin('k', false).previous).toBeUndefined();
  });

  it('gives a cut fetch its runs back, so that the next one asks for them', () => {
    // A full fetch for an enlarged panel takes run a's event, and is cut when the panel is
    // closed again: the update that follows must still ask for a.
    const state = new LiveState();
    state.answered('small', answer('small'));
    state.noteEvent('a');
    const enlarged = state.begin('large', true);
    state.noteEvent('b');
    state.unfinished(enlarged, false);
    const next = state.begin('small', true);
    expect(next.live).toEqual(new Set(['a', 'b']));
    expect(next.previous).toMatchObject({ name: 'small' });
  });

  it('after a failed update, asks for the whole panel, with the runs still pending', () => {
    const state = new LiveState();
    state.answered('k', answer('first'));
    state.noteEvent('a');
    const update = state.begin('k', true);
    state.unfinished(update, true);
    const next = state.begin('k', true);
    expect(next.previous).toBeUndefined();
    expect(next.live).toEqual(new Set(['a']));
  });
});
