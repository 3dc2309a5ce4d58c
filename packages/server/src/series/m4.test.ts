import type { M4Bucket } from '@cairn/protocol';
import { describe, expect, it } from 'vitest';
import { FINE_POINTS, m4, m4Points, type M4Stats } from './m4.js';
import { appendPoints, BLOCK_POINTS, CHUNK_POINTS, type SeriesChunk } from './series-chunk.js';

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

/**
 * The reference: one pass over every point, straight from the definition. Bucket of x is
 * min(buckets − 1, floor((x − from) / w)), everything in bucket 0 when from === to; min and
 * max keep the first point with the extreme value.
 */
function naiveM4(xs: ArrayLike<number>, ys: ArrayLike<number>, from: number, to: number, buckets: number): Array<M4Bucket | null> {
  const out: Array<M4Bucket | null> = Array.from({ length: buckets }, () => null);
  const w = (to - from) / buckets;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    if (x < from || x > to) continue;
    const k = from === to ? 0 : Math.min(buckets - 1, Math.floor((x - from) / w));
    const bucket = out[k];
    if (bucket === null || bucket === undefined) {
      out[k] = { count: 1, first: [x, y], last: [x, y], min: [x, y], max: [x, y] };
      continue;
    }
    bucket.count++;
    bucket.last = [x, y];
    if (y < bucket.min[1]) bucket.min = [x, y];
    if (y > bucket.max[1]) bucket.max = [x, y];
  }
  return out;
}

interface Series {
  steps: number[];
  values: number[];
  chunks: SeriesChunk[];
}

type ValueShape = 'walk' | 'few-levels' | 'huge' | 'constant' | 'mixed';
const SHAPES: ValueShape[] = ['walk', 'few-levels', 'huge', 'constant', 'mixed'];

function randomValue(shape: ValueShape, random: () => number, previous: number): number {
  switch (shape) {
    case 'walk': return previous + (random() - 0.5);
    case 'few-levels': return [-2, -1, -0, 0, 1, 2][Math.floor(random() * 6)]!;
    case 'huge': return [Number.MAX_VALUE, -Number.MAX_VALUE, 1e300, -1e300, 5e-324, -0][Math.floor(random() * 6)]! * (random() < 0.5 ? 1 : random());
    case 'constant': return -7.25;
    case 'mixed': return random() < 0.3 ? randomValue('few-levels', random, previous) : random() < 0.5 ? randomValue('huge', random, previous) : (random() - 0.5) * 1e3;
  }
}

/**
 * A random series written the way ingest writes it: repeated appendPoints calls with random
 * batch sizes, each answer upserted into the "store" by firstStep.
 */
function randomSeries(seed: number, count: number): Series {
  const random = seededRandom(seed);
  const shape = SHAPES[seed % SHAPES.length]!;
  const fractional = random() < 0.3;
  const steps: number[] = [];
  const values: number[] = [];
  let step = Math.floor((random() - 0.3) * 1e6);
  let value = 0;
  for (let i = 0; i < count; i++) {
    steps.push(step);
    value = randomValue(shape, random, value);
    values.push(value);
    const jump = random();
    step += jump < 0.002 ? 1 + Math.floor(random() * 50_000) : jump < 0.05 ? 2 + Math.floor(random() * 100) : fractional ? 0.5 : 1;
  }
  const chunks: SeriesChunk[] = [];
  for (let offset = 0; offset < count;) {
    const size = Math.min(count - offset, 1 + Math.floor(random() ** 4 * 12_000));
    for (const chunk of appendPoints(chunks[chunks.length - 1], steps.slice(offset, offset + size), values.slice(offset, offset + size))) {
      if (chunks.length > 0 && chunks[chunks.length - 1]!.firstStep === chunk.firstStep) chunks[chunks.length - 1] = chunk;
      else chunks.push(chunk);
    }
    offset += size;
  }
  return { steps, values, chunks };
}

/** The chunks a store returns for [from, to]: those overlapping it, in step order. */
function overlapping(chunks: readonly SeriesChunk[], from: number, to: number): SeriesChunk[] {
  return chunks.filter((c) => c.lastStep >= from && c.firstStep <= to);
}

/** Ranges of every kind over a series: inside, straddling, outside, a single step, a gap. */
function rangesFor(series: Series, random: () => number): Array<[string, number, number]> {
  const { steps } = series;
  const lo = steps[0] ?? 0;
  const hi = steps[steps.length - 1] ?? 100;
  const span = Math.max(1, hi - lo);
  const anywhere = (): number => lo + random() * span;
  const someStep = (): number => steps.length === 0 ? lo : steps[Math.floor(random() * steps.length)]!;
  const [a, b] = [anywhere(), anywhere()].sort((p, q) => p - q) as [number, number];
  const [s, t] = [someStep(), someStep()].sort((p, q) => p - q) as [number, number];
  const ranges: Array<[string, number, number]> = [
    ['full', lo, hi],
    ['inside', a, b],
    ['inside, on steps', s, t],
    ['straddling the start', lo - span * random(), lo + random() * (hi - lo)],
    ['straddling the end', lo + random() * (hi - lo), hi + span * random()],
    ['around everything', lo - 1e6, hi + 1e6],
    ['before everything', lo - 1000, lo - 1],
    ['after everything', hi + 0.5, hi + 10],
    ['a single step', s, s],
    ['from === to between steps', a + 0.25, a + 0.25],
    ['tiny, inside', a, a + span * 1e-4],
  ];
  let widest = 0;
  for (let i = 1; i < steps.length; i++) if (steps[i]! - steps[i - 1]! > steps[widest + 1]! - steps[widest]!) widest = i - 1;
  if (steps.length > 1) ranges.push(['inside a gap', steps[widest]! + 0.5, steps[widest + 1]! - 0.5]);
  return ranges;
}

function freshStats(): M4Stats {
  return { chunksSummarized: 0, chunksOpened: 0, blocksSummarized: 0, fineBlocksSummarized: 0, blocksRefined: 0, pointsScanned: 0 };
}

describe('m4 equals a full scan', () => {
  const sizes = [0, 1, 2, 63, 64, 65, BLOCK_POINTS * 3 + 1, CHUNK_POINTS - 1, CHUNK_POINTS, CHUNK_POINTS + 1, 50_000];
  const sizeRandom = seededRandom(99);
  for (let i = 0; i < 14; i++) sizes.push(Math.floor(Math.exp(sizeRandom() * Math.log(50_000))));

  sizes.forEach((size, seed) => {
    it(`series #${seed}: ${size} points, ${SHAPES[seed % SHAPES.length]} values`, () => {
      const series = randomSeries(seed, size);
      const random = seededRandom(1000 + seed);
      for (const [name, from, to] of rangesFor(series, random)) {
        for (const buckets of [1, 7, 100, 1000, size + 13]) {
          const expected = naiveM4(series.steps, series.values, from, to, buckets);
          const label = `${name} [${from}, ${to}], ${buckets} buckets`;
          expect(m4(overlapping(series.chunks, from, to), from, to, buckets), label).toEqual(expected);
          expect(m4Points(series.steps, series.values, from, to, buckets), `m4Points, ${label}`).toEqual(expected);
        }
        // The store may hand over more chunks than overlap; they must not change the answer.
        expect(m4(series.chunks, from, to, 100), `${name}, all chunks`).toEqual(naiveM4(series.steps, series.values, from, to, 100));
      }
    });
  });

  it('gives the same answer for a blob at an odd offset, as drivers may hand it over', () => {
    const series = randomSeries(7, 9000);
    const moved = series.chunks.map((chunk) => {
      const buffer = Buffer.alloc(chunk.data.byteLength + 5);
      buffer.set(chunk.data, 5);
      return { ...chunk, data: buffer.subarray(5) };
    });
    const [from, to] = [series.steps[100]!, series.steps[8000]!];
    expect(m4(moved, from, to, 333)).toEqual(naiveM4(series.steps, series.values, from, to, 333));
  });
});

describe('m4 ties and edges', () => {
  it('picks the first point of a tied min or max, whatever the chunking', () => {
    const steps = [0, 1, 2, 3, 4, 5, 6, 7];
    const values = [3, 1, 3, 1, -0, 0, 3, 0];
    const expected: Array<M4Bucket | null> = [
      { count: 4, first: [0, 3], last: [3, 1], min: [1, 1], max: [0, 3] },
      { count: 4, first: [4, -0], last: [7, 0], min: [4, -0], max: [6, 3] },
    ];
    const oneChunk = appendPoints(undefined, steps, values);
    expect(m4(oneChunk, 0, 8, 2)).toEqual(expected);
    expect(m4Points(steps, values, 0, 8, 2)).toEqual(expected);
    // Written one point at a time the chunk is rebuilt eight times; same answer.
    let chunks: SeriesChunk[] = [];
    for (let i = 0; i < steps.length; i++) chunks = appendPoints(chunks[0], [steps[i]!], [values[i]!]);
    expect(m4(chunks, 0, 8, 2)).toEqual(expected);
  });

  it('picks the first tied extreme across whole chunks and blocks merged from their summaries', () => {
    const count = 3 * CHUNK_POINTS;
    const steps = Array.from({ length: count }, (_, i) => i);
    const values = steps.map((i) => (i % 2 === 0 ? 5 : -5));
    const chunks = appendPoints(undefined, steps, values);
    const stats = freshStats();
    expect(m4(chunks, 0, count - 1, 1, stats)).toEqual([
      { count, first: [0, 5], last: [count - 1, -5], min: [1, -5], max: [0, 5] },
    ]);
    expect(stats).toEqual({ chunksSummarized: 3, chunksOpened: 0, blocksSummarized: 0, fineBlocksSummarized: 0, blocksRefined: 0, pointsScanned: 0 });
  });

  it('puts `to` in the last bucket and everything in bucket 0 when from === to', () => {
    const chunks = appendPoints(undefined, [0, 5, 10], [1, 2, 3]);
    expect(m4(chunks, 0, 10, 2)).toEqual([
      { count: 1, first: [0, 1], last: [0, 1], min: [0, 1], max: [0, 1] },
      { count: 2, first: [5, 2], last: [10, 3], min: [5, 2], max: [10, 3] },
    ]);
    expect(m4(chunks, 5, 5, 3)).toEqual([{ count: 1, first: [5, 2], last: [5, 2], min: [5, 2], max: [5, 2] }, null, null]);
    expect(m4([], 0, 1, 4)).toEqual([null, null, null, null]);
  });

  it('rejects chunks out of order, bad ranges and bad bucket counts', () => {
    const [a, b] = appendPoints(undefined, Array.from({ length: CHUNK_POINTS + 1 }, (_, i) => i), new Array(CHUNK_POINTS + 1).fill(1));
    expect(() => m4([b!, a!], 0, 10_000, 10)).toThrow(/chunk starting at step 0 follows one ending at step 4096; pass the chunks of one series sorted by firstStep/);
    expect(() => m4([a!], 10, 0, 10)).toThrow(/range \[10, 0\] is not a finite range with from ≤ to/);
    expect(() => m4([a!], 0, Infinity, 10)).toThrow(RangeError);
    expect(() => m4([a!], 0, 10, 0)).toThrow(/bucket count 0 is not a positive integer/);
    expect(() => m4Points([0, 1], [0, 1], 0, 1, 2.5)).toThrow(/bucket count 2.5/);
    expect(() => m4Points([0, 2, 1], [0, 1, 2], 0, 2, 2)).toThrow(/x 1 at index 2 is smaller than the x before it \(2\); sort the points by x/);
    expect(() => m4Points([0, 1], [0, Number.NaN], 0, 2, 2)).toThrow(/y at index 1 \(x 1\) is NaN/);
    expect(() => m4Points([0, 1], [0], 0, 2, 2)).toThrow(/2 xs but 1 ys/);
  });
});

describe('m4Points', () => {
  it('equals a full scan for x-axes with repeated x (wall time, another metric)', () => {
    for (let seed = 0; seed < 12; seed++) {
      const random = seededRandom(500 + seed);
      const count = Math.floor(random() * 20_000);
      const xs: number[] = [];
      const ys: number[] = [];
      let x = (random() - 0.5) * 1e9;
      for (let i = 0; i < count; i++) {
        xs.push(x);
        ys.push(randomValue(SHAPES[seed % SHAPES.length]!, random, ys[i - 1] ?? 0));
        x += random() < 0.2 ? 0 : random() * 3.7;
      }
      const lo = xs[0] ?? 0;
      const hi = xs[xs.length - 1] ?? 1;
      const pick = (): number => xs[Math.floor(random() * xs.length)] ?? lo;
      const one = pick();
      const ranges: Array<[number, number]> = [
        [lo, hi], [lo - 5, (lo + hi) / 2], [(lo + hi) / 2, hi + 5], [pick(), pick()].sort((p, q) => p - q) as [number, number], [one, one],
      ];
      for (const [from, to] of ranges) {
        for (const buckets of [1, 7, 100, 1000, count + 13]) {
          expect(m4Points(xs, ys, from, to, buckets), `seed ${seed} [${from}, ${to}] ${buckets}`).toEqual(naiveM4(xs, ys, from, to, buckets));
        }
      }
    }
  });
});

describe('m4 reads summaries, not points', () => {
  const count = 1_000_000;
  const random = seededRandom(42);
  const steps = new Float64Array(count);
  const values = new Float64Array(count);
  let step = 0;
  let value = 1;
  for (let i = 0; i < count; i++) {
    steps[i] = step;
    values[i] = value;
    step += random() < 0.01 ? 1 + Math.floor(random() * 20) : 1;
    value = Math.max(0, value + (random() - 0.505) * 0.01);
  }
  const chunks: SeriesChunk[] = [];
  for (let offset = 0; offset < count; offset += 1000) {
    for (const chunk of appendPoints(chunks[chunks.length - 1], steps.subarray(offset, offset + 1000), values.subarray(offset, offset + 1000))) {
      if (chunks.length > 0 && chunks[chunks.length - 1]!.firstStep === chunk.firstStep) chunks[chunks.length - 1] = chunk;
      else chunks.push(chunk);
    }
  }
  const lastStep = steps[count - 1]!;

  it('scans at most one block per bucket edge for 1,000,000 points in 1,000 buckets', () => {
    const buckets = 1000;
    const stats = freshStats();
    expect(m4(chunks, 0, lastStep, buckets, stats)).toEqual(naiveM4(steps, values, 0, lastStep, buckets));
    // Every edge between buckets, plus `from` and `to`, lies inside at most one fine block.
    expect(stats.pointsScanned).toBeLessThanOrEqual((buckets + 1) * FINE_POINTS);
    expect(stats.chunksOpened + stats.chunksSummarized).toBe(chunks.length);
    expect(stats.blocksSummarized).toBeGreaterThan(count / BLOCK_POINTS - (buckets + 1) - chunks.length);
  });

  it('scans at most one block per bucket edge for a 10% zoom, and opens only the chunks it overlaps', () => {
    const buckets = 1000;
    const [from, to] = [lastStep * 0.45, lastStep * 0.55];
    const touched = overlapping(chunks, from, to);
    const stats = freshStats();
    expect(m4(touched, from, to, buckets, stats)).toEqual(naiveM4(steps, values, from, to, buckets));
    expect(stats.pointsScanned).toBeLessThanOrEqual((buckets + 1) * FINE_POINTS);
    expect(stats.chunksOpened + stats.chunksSummarized).toBe(touched.length);
    expect(touched.length).toBeLessThan(chunks.length / 8);
  });

  it('merges whole chunks from their row summary when buckets are wider than chunks', () => {
    const buckets = 10;
    const stats = freshStats();
    expect(m4(chunks, 0, lastStep, buckets, stats)).toEqual(naiveM4(steps, values, 0, lastStep, buckets));
    expect(stats.chunksOpened).toBeLessThanOrEqual(buckets + 1);
    expect(stats.chunksSummarized).toBe(chunks.length - stats.chunksOpened);
    expect(stats.pointsScanned).toBeLessThanOrEqual((buckets + 1) * FINE_POINTS);
  });

  it('summarises a block finely the first time it straddles an edge, then reuses that', () => {
    // 100 steps per bucket: most 64-point blocks straddle an edge.
    const [from, to] = [lastStep * 0.2, lastStep * 0.3];
    const touched = overlapping(chunks, from, to);
    const expected = naiveM4(steps, values, from, to, 1000);
    const first = freshStats();
    expect(m4(touched, from, to, 1000, first)).toEqual(expected);
    expect(first.blocksRefined).toBeGreaterThan(500);
    expect(first.fineBlocksSummarized).toBeGreaterThan(first.blocksRefined);
    const again = freshStats();
    expect(m4(touched, from, to, 1000, again)).toEqual(expected);
    expect(again.blocksRefined).toBe(0);
    expect(again).toEqual({ ...first, blocksRefined: 0 });
    expect(again.pointsScanned).toBeLessThanOrEqual(1001 * FINE_POINTS);
    // A zoom with other edges refines only the blocks the earlier query did not, and answers exactly.
    const zoom = freshStats();
    expect(m4(touched, from + 7.5, to - 3, 777, zoom)).toEqual(naiveM4(steps, values, from + 7.5, to - 3, 777));
  });
});
