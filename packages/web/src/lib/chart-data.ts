/**
 * Chart data: each drawn line with its own x and y arrays (float64, NaN for a gap), with
 * the bands or area behind it and the extent of it all.
 *
 * Lines are not aligned on one shared x array: M4 buckets put each run's minima and maxima
 * on different steps, so a shared array holds the union of every run's x values (for 10
 * runs, 5× the points of one; for 100 runs of 100,000 steps, nearly every step), mostly
 * gaps. The chart draws each line from its own points instead (line-chart.tsx).
 */
import { bucketBands, bucketsToPolyline, BAND_STRIDE, type Buckets, type Polyline } from './buckets.js';
import type { GroupPoint } from './grouping.js';
import { smoothEma } from './smoothing.js';

export interface ChartLine extends Polyline {
  /** Index of the series (run or group) in the input. */
  run: number;
  /** The smoothed line (drawn strong), or the raw one (drawn faint when smoothing). */
  smoothed: boolean;
}

/** A filled area between two lines through the same x values: a group's min–max band. */
export interface Area {
  xs: Float64Array;
  lo: Float64Array;
  hi: Float64Array;
}

/** One drawn series before smoothing: its line, and the bands or area behind it. */
export interface SeriesInput {
  line: Polyline;
  /** Per-bucket min–max rectangles (a run's spikes within a pixel column): x0, x1, lo, hi each. */
  bands: Float64Array;
  /** A continuous band (a group's spread across its runs), or null. */
  area: Area | null;
}

export interface ChartData {
  /** In drawing order: all raw lines, then the smoothed ones on top. */
  lines: ChartLine[];
  /** Per series: the min–max band of each bucket ({@link BAND_STRIDE} float64s each). */
  bands: Float64Array[];
  /** Per series: its area, or null. */
  areas: Array<Area | null>;
  /** Per series: the index in `lines` of its strong line (the one the legend reads). */
  mainLine: number[];
  /** The smallest and largest x of any point; undefined when there is none. */
  xExtent: [number, number] | undefined;
  /** The smallest and largest finite value of any line, band or area; undefined when there is none. */
  yExtent: [number, number] | undefined;
}

/** A run's series: the polyline through its M4 buckets, with each bucket's band. */
export function runInput(buckets: Buckets): SeriesInput {
  return { line: bucketsToPolyline(buckets), bands: bucketBands(buckets), area: null };
}

/**
 * A group's series: the line through its means — at each bucket's first and last points,
 * once when they coincide — over the band from its minima to its maxima.
 */
export function groupInput(points: readonly GroupPoint[]): SeriesInput {
  const xs: number[] = [];
  const ys: number[] = [];
  const lo: number[] = [];
  const hi: number[] = [];
  for (const p of points) {
    if (p.firstX < p.x) {
      xs.push(p.firstX);
      ys.push(p.firstMean);
      lo.push(p.min);
      hi.push(p.max);
    }
    xs.push(p.x);
    ys.push(p.mean);
    lo.push(p.min);
    hi.push(p.max);
  }
  const x = Float64Array.from(xs);
  return { line: { xs: x, ys: Float64Array.from(ys) }, bands: new Float64Array(0), area: { xs: x, lo: Float64Array.from(lo), hi: Float64Array.from(hi) } };
}

/** The chart of several series, smoothed with `smoothing` (0 = raw). */
export function chartDataOf(inputs: readonly SeriesInput[], smoothing: number): ChartData {
  const lines: ChartLine[] = inputs.map((input, run) => ({ run, smoothed: false, xs: input.line.xs, ys: input.line.ys }));
  if (smoothing > 0) inputs.forEach((input, run) => lines.push({ run, smoothed: true, xs: input.line.xs, ys: smoothEma(input.line.ys, smoothing) }));
  return withExtents({
    lines,
    bands: inputs.map((input) => input.bands),
    areas: inputs.map((input) => input.area),
    mainLine: inputs.map((_, run) => (smoothing > 0 ? inputs.length + run : run)),
  });
}

/** The chart of several runs' M4 buckets, smoothed with `smoothing` (0 = raw). */
export function buildChartData(runs: readonly Buckets[], smoothing: number): ChartData {
  return chartDataOf(runs.map(runInput), smoothing);
}

function withExtents(data: Omit<ChartData, 'xExtent' | 'yExtent'>): ChartData {
  const x = new Extent();
  const y = new Extent();
  for (const line of data.lines) {
    const { xs, ys } = line;
    for (let i = 0; i < xs.length; i++) {
      if (!Number.isFinite(ys[i]!)) continue;
      x.add(xs[i]!);
      y.add(ys[i]!);
    }
  }
  for (const bands of data.bands) {
    for (let i = 0; i < bands.length; i += BAND_STRIDE) {
      y.add(bands[i + 2]!);
      y.add(bands[i + 3]!);
    }
  }
  for (const area of data.areas) {
    if (!area) continue;
    for (let i = 0; i < area.xs.length; i++) {
      y.add(area.lo[i]!);
      y.add(area.hi[i]!);
    }
  }
  return { ...data, xExtent: x.range(), yExtent: y.range() };
}

class Extent {
  lo = Infinity;
  hi = -Infinity;
  add(value: number): void {
    if (value < this.lo) this.lo = value;
    if (value > this.hi) this.hi = value;
  }
  range(): [number, number] | undefined {
    return Number.isFinite(this.lo) && Number.isFinite(this.hi) ? [this.lo, this.hi] : undefined;
  }
}

/**
 * The chart for a logarithmic y-axis: values at or below 0 have no place on it, so they
 * become gaps, and bands reaching below 0 are cut at the smallest positive value drawn.
 */
export function forLogScale(data: ChartData): ChartData {
  let floor = Infinity;
  const lines = data.lines.map((line) => {
    const ys = line.ys.map((v) => (v > 0 ? v : NaN));
    for (const v of ys) if (v < floor) floor = v;
    return { ...line, ys };
  });
  if (floor === Infinity) floor = 1;
  const bands = data.bands.map((bands) => {
    const kept: number[] = [];
    for (let i = 0; i < bands.length; i += BAND_STRIDE) {
      const hi = bands[i + 3]!;
      if (hi > 0) kept.push(bands[i]!, bands[i + 1]!, bands[i + 2]! > 0 ? bands[i + 2]! : floor, hi);
    }
    return Float64Array.from(kept);
  });
  const atFloor = (v: number) => (v > 0 ? v : floor);
  const areas = data.areas.map((area) => area && { xs: area.xs, lo: area.lo.map(atFloor), hi: area.hi.map(atFloor) });
  return withExtents({ lines, bands, areas, mainLine: data.mainLine });
}

/**
 * The value of the line's point nearest to `x` (gaps skipped), or undefined for a line
 * without values.
 */
export function valueNear(line: Polyline, x: number): number | undefined {
  const { xs, ys } = line;
  // The first point at or after x.
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  let before = lo - 1;
  let after = lo;
  while (before >= 0 && !Number.isFinite(ys[before]!)) before--;
  while (after < xs.length && !Number.isFinite(ys[after]!)) after++;
  if (before < 0 && after >= xs.length) return undefined;
  if (before < 0) return ys[after];
  if (after >= xs.length) return ys[before];
  return x - xs[before]! <= xs[after]! - x ? ys[before] : ys[after];
}

/** The line's last value (gaps skipped), or undefined. */
export function lastValue(line: Polyline): number | undefined {
  for (let i = line.ys.length - 1; i >= 0; i--) if (Number.isFinite(line.ys[i]!)) return line.ys[i];
  return undefined;
}
