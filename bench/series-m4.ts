/**
 * Chart query cost: exact M4 of one 1,000,000-point series into 1,000 buckets, from its
 * chunks (summaries, and points only at bucket edges), over the full range and over a 10%
 * zoom, against a raw full scan in the same run (the same M4 computed point by point over
 * the already-decoded Float64Arrays: the floor any point-reading approach pays). Median and
 * p95 of 50 runs each. Prints figures; never fails on timing. It does fail when the two
 * answers differ, since then the figures compare different work.
 *
 *     node --conditions=source --import tsx bench/series-m4.ts
 */
import { isDeepStrictEqual } from 'node:util';
import type { M4Bucket } from '@cairn/protocol';
import { m4, m4Points, type M4Stats } from '../packages/server/src/series/m4.js';
import { appendPoints, type SeriesChunk } from '../packages/server/src/series/series-chunk.js';
import { machineLine, reportResult } from './lib/harness.js';
import { formatMillis, medianAndP95 } from './lib/stats.js';

const POINTS = 1_000_000;
const BUCKETS = 1000;
/** Points per appendPoints call while building: about what one ingest batch carries. */
const INGEST_BATCH = 1000;
const WARMUP_RUNS = 10;
const TIMED_RUNS = 50;

/** A loss-like curve over steps 0 … POINTS−1: decaying, noisy, deterministic. */
function lossCurve(count: number): { steps: Float64Array; values: Float64Array } {
  const steps = new Float64Array(count);
  const values = new Float64Array(count);
  let noise = 0x2545f491;
  for (let i = 0; i < count; i++) {
    noise = (Math.imul(noise, 1103515245) + 12345) >>> 0;
    steps[i] = i;
    values[i] = 2.3 / (1 + i * 1e-4) + ((noise / 2 ** 32) - 0.5) * 0.05;
  }
  return { steps, values };
}

/**
 * The floor: M4 by reading every point, with the same bucket rule and tie rule as m4(), its
 * state in typed arrays so that the loop allocates nothing per point.
 */
function fullScanM4(xs: Float64Array, ys: Float64Array, from: number, to: number, buckets: number): Array<M4Bucket | null> {
  const counts = new Float64Array(buckets);
  const state = new Float64Array(8 * buckets); // per bucket: firstX, firstY, lastX, lastY, minX, minY, maxX, maxY
  const w = (to - from) / buckets;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (x < from || x > to) continue;
    const y = ys[i]!;
    const k = from === to ? 0 : Math.min(buckets - 1, Math.floor((x - from) / w));
    const at = 8 * k;
    if (counts[k] === 0) {
      state[at] = x;
      state[at + 1] = y;
      state[at + 4] = x;
      state[at + 5] = y;
      state[at + 6] = x;
      state[at + 7] = y;
    } else {
      if (y < state[at + 5]!) {
        state[at + 4] = x;
        state[at + 5] = y;
      }
      if (y > state[at + 7]!) {
        state[at + 6] = x;
        state[at + 7] = y;
      }
    }
    state[at + 2] = x;
    state[at + 3] = y;
    counts[k]!++;
  }
  const out = new Array<M4Bucket | null>(buckets);
  for (let k = 0; k < buckets; k++) {
    const at = 8 * k;
    out[k] = counts[k] === 0 ? null : {
      count: counts[k]!,
      first: [state[at]!, state[at + 1]!],
      last: [state[at + 2]!, state[at + 3]!],
      min: [state[at + 4]!, state[at + 5]!],
      max: [state[at + 6]!, state[at + 7]!],
    };
  }
  return out;
}

/** Milliseconds of each of TIMED_RUNS calls, after WARMUP_RUNS untimed ones. */
function timeRuns(run: () => unknown): number[] {
  for (let i = 0; i < WARMUP_RUNS; i++) run();
  const timings: number[] = [];
  for (let i = 0; i < TIMED_RUNS; i++) {
    const start = performance.now();
    run();
    timings.push(performance.now() - start);
  }
  return timings;
}

function formatRatio(value: number, floor: number): string {
  if (!(floor > 0)) return 'n/a';
  const ratio = value / floor;
  return `${ratio.toFixed(ratio < 1 ? 3 : 1)}x`;
}

console.log(machineLine());

const { steps, values } = lossCurve(POINTS);
const buildStart = performance.now();
const chunks: SeriesChunk[] = [];
for (let offset = 0; offset < POINTS; offset += INGEST_BATCH) {
  const written = appendPoints(chunks[chunks.length - 1], steps.subarray(offset, offset + INGEST_BATCH), values.subarray(offset, offset + INGEST_BATCH));
  for (const chunk of written) {
    if (chunks.length > 0 && chunks[chunks.length - 1]!.firstStep === chunk.firstStep) chunks[chunks.length - 1] = chunk;
    else chunks.push(chunk);
  }
}
const buildMs = performance.now() - buildStart;
const blobBytes = chunks.reduce((sum, chunk) => sum + chunk.data.byteLength, 0);
console.log(
  `build: ${POINTS.toLocaleString('en-US')} points in ${chunks.length} chunks (${(blobBytes / POINTS).toFixed(2)} bytes/point), `
  + `appendPoints in batches of ${INGEST_BATCH}: ${formatMillis(buildMs)}`,
);

const lastStep = steps[POINTS - 1]!;
const cases = [
  { name: 'full range', from: 0, to: lastStep },
  { name: '10% zoom', from: lastStep * 0.45, to: lastStep * 0.55 },
];
const figures: Record<string, unknown> = { points: POINTS, buckets: BUCKETS, chunks: chunks.length, buildMs };

for (const { name, from, to } of cases) {
  // What the store hands over: the chunks overlapping the range, in step order.
  const touched = chunks.filter((chunk) => chunk.lastStep >= from && chunk.firstStep <= to);
  const stats: M4Stats = { chunksSummarized: 0, chunksOpened: 0, blocksSummarized: 0, fineBlocksSummarized: 0, blocksRefined: 0, pointsScanned: 0 };
  const answer = m4(touched, from, to, BUCKETS, stats);
  if (!isDeepStrictEqual(answer, fullScanM4(steps, values, from, to, BUCKETS))) {
    throw new Error(`m4 and the full scan disagree over ${name} [${from}, ${to}]: a bug, not a timing`);
  }

  const chunked = medianAndP95(timeRuns(() => m4(touched, from, to, BUCKETS)));
  const scan = medianAndP95(timeRuns(() => fullScanM4(steps, values, from, to, BUCKETS)));
  const rangeScan = medianAndP95(timeRuns(() => m4Points(steps, values, from, to, BUCKETS)));
  console.log(
    `m4 1M points → ${BUCKETS} buckets, ${name}: p50 ${formatMillis(chunked.median)} p95 ${formatMillis(chunked.p95)}`
    + ` | full scan p50 ${formatMillis(scan.median)} p95 ${formatMillis(scan.p95)} | ratio ${formatRatio(chunked.median, scan.median)}`,
  );
  console.log(
    `  ${touched.length} chunks touched (${stats.chunksSummarized} from row summary, ${stats.chunksOpened} opened), `
    + `${stats.blocksSummarized} blocks from summary, ${stats.pointsScanned} points read of ${answer.reduce((n, b) => n + (b?.count ?? 0), 0)} in range`,
  );
  console.log(
    `  m4Points over the decoded arrays (binary search, then every point in range): p50 ${formatMillis(rangeScan.median)}`
    + ` p95 ${formatMillis(rangeScan.p95)} | ratio m4 / m4Points ${formatRatio(chunked.median, rangeScan.median)}`,
  );
  figures[name] = { m4: chunked, fullScan: scan, ratio: chunked.median / scan.median, m4Points: rangeScan, stats };
}

reportResult(figures);
