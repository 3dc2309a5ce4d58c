/**
 * Numeric series stored in chunks: one database row per chunk of one (run, key) series,
 * holding summary columns plus one binary blob. See ARCHITECTURE.md "Storage that stays fast".
 *
 * Blob layout (version 1, all little-endian; every section starts on an 8-byte boundary):
 *
 *     offset 0            u32  version (1)
 *     offset 4            u32  count: number of points
 *     offset 8            f64  step of the chunk's minimum (first occurrence)
 *     offset 16           f64  step of the chunk's maximum (first occurrence)
 *     offset 24           f64  steps[count]    strictly increasing
 *     24 + 8·count        f64  values[count]   finite
 *     24 + 16·count       f64  blocks[4 · ceil(count / BLOCK_POINTS)]
 *                              per block: minStep, min, maxStep, max
 *
 * Block b holds points [b·BLOCK_POINTS, min((b+1)·BLOCK_POINTS, count)). Its count, first
 * and last points are implied by that index range (one array read each), so they are not
 * stored twice; only the extremes, which would need a scan, are precomputed. With the chunk
 * summary (row columns plus the two extremum steps in the header) that makes two levels of
 * precomputed min / max / first / last, which is what lets m4() skip whole chunks and blocks.
 */

/**
 * Maximum points per chunk. 4096 points make a ~66 KB blob: a chart over 1,000,000 points
 * reads ~245 rows, while an ingest batch that lands in a part-filled tail rewrites at most
 * one 66 KB blob (a memcpy plus the summaries of the last block onward). Larger chunks mean
 * fewer rows but costlier tail rewrites and more work per chunk that straddles a pixel
 * column; smaller chunks mean per-row overhead dominates the read.
 */
export const CHUNK_POINTS = 4096;

/**
 * Points per precomputed block summary inside a chunk. 64 keeps the summaries at 3% of the
 * blob (32 bytes per 1 KB of points) while bounding the points decoded at a bucket boundary
 * to 64; a chunk has at most 64 blocks, so visiting every block of a chunk stays O(1).
 */
export const BLOCK_POINTS = 64;

/** One chunk of a (run, key) series: the summary columns of its row plus its blob. */
export interface SeriesChunk {
  firstStep: number;
  lastStep: number;
  count: number;
  /** Smallest / largest / first / last value in the chunk. */
  min: number;
  max: number;
  first: number;
  last: number;
  /** The encoded steps, values and block summaries (layout in the comment at the top of this file). */
  data: Uint8Array;
}

/** A chunk's arrays, ready to read. May alias `chunk.data`: never mutate them. */
export interface OpenChunk {
  steps: Float64Array;
  values: Float64Array;
  /** Per block: minStep, min, maxStep, max (4 entries per block). */
  blocks: Float64Array;
  /** Steps of the chunk's minimum and maximum (first occurrence). */
  minStep: number;
  maxStep: number;
}

const FORMAT_VERSION = 1;
const HEADER_BYTES = 24;
/** Entries per block summary in the blocks array. */
export const BLOCK_STRIDE = 4;

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function blockCount(count: number): number {
  return Math.ceil(count / BLOCK_POINTS);
}

function blobBytes(count: number): number {
  return HEADER_BYTES + 16 * count + 8 * BLOCK_STRIDE * blockCount(count);
}

/**
 * Appends points to a series whose last chunk is `tail` (undefined for a new series).
 * Steps must be finite, strictly increasing and greater than `tail.lastStep`; values finite.
 *
 * Returns the rows to write, in step order: the rewritten tail first when it had room (same
 * firstStep, so the store upserts it by (run, key, firstStep)), then any new chunks of at
 * most CHUNK_POINTS points. A full tail is not returned; no points return `[]`. Pure: neither
 * `tail` nor the inputs are modified.
 *
 * @example
 *     const rows = appendPoints(await store.lastChunk(run, key), [10, 11], [0.5, 0.4]);
 *     for (const row of rows) await store.upsertChunk(run, key, row);
 */
export function appendPoints(
  tail: SeriesChunk | undefined,
  steps: ArrayLike<number>,
  values: ArrayLike<number>,
): SeriesChunk[] {
  const n = steps.length;
  if (values.length !== n) {
    throw new Error(`appendPoints: ${n} steps but ${values.length} values; pass one value per step`);
  }
  let previous = tail === undefined ? -Infinity : tail.lastStep;
  for (let i = 0; i < n; i++) {
    const step = steps[i]!;
    const value = values[i]!;
    if (!Number.isFinite(step)) throw new Error(`appendPoints: step ${step} at index ${i} is not a finite number`);
    if (!(step > previous)) {
      const after = i === 0 && tail !== undefined ? `the series' last step ${previous}` : `the previous step ${previous}`;
      throw new Error(`appendPoints: step ${step} at index ${i} is not greater than ${after}; steps must be strictly increasing`);
    }
    if (!Number.isFinite(value)) {
      throw new Error(`appendPoints: value ${value} at step ${step} is not finite; series hold finite numbers only`);
    }
    previous = step;
  }
  if (n === 0) return [];

  const chunks: SeriesChunk[] = [];
  let offset = 0;
  if (tail !== undefined && tail.count < CHUNK_POINTS) {
    const take = Math.min(CHUNK_POINTS - tail.count, n);
    chunks.push(encodeChunk(tail, steps, values, 0, take));
    offset = take;
  }
  while (offset < n) {
    const take = Math.min(CHUNK_POINTS, n - offset);
    chunks.push(encodeChunk(undefined, steps, values, offset, take));
    offset += take;
  }
  return chunks;
}

/**
 * Builds a chunk from `prefix` (a chunk to extend, or undefined) followed by points
 * [start, start + take) of the inputs. The prefix's arrays and the summaries of its full
 * blocks are copied as they are; only the last, partial block onward is summarised again.
 */
function encodeChunk(
  prefix: SeriesChunk | undefined,
  steps: ArrayLike<number>,
  values: ArrayLike<number>,
  start: number,
  take: number,
): SeriesChunk {
  const old = prefix === undefined ? undefined : openChunk(prefix);
  const oldCount = old === undefined ? 0 : old.steps.length;
  const count = oldCount + take;
  const buffer = new ArrayBuffer(blobBytes(count));
  const view = new DataView(buffer);
  // On little-endian hosts the arrays are built in place inside the blob; elsewhere they are
  // built apart and written out byte-swapped at the end.
  const blockEntries = BLOCK_STRIDE * blockCount(count);
  const outSteps = LITTLE_ENDIAN_HOST ? new Float64Array(buffer, HEADER_BYTES, count) : new Float64Array(count);
  const outValues = LITTLE_ENDIAN_HOST ? new Float64Array(buffer, HEADER_BYTES + 8 * count, count) : new Float64Array(count);
  const outBlocks = LITTLE_ENDIAN_HOST ? new Float64Array(buffer, HEADER_BYTES + 16 * count, blockEntries) : new Float64Array(blockEntries);

  if (old !== undefined) {
    outSteps.set(old.steps);
    outValues.set(old.values);
  }
  for (let i = 0; i < take; i++) {
    outSteps[oldCount + i] = steps[start + i]!;
    outValues[oldCount + i] = values[start + i]!;
  }

  const keptBlocks = Math.floor(oldCount / BLOCK_POINTS);
  if (old !== undefined) outBlocks.set(old.blocks.subarray(0, keptBlocks * BLOCK_STRIDE));
  for (let b = keptBlocks; b < blockCount(count); b++) {
    summariseBlock(outSteps, outValues, b, Math.min(count, (b + 1) * BLOCK_POINTS), outBlocks);
  }

  // Extend the chunk extremes with the new points only. Strict comparisons keep the first
  // occurrence of a tied extreme, which m4() relies on for deterministic answers.
  let min = prefix?.min ?? outValues[0]!;
  let max = prefix?.max ?? outValues[0]!;
  let minStep = old?.minStep ?? outSteps[0]!;
  let maxStep = old?.maxStep ?? outSteps[0]!;
  for (let i = oldCount; i < count; i++) {
    const value = outValues[i]!;
    if (value < min) {
      min = value;
      minStep = outSteps[i]!;
    }
    if (value > max) {
      max = value;
      maxStep = outSteps[i]!;
    }
  }

  view.setUint32(0, FORMAT_VERSION, true);
  view.setUint32(4, count, true);
  view.setFloat64(8, minStep, true);
  view.setFloat64(16, maxStep, true);
  if (!LITTLE_ENDIAN_HOST) {
    writeFloats(view, HEADER_BYTES, outSteps);
    writeFloats(view, HEADER_BYTES + 8 * count, outValues);
    writeFloats(view, HEADER_BYTES + 16 * count, outBlocks);
  }

  return {
    firstStep: outSteps[0]!,
    lastStep: outSteps[count - 1]!,
    count,
    min,
    max,
    first: outValues[0]!,
    last: outValues[count - 1]!,
    data: new Uint8Array(buffer),
  };
}

/** Writes the extremes of block `b` (points [b·BLOCK_POINTS, end)) into `blocks`. */
function summariseBlock(steps: Float64Array, values: Float64Array, b: number, end: number, blocks: Float64Array): void {
  const begin = b * BLOCK_POINTS;
  let minIndex = begin;
  let maxIndex = begin;
  for (let i = begin + 1; i < end; i++) {
    const value = values[i]!;
    if (value < values[minIndex]!) minIndex = i;
    if (value > values[maxIndex]!) maxIndex = i;
  }
  const at = b * BLOCK_STRIDE;
  blocks[at] = steps[minIndex]!;
  blocks[at + 1] = values[minIndex]!;
  blocks[at + 2] = steps[maxIndex]!;
  blocks[at + 3] = values[maxIndex]!;
}

function writeFloats(view: DataView, byteOffset: number, floats: Float64Array): void {
  for (let i = 0; i < floats.length; i++) view.setFloat64(byteOffset + 8 * i, floats[i]!, true);
}

function readFloats(bytes: Uint8Array, byteOffset: number, length: number): Float64Array {
  if (LITTLE_ENDIAN_HOST) return new Float64Array(bytes.buffer, bytes.byteOffset + byteOffset, length);
  const view = new DataView(bytes.buffer, bytes.byteOffset + byteOffset, 8 * length);
  const floats = new Float64Array(length);
  for (let i = 0; i < length; i++) floats[i] = view.getFloat64(8 * i, true);
  return floats;
}

/**
 * The header of a chunk's blob: point count and the steps of its extremes. O(1): reads 24
 * bytes, decodes no point. Throws when the blob does not match the row's columns.
 */
export function readChunkHeader(chunk: SeriesChunk): { count: number; minStep: number; maxStep: number } {
  const { data } = chunk;
  if (data.byteLength < HEADER_BYTES) {
    throw new Error(`series chunk at step ${chunk.firstStep}: blob is ${data.byteLength} bytes, shorter than its ${HEADER_BYTES}-byte header (corrupt or truncated row)`);
  }
  const view = new DataView(data.buffer, data.byteOffset, HEADER_BYTES);
  const version = view.getUint32(0, true);
  if (version !== FORMAT_VERSION) {
    throw new Error(`series chunk at step ${chunk.firstStep}: blob format version ${version} is not supported (expected ${FORMAT_VERSION}); upgrade the server`);
  }
  const count = view.getUint32(4, true);
  if (count !== chunk.count || data.byteLength !== blobBytes(count)) {
    throw new Error(`series chunk at step ${chunk.firstStep}: blob holds ${count} points in ${data.byteLength} bytes but the row says ${chunk.count} points (${blobBytes(chunk.count)} bytes); the row is corrupt`);
  }
  return { count, minStep: view.getFloat64(8, true), maxStep: view.getFloat64(16, true) };
}

/**
 * A chunk's steps, values and block summaries as Float64Arrays. Zero-copy when the blob is
 * 8-byte aligned on a little-endian host (blobs made by appendPoints are); otherwise the
 * blob is copied once into aligned memory.
 */
export function openChunk(chunk: SeriesChunk): OpenChunk {
  const { count, minStep, maxStep } = readChunkHeader(chunk);
  let bytes = chunk.data;
  if (LITTLE_ENDIAN_HOST && bytes.byteOffset % 8 !== 0) {
    // An explicit copy: Buffer#slice (drivers hand out Buffers) returns a view, not a copy.
    bytes = new Uint8Array(chunk.data.byteLength);
    bytes.set(chunk.data);
  }
  return {
    steps: readFloats(bytes, HEADER_BYTES, count),
    values: readFloats(bytes, HEADER_BYTES + 8 * count, count),
    blocks: readFloats(bytes, HEADER_BYTES + 16 * count, BLOCK_STRIDE * blockCount(count)),
    minStep,
    maxStep,
  };
}

/** A chunk's steps (x) and values (y). The arrays may alias `chunk.data`: never mutate them. */
export function decodeChunk(chunk: SeriesChunk): { steps: Float64Array; values: Float64Array } {
  const { steps, values } = openChunk(chunk);
  return { steps, values };
}
