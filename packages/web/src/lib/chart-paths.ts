/**
 * The shapes a chart draws, traced into a path (a canvas `Path2D`, or anything with its
 * methods): each line through its own points, the sparse points as dots, and the bands and
 * areas behind the lines, each series' in one path — so the canvas fills one shape per
 * series rather than a rectangle per bucket.
 *
 * Coordinates come from a {@link Projection} (the chart's scales); only points within the
 * x window, and one either side so the line runs to the edge, are traced. A run's line and
 * bands can be traced straight from its M4 buckets ({@link traceBuckets},
 * {@link traceBucketBands}): the same path as from the polyline and bands built from them
 * (buckets.ts), without building those.
 */
import { BAND_STRIDE, BUCKET_STRIDE, COUNT, FIRST_X, FIRST_Y, LAST_X, LAST_Y, MAX_X, MAX_Y, MIN_X, MIN_Y, sortByX, spanEnd, spanStart, type Buckets, type Polyline } from './buckets.js';
import type { Area } from './chart-data.js';

/** The subset of Path2D the tracers use. */
export interface PathSink {
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  rect(x: number, y: number, width: number, height: number): void;
  arc(x: number, y: number, radius: number, startAngle: number, endAngle: number): void;
  closePath(): void;
}

/**
 * Data values to canvas pixels, and the x window shown: x maps linearly
 * (`x · xScale + xOffset`), y linearly or, on a log axis, its log10 does.
 */
export interface Projection {
  xScale: number;
  xOffset: number;
  yScale: number;
  yOffset: number;
  yLog: boolean;
  xMin: number;
  xMax: number;
}

/** The projection of the plot area `box` (canvas pixels, y down) for the given scales. */
export function projectionOf(box: { left: number; top: number; width: number; height: number }, x: [number, number], y: [number, number], yLog: boolean): Projection {
  const [y0, y1] = yLog ? [Math.log10(y[0]), Math.log10(y[1])] : y;
  const xScale = box.width / (x[1] - x[0] || 1);
  const yScale = -box.height / (y1 - y0 || 1);
  return { xScale, xOffset: box.left - x[0] * xScale, yScale, yOffset: box.top + box.height - y0 * yScale, yLog, xMin: x[0], xMax: x[1] };
}

function px(view: Projection, x: number): number {
  return x * view.xScale + view.xOffset;
}

function py(view: Projection, y: number): number {
  return (view.yLog ? Math.log10(y) : y) * view.yScale + view.yOffset;
}

/** The index of the first of `xs` (sorted) at or above `value`. */
function lowerBound(xs: Float64Array, value: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The points of sorted `xs` to draw for the window [from, to]: those inside it and the
 * nearest one outside on each side. Returns [start, end) indices.
 */
export function visibleRange(xs: Float64Array, from: number, to: number): [number, number] {
  const start = Math.max(0, lowerBound(xs, from) - 1);
  let end = lowerBound(xs, to);
  while (end < xs.length && xs[end]! <= to) end++;
  return [start, Math.min(xs.length, end + 1)];
}

/**
 * Traces the line through its points in the window, on whole pixels; gaps (NaN) are
 * skipped, so the line runs across them. Points falling in one pixel column become one
 * vertical stroke from where the line enters it, over its extremes, to where it leaves —
 * the same pixels, a fraction of the segments. Returns how many columns it traced.
 *
 * Written as one loop without helpers (the projection inlined, each column flushed in
 * place): it runs for every point of every line on each draw, often before the JIT has
 * optimised it, and a closure over the loop's state would make every access to it slower.
 */
export function traceLine(sink: PathSink, line: Polyline, view: Projection): number {
  const { xs, ys } = line;
  const { xScale, xOffset, yScale, yOffset, yLog } = view;
  const [start, end] = visibleRange(xs, view.xMin, view.xMax);
  let traced = 0;
  let column = NaN;
  let inY = 0;
  let lo = 0;
  let hi = 0;
  let outY = 0;
  for (let i = start; i <= end; i++) {
    let x = NaN;
    let y = 0;
    if (i < end) {
      const value = ys[i]!;
      // Not finite (NaN, ±Infinity): a gap.
      if (!(value - value === 0)) continue;
      x = Math.round(xs[i]! * xScale + xOffset);
      y = Math.round((yLog ? Math.log10(value) : value) * yScale + yOffset);
      if (x === column) {
        if (y < lo) lo = y;
        if (y > hi) hi = y;
        outY = y;
        continue;
      }
    }
    // A new column (or the end, i === end): the one before, if any, is complete.
    if (!Number.isNaN(column)) {
      traceColumn(sink, traced === 0, column, inY, lo, hi, outY);
      traced++;
    }
    column = x;
    inY = lo = hi = outY = y;
  }
  return traced;
}

/**
 * Traces one finished pixel column of a line: where the line enters it, its lowest and highest
 * point when neither end is one, and where it leaves — at most four vertices, however many
 * points the column holds.
 */
function traceColumn(sink: PathSink, first: boolean, column: number, inY: number, lo: number, hi: number, outY: number): void {
  if (first) sink.moveTo(column, inY);
  else sink.lineTo(column, inY);
  if (lo !== inY && lo !== outY) sink.lineTo(column, lo);
  if (hi !== inY && hi !== outY) sink.lineTo(column, hi);
  if (outY !== inY) sink.lineTo(column, outY);
}

const sortX = new Float64Array(4);
const sortY = new Float64Array(4);

/**
 * Traces the line through the buckets' points: exactly what {@link traceLine} traces for
 * `bucketsToPolyline(buckets)`, point for point, without building that polyline. Each
 * bucket's points are put in x order as bucketsToPolyline puts them (a repeated point changes
 * nothing traced), the window is cut as {@link visibleRange} cuts it (the points inside and
 * the nearest one outside on each side), and pixel columns are merged as traceLine merges them.
 */
export function traceBuckets(sink: PathSink, buckets: Buckets, view: Projection): number {
  const { xScale, xOffset, yScale, yOffset, yLog, xMin, xMax } = view;
  let traced = 0;
  let column = NaN;
  let inY = 0;
  let lo = 0;
  let hi = 0;
  let outY = 0;
  // The last point before the window, traced once a point at or past its start comes.
  let beforeX = NaN;
  let beforeY = NaN;
  let done = false;
  const end = buckets.length - (buckets.length % BUCKET_STRIDE);
  for (let at = 0; at < end && !done; at += BUCKET_STRIDE) {
    if (buckets[at + COUNT] === 0) continue;
    const fx = buckets[at + FIRST_X]!;
    const lx = buckets[at + LAST_X]!;
    const minX = buckets[at + MIN_X]!;
    const maxX = buckets[at + MAX_X]!;
    sortX[0] = fx;
    sortY[0] = buckets[at + FIRST_Y]!;
    if (fx <= minX && fx <= maxX && lx >= minX && lx >= maxX) {
      const minFirst = maxX >= minX;
      sortX[1] = minFirst ? minX : maxX;
      sortY[1] = buckets[at + (minFirst ? MIN_Y : MAX_Y)]!;
      sortX[2] = minFirst ? maxX : minX;
      sortY[2] = buckets[at + (minFirst ? MAX_Y : MIN_Y)]!;
      sortX[3] = lx;
      sortY[3] = buckets[at + LAST_Y]!;
    } else {
      sortX[1] = minX;
      sortY[1] = buckets[at + MIN_Y]!;
      sortX[2] = maxX;
      sortY[2] = buckets[at + MAX_Y]!;
      sortX[3] = lx;
      sortY[3] = buckets[at + LAST_Y]!;
      sortByX(sortX, sortY);
    }
    for (let p = 0; p < 4 && !done; p++) {
      const pointX = sortX[p]!;
      if (pointX < xMin) {
        beforeX = pointX;
        beforeY = sortY[p]!;
        continue;
      }
      done = pointX > xMax;
      // The point before the window (if any), then this one.
      for (let q = Number.isNaN(beforeX) ? 1 : 0; q < 2; q++) {
        const value = q === 0 ? beforeY : sortY[p]!;
        const rawX = q === 0 ? beforeX : pointX;
        if (!(value - value === 0)) continue;
        const x = Math.round(rawX * xScale + xOffset);
        const y = Math.round((yLog ? Math.log10(value) : value) * yScale + yOffset);
        if (x === column) {
          if (y < lo) lo = y;
          if (y > hi) hi = y;
          outY = y;
          continue;
        }
        if (!Number.isNaN(column)) {
          traceColumn(sink, traced === 0, column, inY, lo, hi, outY);
          traced++;
        }
        column = x;
        inY = lo = hi = outY = y;
      }
      beforeX = NaN;
    }
  }
  // Every point before the window: only the last one is traced (as visibleRange keeps it).
  if (!Number.isNaN(beforeX) && beforeY - beforeY === 0) {
    const x = Math.round(beforeX * xScale + xOffset);
    const y = Math.round((yLog ? Math.log10(beforeY) : beforeY) * yScale + yOffset);
    if (Number.isNaN(column)) {
      column = x;
      inY = lo = hi = outY = y;
    }
  }
  if (!Number.isNaN(column)) {
    traceColumn(sink, traced === 0, column, inY, lo, hi, outY);
    traced++;
  }
  return traced;
}

/**
 * Whether more than `limit` of the buckets have a point in the window [from, to]: then their
 * line has more than `limit` points there (buckets cover disjoint x ranges), and is no sparse
 * line to put dots on. Stops counting past `limit`.
 */
export function bucketsInWindowOver(buckets: Buckets, from: number, to: number, limit: number): boolean {
  let count = 0;
  for (let at = 0; at + BUCKET_STRIDE <= buckets.length; at += BUCKET_STRIDE) {
    if (buckets[at + COUNT] === 0) continue;
    const inside = (x: number) => x >= from && x <= to;
    if (inside(buckets[at + FIRST_X]!) || inside(buckets[at + LAST_X]!) || inside(buckets[at + MIN_X]!) || inside(buckets[at + MAX_X]!)) {
      if (++count > limit) return true;
    }
  }
  return false;
}

/**
 * How many of the line's points (gaps aside) fall in the window; counting stops past `limit`
 * (the caller only asks whether there are more than that).
 */
export function visiblePoints(line: Polyline, from: number, to: number, limit = Infinity): number {
  const start = lowerBound(line.xs, from);
  let count = 0;
  for (let i = start; i < line.xs.length && line.xs[i]! <= to && count <= limit; i++) if (Number.isFinite(line.ys[i]!)) count++;
  return count;
}

/** Traces a dot of `radius` pixels at each of the line's points in the window. */
export function traceDots(sink: PathSink, line: Polyline, projection: Projection, radius: number): void {
  const { xs, ys } = line;
  for (let i = lowerBound(xs, projection.xMin); i < xs.length && xs[i]! <= projection.xMax; i++) {
    const value = ys[i]!;
    if (!Number.isFinite(value)) continue;
    const x = Math.round(px(projection, xs[i]!));
    const y = Math.round(py(projection, value));
    sink.moveTo(x + radius, y);
    sink.arc(x, y, radius, 0, 2 * Math.PI);
  }
}

/**
 * Traces one rectangle per band ({@link BAND_STRIDE} float64s: x0, x1, lo, hi) that reaches
 * into the window, at least `minWidth` wide and 1 pixel tall.
 *
 * With `thin`, a band no wider than `minWidth` goes there instead, as a vertical segment down
 * the middle of its rectangle: stroked `minWidth` wide with butt caps, that is the same
 * rectangle, and where `minWidth` is one device pixel Skia strokes it as a hairline, about
 * twice as fast as filling it (in software raster, for 100 runs' bands: ~10 ms instead of ~25).
 */
export function traceBands(sink: PathSink, bands: Float64Array, projection: Projection, minWidth: number, thin?: PathSink): void {
  const { xScale, xOffset, yScale, yOffset, yLog, xMin, xMax } = projection;
  for (let i = 0; i < bands.length; i += BAND_STRIDE) {
    const x0 = bands[i]!;
    const x1 = bands[i + 1]!;
    if (x1 < xMin || x0 > xMax) continue;
    const lo = bands[i + 2]!;
    const hi = bands[i + 3]!;
    traceBand(sink, thin, minWidth, x0 * xScale + xOffset, x1 * xScale + xOffset, (yLog ? Math.log10(hi) : hi) * yScale + yOffset, (yLog ? Math.log10(lo) : lo) * yScale + yOffset);
  }
}

function traceBand(sink: PathSink, thin: PathSink | undefined, minWidth: number, left: number, right: number, top: number, bottom: number): void {
  const height = Math.max(1, bottom - top);
  if (thin && right - left <= minWidth) {
    thin.moveTo(left + minWidth / 2, top);
    thin.lineTo(left + minWidth / 2, top + height);
  } else {
    sink.rect(left, top, Math.max(minWidth, right - left), height);
  }
}

/**
 * Traces the bands of the buckets as {@link traceBands} traces `bucketBands(buckets)`:
 * one rectangle per bucket of two or more points not all at one value, over its x range.
 */
export function traceBucketBands(sink: PathSink, buckets: Buckets, projection: Projection, minWidth: number, thin?: PathSink): void {
  const { xScale, xOffset, yScale, yOffset, yLog, xMin, xMax } = projection;
  for (let at = 0; at + BUCKET_STRIDE <= buckets.length; at += BUCKET_STRIDE) {
    const lo = buckets[at + MIN_Y]!;
    const hi = buckets[at + MAX_Y]!;
    if (buckets[at + COUNT]! < 2 || hi === lo) continue;
    const x0 = spanStart(buckets, at);
    const x1 = spanEnd(buckets, at);
    if (x1 < xMin || x0 > xMax) continue;
    traceBand(sink, thin, minWidth, x0 * xScale + xOffset, x1 * xScale + xOffset, (yLog ? Math.log10(hi) : hi) * yScale + yOffset, (yLog ? Math.log10(lo) : lo) * yScale + yOffset);
  }
}

/** Traces the region between an area's `lo` and `hi` lines; a lone point gets a 2-pixel bar. */
export function traceArea(sink: PathSink, area: Area, projection: Projection): void {
  const n = area.xs.length;
  if (n === 0) return;
  if (n === 1) {
    const x = px(projection, area.xs[0]!);
    const top = py(projection, area.hi[0]!);
    const bottom = py(projection, area.lo[0]!);
    sink.rect(x - 1, top, 2, Math.max(1, bottom - top));
    return;
  }
  for (let i = 0; i < n; i++) {
    const x = px(projection, area.xs[i]!);
    const y = py(projection, area.hi[i]!);
    if (i === 0) sink.moveTo(x, y);
    else sink.lineTo(x, y);
  }
  for (let i = n - 1; i >= 0; i--) sink.lineTo(px(projection, area.xs[i]!), py(projection, area.lo[i]!));
  sink.closePath();
}
