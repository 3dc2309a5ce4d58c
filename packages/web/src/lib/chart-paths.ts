/**
 * The shapes a chart draws, traced into a path (a canvas `Path2D`, or anything with its
 * methods): each line through its own points, the sparse points as dots, and the bands and
 * areas behind the lines, each series' in one path — so the canvas fills one shape per
 * series rather than a rectangle per bucket.
 *
 * Coordinates come from a {@link Projection} (the chart's scales); only points within the
 * x window, and one either side so the line runs to the edge, are traced.
 */
import { BAND_STRIDE, type Polyline } from './buckets.js';
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
 */
export function traceLine(sink: PathSink, line: Polyline, view: Projection): number {
  const { xs, ys } = line;
  const [start, end] = visibleRange(xs, view.xMin, view.xMax);
  let traced = 0;
  let column = NaN;
  let inY = 0;
  let lo = 0;
  let hi = 0;
  let outY = 0;
  const flush = () => {
    if (traced === 0) sink.moveTo(column, inY);
    else sink.lineTo(column, inY);
    if (lo !== inY && lo !== outY) sink.lineTo(column, lo);
    if (hi !== inY && hi !== outY) sink.lineTo(column, hi);
    if (outY !== inY) sink.lineTo(column, outY);
  };
  for (let i = start; i < end; i++) {
    const value = ys[i]!;
    if (!Number.isFinite(value)) continue;
    const x = Math.round(px(view, xs[i]!));
    const y = Math.round(py(view, value));
    if (x === column) {
      if (y < lo) lo = y;
      if (y > hi) hi = y;
      outY = y;
      continue;
    }
    if (!Number.isNaN(column)) {
      flush();
      traced++;
    }
    column = x;
    inY = lo = hi = outY = y;
  }
  if (!Number.isNaN(column)) {
    flush();
    traced++;
  }
  return traced;
}

/** How many of the line's points (gaps aside) fall in the window. */
export function visiblePoints(line: Polyline, from: number, to: number): number {
  const start = lowerBound(line.xs, from);
  let count = 0;
  for (let i = start; i < line.xs.length && line.xs[i]! <= to; i++) if (Number.isFinite(line.ys[i]!)) count++;
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
 */
export function traceBands(sink: PathSink, bands: Float64Array, projection: Projection, minWidth: number): void {
  for (let i = 0; i < bands.length; i += BAND_STRIDE) {
    const x0 = bands[i]!;
    const x1 = bands[i + 1]!;
    if (x1 < projection.xMin || x0 > projection.xMax) continue;
    const left = px(projection, x0);
    const right = px(projection, x1);
    const top = py(projection, bands[i + 3]!);
    const bottom = py(projection, bands[i + 2]!);
    sink.rect(left, top, Math.max(minWidth, right - left), Math.max(1, bottom - top));
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
