/**
 * The binary series answer (`format: 'binary'` in a {@link SeriesRequest}): the numbers of a
 * {@link SeriesResponse}, exactly, in fewer bytes than plain float64s (a bucket over steps: 42
 * bytes, or 26 with float32 values, instead of 72) — a chart of 100 runs is megabytes, and
 * every byte is read again on its way into the browser — and without an object per bucket on
 * either end.
 *
 * Layout (little-endian; every section starts and ends on an 8-byte boundary, so each can be
 * read as a typed array in place):
 *
 *     answer   u32 version (2), u32 number of series S (= runs × keys), then S series,
 *              in request order: runs outer, keys inner
 *     series   u32 B: buckets (0: no such run or series; nothing else follows)
 *              u32 codes: bits 0–1 counts, bits 2–3 xs, bit 4 ys (below)
 *              counts  B unsigned integers: points in each bucket, 0 for an empty one
 *              ys      P values: the stored points' y, float64, or float32 (code 1) when
 *                      every one of them is a float32 exactly
 *              xs      P values: the stored points' x, float64 (code 3); or (codes 0–2) a
 *                      float64 x0 then P unsigned integer deltas (below)
 *
 * Stored points: none for an empty bucket; one for a bucket of one point (its first, last,
 * min and max are that point); else four: first, last, min, max. P is their total. Integer
 * codes 0, 1, 2 are u8, u16, u32, code 3 float64: each column is as narrow as its largest
 * value allows.
 *
 * x deltas: a bucket's first x is the last x of the non-empty bucket before it (for the
 * first one, x0) plus its delta; its last, min and max x are its first x plus theirs. The
 * encoder uses deltas only when every x is an integer that the sum gives back exactly (steps
 * always are; other axes rarely), else float64 xs; and float32 ys only when each y is one.
 * Either way the decoder gets back the very numbers encoded: nothing shown (a tooltip's x,
 * y, min, max, count) or drawn loses precision.
 */
import type { M4Bucket, SeriesRequest, SeriesResponse } from './api.js';

/** The layout version the answer starts with. */
export const SERIES_BINARY_VERSION = 2;

/**
 * One series' M4 buckets as columns, bucket k at index k (what the server computes): a count
 * of 0 is an empty bucket, whose other fields are ignored.
 */
export interface SeriesColumns {
  counts: ArrayLike<number>;
  firstX: ArrayLike<number>;
  firstY: ArrayLike<number>;
  lastX: ArrayLike<number>;
  lastY: ArrayLike<number>;
  minX: ArrayLike<number>;
  minY: ArrayLike<number>;
  maxX: ArrayLike<number>;
  maxY: ArrayLike<number>;
}

/**
 * The columns of buckets in their object form (a JSON series answer; tests): null is an empty
 * bucket.
 *
 * @example
 * encodeSeriesBinary([seriesColumns([{ count: 1, first: [0, 5], last: [0, 5], min: [0, 5], max: [0, 5] }, null])]);
 */
export function seriesColumns(buckets: ReadonlyArray<M4Bucket | null>): SeriesColumns {
  const column = (read: (bucket: M4Bucket) => number) => Float64Array.from(buckets, (bucket) => (bucket ? read(bucket) : 0));
  return {
    counts: column((b) => b.count),
    firstX: column((b) => b.first[0]),
    firstY: column((b) => b.first[1]),
    lastX: column((b) => b.last[0]),
    lastY: column((b) => b.last[1]),
    minX: column((b) => b.min[0]),
    minY: column((b) => b.min[1]),
    maxX: column((b) => b.max[0]),
    maxY: column((b) => b.max[1]),
  };
}

/** Float64s per bucket in {@link readSeriesBinary}'s output: count, then x and y of first, last, min, max. */
export const SERIES_BUCKET_STRIDE = 9;

const ANSWER_HEADER_BYTES = 8;
const SERIES_HEADER_BYTES = 8;
/** Integer column codes: u8, u16, u32, float64. */
const U8 = 0;
const U16 = 1;
const U32 = 2;
const F64 = 3;
const WIDTH = [1, 2, 4, 8] as const;
const Y_F32 = 1;

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function padded(bytes: number): number {
  return Math.ceil(bytes / 8) * 8;
}

/** The narrowest integer code holding every value up to `max` (all non-negative integers). */
function integerCode(max: number): number {
  return max < 2 ** 8 ? U8 : max < 2 ** 16 ? U16 : max < 2 ** 32 ? U32 : F64;
}

interface Plan {
  buckets: number;
  points: number;
  countCode: number;
  xCode: number;
  yCode: number;
  x0: number;
  bytes: number;
}

/** Stored points of a bucket of `count` points. */
function storedPoints(count: number): number {
  return count === 0 ? 0 : count === 1 ? 1 : 4;
}

/** The codes and size of one series: one pass over its buckets. */
function plan(columns: SeriesColumns | undefined): Plan {
  const buckets = columns ? columns.counts.length : 0;
  if (!columns || buckets === 0) return { buckets: 0, points: 0, countCode: U8, xCode: F64, yCode: 0, x0: 0, bytes: SERIES_HEADER_BYTES };
  const { counts, firstX, firstY, lastX, lastY, minX, minY, maxX, maxY } = columns;
  let points = 0;
  let maxCount = 0;
  let yF32 = true;
  let xIntegers = true;
  let maxDelta = 0;
  let x0 = 0;
  let anchor = NaN;
  // Whether x = base + delta round-trips with delta an integer in [0, 2^32).
  const delta = (x: number, base: number): void => {
    const d = x - base;
    if (!(d >= 0 && d < 2 ** 32 && Number.isInteger(d) && base + d === x)) xIntegers = false;
    else if (d > maxDelta) maxDelta = d;
  };
  for (let k = 0; k < buckets; k++) {
    const count = counts[k]!;
    if (count === 0) continue;
    if (count > maxCount) maxCount = count;
    const first = firstX[k]!;
    if (Number.isNaN(anchor)) anchor = x0 = first;
    if (yF32 && Math.fround(firstY[k]!) !== firstY[k]!) yF32 = false;
    if (xIntegers) delta(first, anchor);
    if (count === 1) {
      points += 1;
      anchor = first;
      continue;
    }
    points += 4;
    if (yF32 && (Math.fround(lastY[k]!) !== lastY[k]! || Math.fround(minY[k]!) !== minY[k]! || Math.fround(maxY[k]!) !== maxY[k]!)) yF32 = false;
    if (xIntegers) {
      delta(lastX[k]!, first);
      delta(minX[k]!, first);
      delta(maxX[k]!, first);
    }
    anchor = lastX[k]!;
  }
  if (!Number.isInteger(maxCount)) throw new RangeError(`series bucket count ${maxCount} is not an integer`);
  const countCode = integerCode(maxCount);
  const xCode = xIntegers ? integerCode(maxDelta) : F64;
  const yCode = yF32 ? Y_F32 : 0;
  const bytes =
    SERIES_HEADER_BYTES +
    padded(buckets * WIDTH[countCode]!) +
    padded(points * (yCode === Y_F32 ? 4 : 8)) +
    (xCode === F64 ? points * 8 : 8 + padded(points * WIDTH[xCode]!));
  return { buckets, points, countCode, xCode, yCode, x0, bytes };
}

function integerColumn(buffer: ArrayBufferLike, at: number, code: number, length: number): Uint8Array | Uint16Array | Uint32Array | Float64Array {
  if (code === U8) return new Uint8Array(buffer, at, length);
  if (code === U16) return new Uint16Array(buffer, at, length);
  if (code === U32) return new Uint32Array(buffer, at, length);
  return new Float64Array(buffer, at, length);
}

/**
 * The binary answer of `series` (one entry per run × key of the request, in its order;
 * undefined for a run or series that does not exist).
 *
 * @example
 * const bytes = encodeSeriesBinary([{ counts: [2], firstX: [0], firstY: [1], lastX: [9], lastY: [3], minX: [0], minY: [1], maxX: [9], maxY: [3] }]);
 */
export function encodeSeriesBinary(series: ReadonlyArray<SeriesColumns | undefined>): Uint8Array<ArrayBuffer> {
  if (!LITTLE_ENDIAN_HOST) throw new Error('encodeSeriesBinary: a big-endian host would write the wrong byte order');
  const plans = series.map(plan);
  const total = plans.reduce((sum, p) => sum + p.bytes, ANSWER_HEADER_BYTES);
  const buffer = new ArrayBuffer(total);
  const head = new Uint32Array(buffer, 0, 2);
  head[0] = SERIES_BINARY_VERSION;
  head[1] = series.length;
  let at = ANSWER_HEADER_BYTES;
  series.forEach((columns, s) => {
    const p = plans[s]!;
    const header = new Uint32Array(buffer, at, 2);
    header[0] = p.buckets;
    header[1] = p.countCode | (p.xCode << 2) | (p.yCode << 4);
    if (!columns || p.buckets === 0) {
      at += SERIES_HEADER_BYTES;
      return;
    }
    const { counts, firstX, firstY, lastX, lastY, minX, minY, maxX, maxY } = columns;
    let offset = at + SERIES_HEADER_BYTES;
    integerColumn(buffer, offset, p.countCode, p.buckets).set(counts);
    offset += padded(p.buckets * WIDTH[p.countCode]!);
    const ys = p.yCode === Y_F32 ? new Float32Array(buffer, offset, p.points) : new Float64Array(buffer, offset, p.points);
    offset += padded(p.points * (p.yCode === Y_F32 ? 4 : 8));
    let xs: Uint8Array | Uint16Array | Uint32Array | Float64Array;
    if (p.xCode === F64) {
      xs = new Float64Array(buffer, offset, p.points);
    } else {
      new Float64Array(buffer, offset, 1)[0] = p.x0;
      xs = integerColumn(buffer, offset + 8, p.xCode, p.points);
    }
    // With integer xs, each x is written as its delta (see the top of this file).
    const relative = p.xCode !== F64;
    let anchor = p.x0;
    let i = 0;
    for (let k = 0; k < p.buckets; k++) {
      const count = counts[k]!;
      if (count === 0) continue;
      const first = firstX[k]!;
      xs[i] = relative ? first - anchor : first;
      ys[i++] = firstY[k]!;
      if (count === 1) {
        anchor = first;
        continue;
      }
      const from = relative ? first : 0;
      xs[i] = lastX[k]! - from;
      ys[i++] = lastY[k]!;
      xs[i] = minX[k]! - from;
      ys[i++] = minY[k]!;
      xs[i] = maxX[k]! - from;
      ys[i++] = maxY[k]!;
      anchor = lastX[k]!;
    }
    at += p.bytes;
  });
  return new Uint8Array(buffer);
}

/** Where one series' sections are in an answer ({@link readSeriesBinary}'s first pass). */
interface Section {
  buckets: number;
  countCode: number;
  xCode: number;
  yF32: boolean;
  /** Byte offsets of the counts, ys and xs, and the number of stored points. */
  counts: number;
  ys: number;
  xs: number;
  points: number;
}

/**
 * Reads a binary answer of `seriesCount` series into one Float64Array per series,
 * {@link SERIES_BUCKET_STRIDE} float64s per bucket (count, then x and y of first, last, min
 * and max; all 0 for an empty bucket). The series are views, back to back, on one array for
 * the whole answer: `into` when it is given and holds at least that many float64s (memory
 * readied while the request was out, whose first part is then overwritten, empty buckets
 * included), else a new array. Throws when the bytes are not such an answer, before writing
 * anything.
 *
 * Needs no other module at run time (zod included), so a browser can import it on its own as
 * `@cairn/protocol/series-binary`.
 *
 * @example
 * const series = readSeriesBinary(await response.arrayBuffer(), runs.length * keys.length);
 * series[0]![3 * SERIES_BUCKET_STRIDE]; // the first series' fourth bucket: its point count
 */
export function readSeriesBinary(data: ArrayBuffer | Uint8Array, seriesCount: number, into?: Float64Array): Float64Array[] {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  // Typed-array views need their offsets aligned; an answer read into a fresh ArrayBuffer is.
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const buffer = aligned.buffer;
  const start = aligned.byteOffset;
  const end = start + aligned.byteLength;
  const need = (at: number, length: number, what: string): void => {
    if (at + length > end) throw new Error(`series answer ended inside ${what}`);
  };
  need(start, ANSWER_HEADER_BYTES, 'its header');
  const [version, count] = new Uint32Array(buffer, start, 2);
  if (version !== SERIES_BINARY_VERSION) throw new Error(`series answer has layout version ${version}, not ${SERIES_BINARY_VERSION}: reload the page`);
  if (count !== seriesCount) throw new Error(`series answer holds ${count} series, not the ${seriesCount} asked for`);
  // First where each series' sections are (the counts tell how many points follow), checking
  // that the bytes hold them; then one array for all of them.
  const sections: Section[] = [];
  let total = 0;
  let at = start + ANSWER_HEADER_BYTES;
  for (let s = 0; s < seriesCount; s++) {
    need(at, SERIES_HEADER_BYTES, 'a series header');
    const [buckets, codes] = new Uint32Array(buffer, at, 2) as unknown as [number, number];
    at += SERIES_HEADER_BYTES;
    const section: Section = { buckets, countCode: codes & 3, xCode: (codes >> 2) & 3, yF32: ((codes >> 4) & 1) === Y_F32, counts: at, ys: at, xs: at, points: 0 };
    sections.push(section);
    total += buckets;
    if (buckets === 0) continue;
    const countBytes = buckets * WIDTH[section.countCode]!;
    need(at, countBytes, 'the counts');
    const counts = integerColumn(buffer, at, section.countCode, buckets);
    let points = 0;
    for (let k = 0; k < buckets; k++) points += storedPoints(counts[k]!);
    section.points = points;
    section.ys = at += padded(countBytes);
    const yBytes = points * (section.yF32 ? 4 : 8);
    need(at, yBytes, 'the ys');
    section.xs = at += padded(yBytes);
    const xBytes = section.xCode === F64 ? points * 8 : 8 + padded(points * WIDTH[section.xCode]!);
    need(at, xBytes, 'the xs');
    at += xBytes;
  }
  if (at !== end) throw new Error(`series answer has ${end - at} bytes past its last series`);
  const size = total * SERIES_BUCKET_STRIDE;
  const all = into && into.length >= size ? into.subarray(0, size) : new Float64Array(size);
  const out: Float64Array[] = [];
  let offset = 0;
  for (const section of sections) {
    const packed = all.subarray(offset, offset + section.buckets * SERIES_BUCKET_STRIDE);
    offset += packed.length;
    if (section.buckets > 0) unpack(buffer, section, packed);
    out.push(packed);
  }
  return out;
}

/** Unpacks one series into `packed`, every bucket written (an empty one as all 0). */
function unpack(buffer: ArrayBufferLike, section: Section, packed: Float64Array): void {
  const { buckets, points, xCode } = section;
  const counts = integerColumn(buffer, section.counts, section.countCode, buckets);
  const ys = section.yF32 ? new Float32Array(buffer, section.ys, points) : new Float64Array(buffer, section.ys, points);
  // With integer xs, each x is written as its delta (see the top of this file).
  const relative = xCode !== F64;
  const xs = relative ? integerColumn(buffer, section.xs + 8, xCode, points) : new Float64Array(buffer, section.xs, points);
  let anchor = relative ? new Float64Array(buffer, section.xs, 1)[0]! : 0;
  let i = 0;
  for (let k = 0, o = 0; k < buckets; k++, o += SERIES_BUCKET_STRIDE) {
    const n = counts[k]!;
    if (n === 0) {
      // New memory is 0 already; memory passed in may not be.
      packed.fill(0, o, o + SERIES_BUCKET_STRIDE);
      continue;
    }
    const first = relative ? xs[i]! + anchor : xs[i]!;
    const firstY = ys[i++]!;
    packed[o] = n;
    packed[o + 1] = first;
    packed[o + 2] = firstY;
    if (n === 1) {
      packed[o + 3] = packed[o + 5] = packed[o + 7] = first;
      packed[o + 4] = packed[o + 6] = packed[o + 8] = firstY;
      anchor = first;
      continue;
    }
    const from = relative ? first : 0;
    packed[o + 3] = anchor = xs[i]! + from;
    packed[o + 4] = ys[i++]!;
    packed[o + 5] = xs[i]! + from;
    packed[o + 6] = ys[i++]!;
    packed[o + 7] = xs[i]! + from;
    packed[o + 8] = ys[i++]!;
  }
}

/**
 * Reads a binary series answer (see the top of this file) as the {@link SeriesResponse} the
 * same request answers as JSON.
 */
export function decodeSeriesBinary(data: ArrayBuffer | Uint8Array, request: Pick<SeriesRequest, 'runs' | 'keys' | 'x'>): SeriesResponse {
  const packed = readSeriesBinary(data, request.runs.length * request.keys.length);
  const series: SeriesResponse['series'] = [];
  let s = 0;
  for (const run of request.runs) {
    for (const key of request.keys) {
      const values = packed[s++]!;
      const buckets: Array<M4Bucket | null> = [];
      for (let at = 0; at < values.length; at += SERIES_BUCKET_STRIDE) {
        buckets.push(
          values[at] === 0
            ? null
            : {
                count: values[at]!,
                first: [values[at + 1]!, values[at + 2]!],
                last: [values[at + 3]!, values[at + 4]!],
                min: [values[at + 5]!, values[at + 6]!],
                max: [values[at + 7]!, values[at + 8]!],
              },
        );
      }
      series.push({ run: { entity: run.entity, project: run.project, id: run.id }, key, buckets });
    }
  }
  return { x: request.x ?? '_step', series };
}
