/**
 * Chart data: each drawn line with its own x and y arrays (float64, NaN for a gap), with
 * the bands or area behind it and the extent of it all.
 *
 * Lines are not aligned on one shared x array: M4 buckets put each run's minima and maxima
 * on different steps, so a shared array holds the union of every run's x values (for 10
 * runs, 5× the points of one; for 100 runs of 100,000 steps, nearly every step), mostly
 * gaps. The chart draws each line from its own points instead (line-chart.tsx).
 *
 * A run's raw line and bands are drawn straight from its M4 buckets (chart-paths.ts): their
 * arrays are built only when something reads them — smoothing, a log axis, the value under
 * the cursor. A chart of 100 runs opens without building 100 of each.
 */
import { bucketBands, bucketExtent, bucketsToPolyline, BAND_STRIDE, lastBucketY, type Buckets, type Polyline } from './buckets.js';
import type { GroupPoint } from './grouping.js';
import { smoothEma } from './smoothing.js';

export interface ChartLine extends Polyline {
  /** Index of the series (run or group) in the input. */
  run: number;
  /** The smoothed line (drawn strong), or the raw one (drawn faint when smoothing). */
  smoothed: boolean;
  /**
   * A run's M4 buckets, when this is their raw line: it is drawn from them, and its points
   * (xs, ys) are built when first read.
   */
  buckets?: Buckets | undefined;
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
  /**
   * The x and y extent of the line, bands and area (finite values), undefined for none; when
   * absent, {@link chartDataOf} measures it from them.
   */
  extent?: { x: [number, number]; y: [number, number] } | undefined;
  /** A run's M4 buckets, which `line` and `bands` are built from when first read. */
  buckets?: Buckets | undefined;
}

export interface ChartData {
  /** In drawing order: all raw lines, then the smoothed ones on top. */
  lines: ChartLine[];
  /**
   * Per series: the min–max band of each bucket ({@link BAND_STRIDE} float64s each), or
   * undefined for a run whose bands are drawn from its buckets (`buckets`).
   */
  bands: Array<Float64Array | undefined>;
  /** Per series: a run's M4 buckets, which its bands are drawn from; undefined otherwise. */
  buckets: Array<Buckets | undefined>;
  /** Per series: its area, or null. */
  areas: Array<Area | null>;
  /** Per series: the index in `lines` of its strong line (the one the legend reads). */
  mainLine: number[];
  /** The smallest and largest x of any point; undefined when there is none. */
  xExtent: [number, number] | undefined;
  /** The smallest and largest finite value of any line, band or area; undefined when there is none. */
  yExtent: [number, number] | undefined;
}

/**
 * A run's series: the polyline through its M4 buckets, with each bucket's band — each built
 * when first read — and their extent, read off the buckets.
 */
export function runInput(buckets: Buckets): SeriesInput {
  let line: Polyline | undefined;
  let bands: Float64Array | undefined;
  return {
    get line() {
      return (line ??= bucketsToPolyline(buckets));
    },
    get bands() {
      return (bands ??= bucketBands(buckets));
    },
    area: null,
    extent: bucketExtent(buckets),
    buckets,
  };
}

/** A run's raw line, drawn from its buckets; its points are its input's, built when read. */
class BucketLine implements ChartLine {
  readonly smoothed = false;

  constructor(
    readonly run: number,
    readonly buckets: Buckets,
    private readonly input: SeriesInput,
  ) {}

  get xs(): Float64Array {
    return this.input.line.xs;
  }

  get ys(): Float64Array {
    return this.input.line.ys;
  }
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
  const lines: ChartLine[] = inputs.map((input, run) => (input.buckets ? new BucketLine(run, input.buckets, input) : { run, smoothed: false, xs: input.line.xs, ys: input.line.ys }));
  if (smoothing > 0) inputs.forEach((input, run) => lines.push({ run, smoothed: true, xs: input.line.xs, ys: smoothEma(input.line.ys, smoothing) }));
  const data = {
    lines,
    bands: inputs.map((input) => (input.buckets ? undefined : input.bands)),
    buckets: inputs.map((input) => input.buckets),
    areas: inputs.map((input) => input.area),
    mainLine: inputs.map((_, run) => (smoothing > 0 ? inputs.length + run : run)),
  };
  if (!inputs.every((input) => 'extent' in input)) return withExtents(data);
  // Each input's extent is known; a smoothed line (a weighted mean of the values before it)
  // stays within its raw line's, but is measured all the same: rounding may step outside.
  const x = new Extent();
  const y = new Extent();
  for (const { extent } of inputs) {
    if (!extent) continue;
    x.add(extent.x[0]);
    x.add(extent.x[1]);
    y.add(extent.y[0]);
    y.add(extent.y[1]);
  }
  if (smoothing > 0) for (const line of lines) if (line.smoothed) measureLine(line, x, y);
  return { ...data, xExtent: x.range(), yExtent: y.range() };
}

function measureLine({ xs, ys }: Polyline, x: Extent, y: Extent): void {
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isFinite(ys[i]!)) continue;
    x.add(xs[i]!);
    y.add(ys[i]!);
  }
}

/** The chart of several runs' M4 buckets, smoothed with `smoothing` (0 = raw). */
export function buildChartData(runs: readonly Buckets[], smoothing: number): ChartData {
  return chartDataOf(runs.map(runInput), smoothing);
}

function withExtents(data: Omit<ChartData, 'xExtent' | 'yExtent'>): ChartData {
  const x = new Extent();
  const y = new Extent();
  for (const line of data.lines) {
    // A line drawn from buckets, with the bands drawn from them: measured on the buckets.
    const extent = line.buckets && bucketExtent(line.buckets);
    if (extent) {
      x.add(extent.x[0]);
      x.add(extent.x[1]);
      y.add(extent.y[0]);
      y.add(extent.y[1]);
    } else if (!line.buckets) {
      measureLine(line, x, y);
    }
  }
  for (const bands of data.bands) {
    if (!bands) continue;
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
  // Every line and band as arrays (none drawn from buckets: their values change here).
  const lines = data.lines.map((line): ChartLine => {
    const ys = line.ys.map((v) => (v > 0 ? v : NaN));
    for (const v of ys) if (v < floor) floor = v;
    return { run: line.run, smoothed: line.smoothed, xs: line.xs, ys };
  });
  if (floor === Infinity) floor = 1;
  const bands = data.bands.map((explicit, series) => {
    const buckets = data.buckets[series];
    const bands = explicit ?? (buckets ? bucketBands(buckets) : new Float64Array(0));
    const kept: number[] = [];
    for (let i = 0; i < bands.length; i += BAND_STRIDE) {
      const hi = bands[i + 3]!;
      if (hi > 0) kept.push(bands[i]!, bands[i + 1]!, bands[i + 2]! > 0 ? bands[i + 2]! : floor, hi);
    }
    return Float64Array.from(kept);
  });
  const atFloor = (v: number) => (v > 0 ? v : floor);
  const areas = data.areas.map((area) => area && { xs: area.xs, lo: area.lo.map(atFloor), hi: area.hi.map(atFloor) });
  return withExtents({ lines, bands, buckets: data.buckets.map(() => undefined), areas, mainLine: data.mainLine });
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
export function lastValue(line: Polyline & { buckets?: Buckets | undefined }): number | undefined {
  if (line.buckets) {
    // Its last point's, read off the buckets without building the line (unless it is a gap).
    const y = lastBucketY(line.buckets);
    if (y === undefined || Number.isFinite(y)) return y;
  }
  for (let i = line.ys.length - 1; i >= 0; i--) if (Number.isFinite(line.ys[i]!)) return line.ys[i];
  return undefined;
}
