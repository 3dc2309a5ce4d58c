/**
 * Reading the series query's binary answer (`format: 'binary'`) without protocol's runtime
 * (which would bring zod into the bundle). The layout is protocol's (its series-binary.ts,
 * whose encoder this file's tests read back):
 *
 *     answer   u32 version (2), u32 number of series, then each series (runs outer, keys inner)
 *     series   u32 buckets B (0: nothing follows), u32 codes (bits 0–1 counts, 2–3 xs, 4 ys)
 *              counts  B unsigned integers (u8, u16, u32 or float64 by code 0–3)
 *              ys      P float64s, or float32s (code 1)
 *              xs      P float64s (code 3), or a float64 x0 then P integer deltas (codes 0–2)
 *
 * P counts the stored points: none for an empty bucket, one for a bucket of one point, four
 * (first, last, min, max) for the rest. A bucket's first x is the last x of the non-empty
 * bucket before it (the first's: x0) plus its delta; its other xs are its first x plus
 * theirs. Every section is padded to 8 bytes; all is little-endian. Each series is unpacked
 * into the {@link Buckets} the chart reads: views on one typed array, nothing per bucket.
 */
import { BUCKET_STRIDE, type Buckets } from './buckets.js';

export interface RunRef {
  entity: string;
  project: string;
  id: string;
}

/** A series answer with each series' buckets as float64s. */
export interface SeriesAnswer {
  x: string;
  series: Array<{ run: RunRef; key: string; buckets: Buckets }>;
}

const VERSION = 2;
/** Answers smaller than this many float64s unpacked are not worth readying memory for (see {@link prepareAnswer}). */
const PREPARE_MIN = 64 * 1024;

/** Memory readied for the answers of requests in flight, by request ({@link prepareAnswer}). */
const prepared = new WeakMap<object, Float64Array>();

/**
 * Readies the memory that the answer of `request`, just sent, will be unpacked into: an array
 * as large as the answer can be (every series with `buckets` buckets), allocated and written
 * once in a task after the caller's, while the request is out. A large answer's unpacking is
 * mostly its first writes to fresh memory (page faults: in the benchmark's VM, ~8 ms of the
 * ~9 for the 2.3 MB of a chart of 100 runs); done during the wait, they are off the path from
 * the answer to the chart. {@link decodeSeries} takes it for the same request object; an
 * answer that comes first is unpacked into new memory, as without.
 */
export function prepareAnswer(request: { runs: readonly unknown[]; keys: readonly unknown[]; buckets: number }): void {
  const size = request.runs.length * request.keys.length * request.buckets * BUCKET_STRIDE;
  if (size < PREPARE_MIN) return;
  setTimeout(() => {
    if (prepared.has(request)) return;
    // Zero already, but written so that every page is in memory when the answer comes.
    prepared.set(request, new Float64Array(size).fill(0));
  }, 0);
}

/** Bytes per value of integer codes 0–3 (code 3 is float64). */
const WIDTH = [1, 2, 4, 8] as const;

function padded(bytes: number): number {
  return Math.ceil(bytes / 8) * 8;
}

function integers(buffer: ArrayBuffer, at: number, code: number, length: number): Uint8Array | Uint16Array | Uint32Array | Float64Array {
  if (code === 0) return new Uint8Array(buffer, at, length);
  if (code === 1) return new Uint16Array(buffer, at, length);
  if (code === 2) return new Uint32Array(buffer, at, length);
  return new Float64Array(buffer, at, length);
}

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
 * The answer of `request`; throws when the bytes do not match the request. All series are
 * unpacked into one Float64Array (one allocation per answer), each series' buckets a view on it.
 */
export function decodeSeries(data: ArrayBuffer, request: { runs: readonly RunRef[]; keys: readonly string[]; x?: string }): SeriesAnswer {
  const end = data.byteLength;
  const need = (at: number, bytes: number, what: string) => {
    if (at + bytes > end) throw new Error(`series answer ended inside ${what}`);
  };
  need(0, 8, 'its header');
  // Typed arrays read in the platform's byte order: little-endian on every browser there is.
  const head = new Uint32Array(data, 0, 2);
  if (head[0] !== VERSION) throw new Error(`series answer has layout version ${head[0]}, not ${VERSION}: reload the page`);
  const expected = request.runs.length * request.keys.length;
  if (head[1] !== expected) throw new Error(`series answer holds ${head[1]} series, not the ${expected} asked for`);
  // First where each series' sections are (the counts tell how many points follow), then one
  // array for all of them.
  const sections: Section[] = [];
  let total = 0;
  let at = 8;
  for (let s = 0; s < expected; s++) {
    need(at, 8, 'a series header');
    const header = new Uint32Array(data, at, 2);
    const buckets = header[0]!;
    const codes = header[1]!;
    at += 8;
    const section: Section = { buckets, countCode: codes & 3, xCode: (codes >> 2) & 3, yF32: ((codes >> 4) & 1) === 1, counts: at, ys: at, xs: at, points: 0 };
    sections.push(section);
    total += buckets;
    if (buckets === 0) continue;
    const countBytes = buckets * WIDTH[section.countCode]!;
    need(at, countBytes, 'the counts');
    const counts = integers(data, at, section.countCode, buckets);
    let points = 0;
    for (let k = 0; k < buckets; k++) {
      const n = counts[k]!;
      points += n === 0 ? 0 : n === 1 ? 1 : 4;
    }
    section.points = points;
    section.ys = at += padded(countBytes);
    const yBytes = points * (section.yF32 ? 4 : 8);
    need(at, yBytes, 'the ys');
    section.xs = at += padded(yBytes);
    const xBytes = section.xCode === 3 ? points * 8 : 8 + padded(points * WIDTH[section.xCode]!);
    need(at, xBytes, 'the xs');
    at += xBytes;
  }
  if (at !== end) throw new Error(`series answer has ${end - at} bytes past its last series`);
  const ready = prepared.get(request);
  prepared.delete(request);
  // Readied memory is all zero, as empty buckets must be.
  const all = ready && ready.length >= total * BUCKET_STRIDE ? ready.subarray(0, total * BUCKET_STRIDE) : new Float64Array(total * BUCKET_STRIDE);
  const series: SeriesAnswer['series'] = [];
  let s = 0;
  let offset = 0;
  for (const run of request.runs) {
    for (const key of request.keys) {
      const section = sections[s++]!;
      const buckets = all.subarray(offset, offset + section.buckets * BUCKET_STRIDE);
      offset += section.buckets * BUCKET_STRIDE;
      if (section.buckets > 0) unpack(data, section, buckets);
      series.push({ run: { entity: run.entity, project: run.project, id: run.id }, key, buckets });
    }
  }
  return { x: request.x ?? '_step', series };
}

/** Unpacks one series into `packed` (zeroed: empty buckets stay all 0). */
function unpack(data: ArrayBuffer, section: Section, packed: Float64Array): void {
  const { buckets, points, xCode } = section;
  const counts = integers(data, section.counts, section.countCode, buckets);
  const ys = section.yF32 ? new Float32Array(data, section.ys, points) : new Float64Array(data, section.ys, points);
  // Float64 xs are absolute; integer ones are deltas from an anchor (see the top of this file).
  const relative = xCode !== 3;
  const xs = relative ? integers(data, section.xs + 8, xCode, points) : new Float64Array(data, section.xs, points);
  let anchor = relative ? new Float64Array(data, section.xs, 1)[0]! : 0;
  let i = 0;
  for (let k = 0, o = 0; k < buckets; k++, o += BUCKET_STRIDE) {
    const n = counts[k]!;
    if (n === 0) continue;
    const first = relative ? xs[i]! + anchor : xs[i]!;
    const firstY = ys[i]!;
    packed[o] = n;
    packed[o + 1] = first;
    packed[o + 2] = firstY;
    if (n === 1) {
      packed[o + 3] = packed[o + 5] = packed[o + 7] = first;
      packed[o + 4] = packed[o + 6] = packed[o + 8] = firstY;
      anchor = first;
      i += 1;
      continue;
    }
    const from = relative ? first : 0;
    packed[o + 3] = anchor = xs[i + 1]! + from;
    packed[o + 4] = ys[i + 1]!;
    packed[o + 5] = xs[i + 2]! + from;
    packed[o + 6] = ys[i + 2]!;
    packed[o + 7] = xs[i + 3]! + from;
    packed[o + 8] = ys[i + 3]!;
    i += 4;
  }
}
