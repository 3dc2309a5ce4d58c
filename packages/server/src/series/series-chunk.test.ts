import { describe, expect, it } from 'vitest';
import {
  appendPoints, BLOCK_POINTS, BLOCK_STRIDE, CHUNK_POINTS, decodeChunk, openChunk, readChunkHeader, type SeriesChunk,
} from './series-chunk.js';

/** mulberry32: a tiny seeded PRNG, so every run sees the same "random" series. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Points with gaps in the steps and awkward values: ties, -0, negatives, huge and tiny magnitudes. */
function awkwardPoints(count: number, random: () => number, firstStep = 0): { steps: number[]; values: number[] } {
  const specials = [0, -0, -1, 1, 1, Number.MAX_VALUE, -Number.MAX_VALUE, 5e-324, -5e-324, 1e300, -1e300, 0.1 + 0.2];
  const steps: number[] = [];
  const values: number[] = [];
  let step = firstStep;
  for (let i = 0; i < count; i++) {
    steps.push(step);
    values.push(random() < 0.5 ? specials[Math.floor(random() * specials.length)]! : (random() - 0.5) * 1e6);
    step += random() < 0.05 ? 1 + Math.floor(random() * 1000) : 1;
  }
  return { steps, values };
}

/** What the store does with appendPoints' answer: upsert by firstStep, keep step order. */
function applyToStore(store: SeriesChunk[], written: SeriesChunk[]): void {
  for (const chunk of written) {
    const last = store[store.length - 1];
    if (last !== undefined && last.firstStep === chunk.firstStep) store[store.length - 1] = chunk;
    else store.push(chunk);
  }
}

function decodeAll(chunks: readonly SeriesChunk[]): { steps: number[]; values: number[] } {
  const steps: number[] = [];
  const values: number[] = [];
  for (const chunk of chunks) {
    const decoded = decodeChunk(chunk);
    steps.push(...decoded.steps);
    values.push(...decoded.values);
  }
  return { steps, values };
}

/** The index of the first occurrence of the extreme value in [begin, end). */
function firstExtremeIndex(values: ArrayLike<number>, begin: number, end: number, sign: 1 | -1): number {
  let best = begin;
  for (let i = begin + 1; i < end; i++) if (sign * values[i]! > sign * values[best]!) best = i;
  return best;
}

function expectSummariesMatchPoints(chunk: SeriesChunk): void {
  const { steps, values, blocks, minStep, maxStep } = openChunk(chunk);
  expect(chunk.count).toBe(steps.length);
  expect(chunk.firstStep).toBe(steps[0]);
  expect(chunk.lastStep).toBe(steps[steps.length - 1]);
  expect(chunk.first).toBe(values[0]);
  expect(chunk.last).toBe(values[values.length - 1]);
  const minIndex = firstExtremeIndex(values, 0, values.length, -1);
  const maxIndex = firstExtremeIndex(values, 0, values.length, 1);
  expect([minStep, chunk.min]).toEqual([steps[minIndex], values[minIndex]]);
  expect([maxStep, chunk.max]).toEqual([steps[maxIndex], values[maxIndex]]);
  expect(blocks.length).toBe(BLOCK_STRIDE * Math.ceil(steps.length / BLOCK_POINTS));
  for (let b = 0; b * BLOCK_POINTS < steps.length; b++) {
    const begin = b * BLOCK_POINTS;
    const end = Math.min(steps.length, begin + BLOCK_POINTS);
    const lo = firstExtremeIndex(values, begin, end, -1);
    const hi = firstExtremeIndex(values, begin, end, 1);
    expect(Array.from(blocks.subarray(b * BLOCK_STRIDE, (b + 1) * BLOCK_STRIDE))).toEqual([steps[lo], values[lo], steps[hi], values[hi]]);
  }
}

describe('appendPoints', () => {
  it('starts a series in full chunks of CHUNK_POINTS and one partial chunk', () => {
    const { steps, values } = awkwardPoints(2 * CHUNK_POINTS + 100, seededRandom(1));
    const chunks = appendPoints(undefined, steps, values);
    expect(chunks.map((c) => c.count)).toEqual([CHUNK_POINTS, CHUNK_POINTS, 100]);
    expect(chunks.map((c) => c.firstStep)).toEqual([steps[0], steps[CHUNK_POINTS], steps[2 * CHUNK_POINTS]]);
    for (const chunk of chunks) expectSummariesMatchPoints(chunk);
    expect(decodeAll(chunks)).toEqual({ steps, values });
  });

  it('returns nothing for no points', () => {
    expect(appendPoints(undefined, [], [])).toEqual([]);
    const [tail] = appendPoints(undefined, [1], [2]);
    expect(appendPoints(tail, [], [])).toEqual([]);
  });

  it('rewrites the tail under its own firstStep over many random batches, bit-exact, without touching the old tail', () => {
    for (const seed of [2, 3, 4, 5]) {
      const random = seededRandom(seed);
      const total = Math.floor(random() * 30_000);
      const { steps, values } = awkwardPoints(total, random, Math.floor((random() - 0.5) * 1e6));
      const store: SeriesChunk[] = [];
      for (let offset = 0; offset < total;) {
        const size = Math.min(total - offset, 1 + Math.floor(random() ** 3 * 9000));
        const tail = store[store.length - 1];
        const tailBytes = tail === undefined ? undefined : Uint8Array.from(tail.data);
        const written = appendPoints(tail, steps.slice(offset, offset + size), values.slice(offset, offset + size));
        if (tail !== undefined && tail.count < CHUNK_POINTS) {
          expect(written[0]!.firstStep).toBe(tail.firstStep);
          expect(written[0]!.count).toBeGreaterThan(tail.count);
        } else {
          expect(written[0]!.firstStep).toBe(steps[offset]);
        }
        if (tail !== undefined) expect(Buffer.compare(tail.data, tailBytes!)).toBe(0);
        for (const chunk of written) {
          expect(chunk.count).toBeLessThanOrEqual(CHUNK_POINTS);
          expect(chunk.data.byteOffset % 8).toBe(0);
          expectSummariesMatchPoints(chunk);
        }
        applyToStore(store, written);
        offset += size;
      }
      // Only the last chunk may be partial, and together they hold exactly the input.
      expect(store.slice(0, -1).every((c) => c.count === CHUNK_POINTS)).toBe(true);
      const decoded = decodeAll(store);
      expect(decoded.steps.length).toBe(total);
      for (let i = 0; i < total; i++) {
        if (!Object.is(decoded.steps[i], steps[i]) || !Object.is(decoded.values[i], values[i])) {
          throw new Error(`seed ${seed}: point ${i} decoded as (${decoded.steps[i]}, ${decoded.values[i]}), written as (${steps[i]}, ${values[i]})`);
        }
      }
    }
  });

  it('starts a new chunk after a full tail and does not return the full tail', () => {
    const steps = Array.from({ length: CHUNK_POINTS }, (_, i) => i);
    const [full] = appendPoints(undefined, steps, steps);
    const written = appendPoints(full, [CHUNK_POINTS + 5], [-3]);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ firstStep: CHUNK_POINTS + 5, lastStep: CHUNK_POINTS + 5, count: 1, min: -3, max: -3, first: -3, last: -3 });
  });

  it('keeps the first occurrence of a tied extreme when a tail grows', () => {
    const [tail] = appendPoints(undefined, [1, 2], [5, -1]);
    const [grown] = appendPoints(tail, [3, 4, 5], [-1, 5, -0]);
    expect(readChunkHeader(grown!)).toEqual({ count: 5, minStep: 2, maxStep: 1 });
    expect(grown).toMatchObject({ min: -1, max: 5, first: 5, last: -0 });
  });

  it('round-trips -0, subnormals and the largest doubles exactly', () => {
    const values = [-0, 0, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 1 / 3];
    const steps = [-1e15, -2.5, -0.5, 0, 0.25, 1, 2 ** 52, 1e300];
    const [chunk] = appendPoints(undefined, steps, values);
    const decoded = decodeChunk(chunk!);
    expect(Array.from(decoded.steps)).toEqual(steps);
    expect(Object.is(decoded.values[0], -0)).toBe(true);
    expect(Array.from(decoded.values)).toEqual(values);
  });

  it('decodes a blob that sits at an odd offset, as database drivers may hand it over', () => {
    const { steps, values } = awkwardPoints(1000, seededRandom(6));
    const [chunk] = appendPoints(undefined, steps, values);
    const shifted = Buffer.alloc(chunk!.data.byteLength + 3);
    shifted.set(chunk!.data, 3);
    const moved = { ...chunk!, data: shifted.subarray(3) };
    expect(moved.data.byteOffset % 8).not.toBe(0);
    const decoded = decodeChunk(moved);
    expect({ steps: Array.from(decoded.steps), values: Array.from(decoded.values) }).toEqual({ steps, values });
    expect(openChunk(moved).blocks).toEqual(openChunk(chunk!).blocks);
  });

  it('rejects steps that do not increase past the tail, naming the step', () => {
    const [tail] = appendPoints(undefined, [10, 20], [1, 2]);
    expect(() => appendPoints(tail, [20], [3])).toThrow(/step 20 at index 0 is not greater than the series' last step 20/);
    expect(() => appendPoints(tail, [5], [3])).toThrow(/step 5 at index 0 is not greater than the series' last step 20/);
    expect(() => appendPoints(tail, [21, 23, 23], [3, 4, 5])).toThrow(/step 23 at index 2 is not greater than the previous step 23/);
    expect(() => appendPoints(undefined, [2, 1], [3, 4])).toThrow(/step 1 at index 1 is not greater than the previous step 2/);
  });

  it('rejects non-finite steps and values and mismatched lengths', () => {
    expect(() => appendPoints(undefined, [Number.NaN], [1])).toThrow(/step NaN at index 0 is not a finite number/);
    expect(() => appendPoints(undefined, [1, Infinity], [1, 2])).toThrow(/step Infinity at index 1 is not a finite number/);
    expect(() => appendPoints(undefined, [1], [Number.NaN])).toThrow(/value NaN at step 1 is not finite/);
    expect(() => appendPoints(undefined, [1], [-Infinity])).toThrow(/value -Infinity at step 1 is not finite/);
    expect(() => appendPoints(undefined, [1, 2], [1])).toThrow(/2 steps but 1 values/);
  });
});

describe('decodeChunk', () => {
  it('refuses a truncated blob, a blob of another version and one that disagrees with its row', () => {
    const [chunk] = appendPoints(undefined, [1, 2, 3], [4, 5, 6]);
    expect(() => decodeChunk({ ...chunk!, data: chunk!.data.subarray(0, 10) })).toThrow(/shorter than its 24-byte header/);
    expect(() => decodeChunk({ ...chunk!, data: chunk!.data.subarray(0, chunk!.data.byteLength - 8) })).toThrow(/the row is corrupt/);
    expect(() => decodeChunk({ ...chunk!, count: 4 })).toThrow(/row says 4 points/);
    const future = Uint8Array.from(chunk!.data);
    future[0] = 2;
    expect(() => decodeChunk({ ...chunk!, data: future })).toThrow(/format version 2 is not supported/);
  });
});
