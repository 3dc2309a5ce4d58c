/**
 * Chart data for uPlot: every run's line on one shared, sorted x array ("aligned" data),
 * with null where a run has no point at that x (the chart draws across such gaps).
 */
import type { M4Bucket } from '@cairn/protocol';
import { bucketBands, bucketsToPolyline, type Band, type Polyline } from './buckets.js';
import type { GroupPoint } from './grouping.js';
import { smoothEma } from './smoothing.js';

export interface AlignedTable {
  xs: number[];
  columns: Array<Array<number | null>>;
}

/**
 * Merges polylines (each sorted by x) onto one x array. An x that a line repeats (two
 * points at one x) gets as many slots as the line repeating it most, so no point is lost.
 *
 * @example
 * alignPolylines([{ xs: [0, 2], ys: [1, 3] }, { xs: [1, 2], ys: [5, 6] }]);
 * // → { xs: [0, 1, 2], columns: [[1, null, 3], [null, 5, 6]] }
 */
export function alignPolylines(lines: readonly Polyline[]): AlignedTable {
  const xs: number[] = [];
  const columns = lines.map(() => [] as Array<number | null>);
  const heads = lines.map(() => 0);
  const runs = lines.map(() => 0);
  for (;;) {
    let x = Infinity;
    for (let i = 0; i < lines.length; i++) {
      const head = lines[i]!.xs[heads[i]!];
      if (head !== undefined && head < x) x = head;
    }
    if (x === Infinity) break;
    let slots = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      let n = 0;
      while (line.xs[heads[i]! + n] === x) n++;
      runs[i] = n;
      if (n > slots) slots = n;
    }
    for (let s = 0; s < slots; s++) xs.push(x);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const column = columns[i]!;
      const n = runs[i]!;
      for (let s = 0; s < slots; s++) column.push(s < n ? line.ys[heads[i]! + s]! : null);
      heads[i] = heads[i]! + n;
    }
  }
  return { xs, columns };
}

export interface ChartLine {
  /** Index of the run in the input. */
  run: number;
  /** The smoothed line (drawn strong), or the raw one (drawn faint when smoothing). */
  smoothed: boolean;
}

/** A filled area between two lines through the same x values: a group's min–max band. */
export interface Area {
  xs: number[];
  lo: number[];
  hi: number[];
}

/** One drawn series before alignment: its line, and the bands or area behind it. */
export interface SeriesInput {
  line: Polyline;
  /** Per-bucket min–max rectangles (a run's spikes within a pixel column). */
  bands: Band[];
  /** A continuous band (a group's spread across its runs), or null. */
  area: Area | null;
}

export interface ChartData {
  xs: number[];
  /** One column per line, in drawing order: all raw lines, then the smoothed ones on top. */
  columns: Array<Array<number | null>>;
  lines: ChartLine[];
  /** Per series: the min–max band of each bucket. */
  bands: Band[][];
  /** Per series: its area, or null. */
  areas: Array<Area | null>;
  /** Per series: the column of its strong line (the one the legend reads). */
  mainColumn: number[];
}

/** A run's series: the polyline through its M4 buckets, with each bucket's band. */
export function runInput(buckets: ReadonlyArray<M4Bucket | null>): SeriesInput {
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
  return { line: { xs, ys }, bands: [], area: { xs, lo, hi } };
}

/** The chart of several series, smoothed with `smoothing` (0 = raw). */
export function chartDataOf(inputs: readonly SeriesInput[], smoothing: number): ChartData {
  const raw = inputs.map((input) => input.line);
  const lines: ChartLine[] = raw.map((_, run) => ({ run, smoothed: false }));
  const polylines: Polyline[] = [...raw];
  if (smoothing > 0) {
    raw.forEach((line, run) => {
      const ys = smoothEma(line.ys, smoothing) as number[];
      polylines.push({ xs: line.xs, ys });
      lines.push({ run, smoothed: true });
    });
  }
  const { xs, columns } = alignPolylines(polylines);
  return {
    xs,
    columns,
    lines,
    bands: inputs.map((input) => input.bands),
    areas: inputs.map((input) => input.area),
    mainColumn: raw.map((_, run) => (smoothing > 0 ? raw.length + run : run)),
  };
}

/** The chart of several runs' M4 buckets, smoothed with `smoothing` (0 = raw). */
export function buildChartData(runs: ReadonlyArray<ReadonlyArray<M4Bucket | null>>, smoothing: number): ChartData {
  return chartDataOf(runs.map(runInput), smoothing);
}

/**
 * The chart for a logarithmic y-axis: values at or below 0 have no place on it, so they
 * become gaps, and bands reaching below 0 are cut at the smallest positive value drawn.
 */
export function forLogScale(data: ChartData): ChartData {
  let floor = Infinity;
  const keep = (v: number | null) => (v !== null && v > 0 ? v : null);
  const columns = data.columns.map((column) =>
    column.map((v) => {
      const kept = keep(v);
      if (kept !== null && kept < floor) floor = kept;
      return kept;
    }),
  );
  if (floor === Infinity) floor = 1;
  const bands = data.bands.map((bands) => bands.filter((band) => band.hi > 0).map((band) => (band.lo > 0 ? band : { ...band, lo: floor })));
  const areas = data.areas.map((area) => area && { xs: area.xs, lo: area.lo.map((v) => (v > 0 ? v : floor)), hi: area.hi.map((v) => (v > 0 ? v : floor)) });
  return { ...data, columns, bands, areas };
}

/**
 * The value of `column` at `index`, or at the nearest index holding one (another run's
 * point may sit at the cursor's x); undefined for an empty column.
 */
export function nearestValue(column: ReadonlyArray<number | null>, index: number): number | undefined {
  for (let d = 0; index - d >= 0 || index + d < column.length; d++) {
    const before = column[index - d];
    if (before !== null && before !== undefined) return before;
    const after = column[index + d];
    if (after !== null && after !== undefined) return after;
  }
  return undefined;
}
