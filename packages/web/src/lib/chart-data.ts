/**
 * Chart data for uPlot: every run's line on one shared, sorted x array ("aligned" data),
 * with null where a run has no point at that x (the chart draws across such gaps).
 */
import type { M4Bucket } from '@cairn/protocol';
import { bucketBands, bucketsToPolyline, type Band, type Polyline } from './buckets.js';
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

export interface ChartData {
  xs: number[];
  /** One column per line, in drawing order: all raw lines, then the smoothed ones on top. */
  columns: Array<Array<number | null>>;
  lines: ChartLine[];
  /** Per run: the min–max band of each bucket. */
  bands: Band[][];
  /** Per run: the column of its strong line (the one the legend reads). */
  mainColumn: number[];
}

/** The chart of several runs' M4 buckets, smoothed with `smoothing` (0 = raw). */
export function buildChartData(runs: ReadonlyArray<ReadonlyArray<M4Bucket | null>>, smoothing: number): ChartData {
  const raw = runs.map(bucketsToPolyline);
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
    bands: runs.map(bucketBands),
    mainColumn: raw.map((_, run) => (smoothing > 0 ? raw.length + run : run)),
  };
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
