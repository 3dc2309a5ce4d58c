/**
 * Exact M4 downsampling: for each of N equal-width buckets over [from, to], the first, last,
 * minimum and maximum point. A line drawn through those points at N pixel columns is the
 * line drawn through every point.
 *
 * Bucket i covers [from + i·w, from + (i+1)·w) with w = (to − from) / buckets, the last one
 * also holding `to`; a point's bucket is min(buckets − 1, floor((x − from) / w)), and every
 * point is in bucket 0 when from === to. That function never decreases as x grows, so when
 * the first and last point of a chunk or block fall in the same bucket, all of its points
 * do, and its precomputed summary can stand in for them.
 *
 * Ties: `min` and `max` are the FIRST point (smallest x) holding the extreme value, so the
 * answer never depends on how the points were chunked. Values compare numerically, so -0
 * and 0 tie.
 */
import type { M4Bucket } from '@cairn/protocol';
import { BLOCK_POINTS, BLOCK_STRIDE, openChunk, readChunkHeader, type SeriesChunk } from './series-chunk.js';

/** Work counters of m4(); each call adds to them, so one object can total several calls. */
export interface M4Stats {
  /** Chunks merged from their row summary, without decoding their blob. */
  chunksSummarized: number;
  /** Chunks whose arrays were opened to visit their blocks. */
  chunksOpened: number;
  /** Blocks merged from their precomputed summary. */
  blocksSummarized: number;
  /** Fine blocks (inside blocks that straddle a bucket edge) merged from their summary. */
  fineBlocksSummarized: number;
  /**
   * Blocks whose fine summaries this call computed (reading their points once): the first
   * time a block of a blob straddles an edge. Later calls on the same blob reuse them.
   */
  blocksRefined: number;
  /**
   * Points read one by one: those inside the range in fine blocks that straddle a bucket
   * edge or an end of the range.
   */
  pointsScanned: number;
}

/**
 * Points per fine block: a block that straddles a bucket edge is split into fine blocks of
 * this many points, so a bucket edge costs at most FINE_POINTS points read, not BLOCK_POINTS.
 * That matters when buckets are about as narrow as blocks (100 runs × 100,000 steps drawn at
 * 1,000 pixels: 100 steps per bucket, and most blocks straddle an edge).
 */
export const FINE_POINTS = 16;
const FINE_PER_BLOCK = BLOCK_POINTS / FINE_POINTS;

/**
 * Fine-block summaries (minStep, min, maxStep, max per fine block; NaN until computed), kept
 * beside a chunk's blob in memory, never stored: the chunk cache (store/series-reader.ts)
 * hands the same blob to every query, so each block is summarised finely once, the first
 * time it straddles an edge, and the summaries go when the blob is evicted and collected. A
 * chunk that grows is a new blob, summarised anew. Not counted in the cache's byte budget:
 * at most 2 bytes per point, an eighth of the blob.
 */
const fineByBlob = new WeakMap<Uint8Array, Float64Array>();

function fineSummaries(data: Uint8Array, count: number): Float64Array {
  let fine = fineByBlob.get(data);
  if (fine === undefined) {
    fine = new Float64Array(Math.ceil(count / BLOCK_POINTS) * FINE_PER_BLOCK * BLOCK_STRIDE).fill(Number.NaN);
    fineByBlob.set(data, fine);
  }
  return fine;
}

/** Summarises the fine blocks of block `b` (first occurrence of each extreme, as elsewhere). */
function summariseFineBlocks(steps: Float64Array, values: Float64Array, b: number, fine: Float64Array): void {
  const end = Math.min(steps.length, (b + 1) * BLOCK_POINTS);
  for (let begin = b * BLOCK_POINTS, f = b * FINE_PER_BLOCK; begin < end; begin += FINE_POINTS, f++) {
    const stop = Math.min(end, begin + FINE_POINTS);
    let minIndex = begin;
    let maxIndex = begin;
    for (let i = begin + 1; i < stop; i++) {
      const value = values[i]!;
      if (value < values[minIndex]!) minIndex = i;
      if (value > values[maxIndex]!) maxIndex = i;
    }
    const at = f * BLOCK_STRIDE;
    fine[at] = steps[minIndex]!;
    fine[at + 1] = values[minIndex]!;
    fine[at + 2] = steps[maxIndex]!;
    fine[at + 3] = values[maxIndex]!;
  }
}

/**
 * Exact M4 over [from, to] (inclusive, in step units) split into `buckets` equal-width
 * buckets. `chunks` are the chunks of ONE series overlapping [from, to], sorted by
 * firstStep (extra chunks outside the range are skipped). Returns an array of length
 * `buckets`, null where a bucket holds no point. Deterministic.
 *
 * Cost: O(buckets + chunks touched), precisely at most (buckets + 1) · FINE_POINTS points
 * read plus CHUNK_POINTS / BLOCK_POINTS block summaries per chunk and BLOCK_POINTS /
 * FINE_POINTS fine-block summaries per edge: a chunk inside one bucket is merged from its
 * row summary, a block inside one bucket from its block summary, a block that straddles a
 * bucket edge (or an end of the range) from the summaries of its fine blocks, and only fine
 * blocks that straddle an edge are read point by point; spans do not overlap, so each edge
 * falls inside at most one block and one fine block. (The first time a blob's block
 * straddles an edge, its BLOCK_POINTS points are read once to summarise its fine blocks.)
 *
 * @example
 *     // chunks: the rows of (run, 'loss') overlapping [0, 10000], ordered by firstStep
 *     const stats = { chunksSummarized: 0, chunksOpened: 0, blocksSummarized: 0, fineBlocksSummarized: 0, blocksRefined: 0, pointsScanned: 0 };
 *     const columns = m4(chunks, 0, 10_000, 800, stats); // 800 entries, M4Bucket or null
 */
export function m4(
  chunks: readonly SeriesChunk[],
  from: number,
  to: number,
  buckets: number,
  stats?: M4Stats,
): Array<M4Bucket | null> {
  return bucketsOf(m4Columns(chunks, from, to, buckets, stats));
}

/**
 * The M4 answer as columns, one typed array per field, bucket k at index k (count 0: empty):
 * what a binary answer or a chart needs, without an object per bucket.
 */
export interface M4Columns {
  counts: Float64Array;
  firstX: Float64Array;
  firstY: Float64Array;
  lastX: Float64Array;
  lastY: Float64Array;
  minX: Float64Array;
  minY: Float64Array;
  maxX: Float64Array;
  maxY: Float64Array;
}

/** {@link m4}, answering columns. */
export function m4Columns(
  chunks: readonly SeriesChunk[],
  from: number,
  to: number,
  buckets: number,
  stats?: M4Stats,
): M4Columns {
  const grid = new BucketGrid(from, to, buckets);
  const acc = new M4Accumulator(buckets);
  let chunksSummarized = 0;
  let chunksOpened = 0;
  let blocksSummarized = 0;
  let pointsScanned = 0;
  let previousLastStep = -Infinity;
  // Local copies: loaders that compile modules on the fly (tsx, vitest) turn an imported
  // binding into a getter call, which in the block loop cost as much as the loop itself.
  const blockPoints = BLOCK_POINTS;
  const blockStride = BLOCK_STRIDE;
  const finePoints = FINE_POINTS;
  const fineStride = BLOCK_STRIDE;
  let fineSummarized = 0;
  let blocksRefined = 0;

  for (const chunk of chunks) {
    if (!(chunk.firstStep > previousLastStep)) {
      throw new Error(`m4: chunk starting at step ${chunk.firstStep} follows one ending at step ${previousLastStep}; pass the chunks of one series sorted by firstStep`);
    }
    previousLastStep = chunk.lastStep;
    if (chunk.count === 0 || chunk.lastStep < from) continue;
    if (chunk.firstStep > to) break;

    if (chunk.firstStep >= from && chunk.lastStep <= to) {
      const bucket = grid.index(chunk.firstStep);
      if (bucket === grid.index(chunk.lastStep)) {
        const { minStep, maxStep } = readChunkHeader(chunk);
        acc.addSummary(bucket, chunk.count, chunk.firstStep, chunk.first, chunk.lastStep, chunk.last, minStep, chunk.min, maxStep, chunk.max);
        chunksSummarized++;
        continue;
      }
    }

    chunksOpened++;
    const { steps, values, blocks } = openChunk(chunk);
    const count = steps.length;
    let fine: Float64Array | undefined;
    for (let begin = 0, b = 0; begin < count; begin += blockPoints, b++) {
      const end = Math.min(count, begin + blockPoints);
      const firstX = steps[begin]!;
      const lastX = steps[end - 1]!;
      if (lastX < from) continue;
      if (firstX > to) break;
      if (firstX >= from && lastX <= to) {
        const bucket = grid.index(firstX);
        if (bucket === grid.index(lastX)) {
          const at = b * blockStride;
          acc.addSummary(bucket, end - begin, firstX, values[begin]!, lastX, values[end - 1]!, blocks[at]!, blocks[at + 1]!, blocks[at + 2]!, blocks[at + 3]!);
          blocksSummarized++;
          continue;
        }
      }
      // The block straddles a bucket edge or an end of the range: go down to its fine
      // blocks, merging those inside one bucket from their summaries and the rest (clipped
      // to the range by binary search) as runs of points sharing a bucket.
      fine ??= fineSummaries(chunk.data, count);
      if (Number.isNaN(fine[b * fineStride * FINE_PER_BLOCK])) {
        summariseFineBlocks(steps, values, b, fine);
        blocksRefined++;
      }
      for (let fineBegin = begin, f = b * FINE_PER_BLOCK; fineBegin < end; fineBegin += finePoints, f++) {
        const fineEnd = Math.min(end, fineBegin + finePoints);
        const fineFirstX = steps[fineBegin]!;
        const fineLastX = steps[fineEnd - 1]!;
        if (fineLastX < from) continue;
        if (fineFirstX > to) break;
        if (fineFirstX >= from && fineLastX <= to) {
          const bucket = grid.index(fineFirstX);
          if (bucket === grid.index(fineLastX)) {
            const at = f * fineStride;
            acc.addSummary(bucket, fineEnd - fineBegin, fineFirstX, values[fineBegin]!, fineLastX, values[fineEnd - 1]!, fine[at]!, fine[at + 1]!, fine[at + 2]!, fine[at + 3]!);
            fineSummarized++;
            continue;
          }
        }
        const start = fineFirstX >= from ? fineBegin : firstIndexAtLeast(steps, from, fineBegin, fineEnd);
        const stop = fineLastX <= to ? fineEnd : firstIndexAbove(steps, to, start, fineEnd);
        mergeRuns(steps, values, start, stop, grid, acc);
        pointsScanned += stop - start;
      }
    }
  }

  if (stats !== undefined) {
    stats.chunksSummarized += chunksSummarized;
    stats.chunksOpened += chunksOpened;
    stats.blocksSummarized += blocksSummarized;
    stats.pointsScanned += pointsScanned;
    stats.fineBlocksSummarized += fineSummarized;
    stats.blocksRefined += blocksRefined;
  }
  return acc.columns();
}

/**
 * The same M4 over an arbitrary point list sorted by x (ties allowed; among points with the
 * same x, array order decides first / last and ties of min / max): for x-axes other than
 * _step (runtime, wall time, another metric), where the caller joins the points first.
 * Finds the range by binary search, then reads only the points inside it. ys must not be NaN.
 */
export function m4Points(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  from: number,
  to: number,
  buckets: number,
): Array<M4Bucket | null> {
  return bucketsOf(m4PointsColumns(xs, ys, from, to, buckets));
}

/** {@link m4Points}, answering columns. */
export function m4PointsColumns(xs: ArrayLike<number>, ys: ArrayLike<number>, from: number, to: number, buckets: number): M4Columns {
  if (xs.length !== ys.length) throw new Error(`m4Points: ${xs.length} xs but ${ys.length} ys; pass one y per x`);
  const grid = new BucketGrid(from, to, buckets);
  const acc = new M4Accumulator(buckets);
  const start = firstIndexAtLeast(xs, from, 0, xs.length);
  const stop = firstIndexAbove(xs, to, start, xs.length);
  for (let i = start; i < stop; i++) {
    if (i > start && !(xs[i]! >= xs[i - 1]!)) {
      throw new Error(`m4Points: x ${xs[i]} at index ${i} is smaller than the x before it (${xs[i - 1]}); sort the points by x`);
    }
    if (Number.isNaN(ys[i])) throw new Error(`m4Points: y at index ${i} (x ${xs[i]}) is NaN; drop such points before downsampling`);
  }
  mergeRuns(xs, ys, start, stop, grid, acc);
  return acc.columns();
}

/** The columns as one M4Bucket (or null) per bucket. */
export function bucketsOf(columns: M4Columns): Array<M4Bucket | null> {
  const { counts, firstX, firstY, lastX, lastY, minX, minY, maxX, maxY } = columns;
  const out = new Array<M4Bucket | null>(counts.length);
  for (let k = 0; k < counts.length; k++) {
    const count = counts[k]!;
    out[k] = count === 0 ? null : { count, first: [firstX[k]!, firstY[k]!], last: [lastX[k]!, lastY[k]!], min: [minX[k]!, minY[k]!], max: [maxX[k]!, maxY[k]!] };
  }
  return out;
}

/**
 * Merges points [start, stop) (x ascending, all inside the range) into the accumulator, one
 * run of same-bucket points at a time: each run's end is found by galloping search on the
 * bucket index (monotone in x), so the per-point work is one comparison pair on y.
 */
function mergeRuns(
  xs: ArrayLike<number>, ys: ArrayLike<number>, start: number, stop: number, grid: BucketGrid, acc: M4Accumulator,
): void {
  let i = start;
  while (i < stop) {
    const bucket = grid.index(xs[i]!);
    // Invariant: points before `low` are in `bucket`; the point at `high` (if < stop) is past it.
    let low = i + 1;
    let high = low;
    for (let step = 1; high < stop && grid.index(xs[high]!) <= bucket; step *= 2) {
      low = high + 1;
      high = i + 2 * step;
    }
    if (high > stop) high = stop;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (grid.index(xs[mid]!) <= bucket) low = mid + 1;
      else high = mid;
    }
    let minIndex = i;
    let maxIndex = i;
    let min = ys[i]!;
    let max = min;
    for (let p = i + 1; p < low; p++) {
      const y = ys[p]!;
      if (y < min) {
        min = y;
        minIndex = p;
      }
      if (y > max) {
        max = y;
        maxIndex = p;
      }
    }
    acc.addSummary(bucket, low - i, xs[i]!, ys[i]!, xs[low - 1]!, ys[low - 1]!, xs[minIndex]!, min, xs[maxIndex]!, max);
    i = low;
  }
}

/** The first index in [begin, end) whose x is ≥ `bound` (xs ascending), or `end`. */
function firstIndexAtLeast(xs: ArrayLike<number>, bound: number, begin: number, end: number): number {
  let low = begin;
  let high = end;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (xs[mid]! < bound) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The first index in [begin, end) whose x is > `bound` (xs ascending), or `end`. */
function firstIndexAbove(xs: ArrayLike<number>, bound: number, begin: number, end: number): number {
  let low = begin;
  let high = end;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (xs[mid]! <= bound) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Maps an x inside [from, to] to its bucket. */
class BucketGrid {
  private readonly width: number;

  constructor(
    private readonly from: number,
    to: number,
    private readonly buckets: number,
  ) {
    if (!Number.isFinite(from) || !Number.isFinite(to) || from > to) {
      throw new RangeError(`m4: range [${from}, ${to}] is not a finite range with from ≤ to`);
    }
    if (!Number.isInteger(buckets) || buckets < 1) {
      throw new RangeError(`m4: bucket count ${buckets} is not a positive integer`);
    }
    this.width = (to - from) / buckets;
  }

  index(x: number): number {
    // When from === to the quotient is 0/0 = NaN, which fails both comparisons: bucket 0.
    const q = Math.floor((x - this.from) / this.width);
    if (q >= this.buckets - 1) return this.buckets - 1;
    return q >= 0 ? q : 0;
  }
}

/**
 * Per-bucket M4 state as parallel typed arrays. Input must arrive in increasing x, so the
 * first addition to a bucket is its first point and every addition its new last point;
 * strict comparisons keep the earliest of tied extremes.
 */
class M4Accumulator {
  private readonly counts: Float64Array;
  private readonly firstX: Float64Array;
  private readonly firstY: Float64Array;
  private readonly lastX: Float64Array;
  private readonly lastY: Float64Array;
  private readonly minX: Float64Array;
  private readonly minY: Float64Array;
  private readonly maxX: Float64Array;
  private readonly maxY: Float64Array;

  constructor(private readonly buckets: number) {
    this.counts = new Float64Array(buckets);
    this.firstX = new Float64Array(buckets);
    this.firstY = new Float64Array(buckets);
    this.lastX = new Float64Array(buckets);
    this.lastY = new Float64Array(buckets);
    this.minX = new Float64Array(buckets);
    this.minY = new Float64Array(buckets);
    this.maxX = new Float64Array(buckets);
    this.maxY = new Float64Array(buckets);
  }

  addSummary(
    k: number, count: number,
    firstX: number, firstY: number, lastX: number, lastY: number,
    minX: number, minY: number, maxX: number, maxY: number,
  ): void {
    if (this.counts[k] === 0) {
      this.firstX[k] = firstX;
      this.firstY[k] = firstY;
      this.minX[k] = minX;
      this.minY[k] = minY;
      this.maxX[k] = maxX;
      this.maxY[k] = maxY;
    } else {
      if (minY < this.minY[k]!) {
        this.minX[k] = minX;
        this.minY[k] = minY;
      }
      if (maxY > this.maxY[k]!) {
        this.maxX[k] = maxX;
        this.maxY[k] = maxY;
      }
    }
    this.lastX[k] = lastX;
    this.lastY[k] = lastY;
    this.counts[k]! += count;
  }

  columns(): M4Columns {
    const { counts, firstX, firstY, lastX, lastY, minX, minY, maxX, maxY } = this;
    return { counts, firstX, firstY, lastX, lastY, minX, minY, maxX, maxY };
  }
}
