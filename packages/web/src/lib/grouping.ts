/**
 * Grouping runs (by group, job type or a config value) and drawing a group as one line: the
 * mean of its runs with the min–max band across them. The runs' buckets must come from one
 * series query with an explicit `range`: the server then puts every run's bucket i over the
 * same x interval, so bucket i of each run can be combined.
 */
import type { RunInfo } from '@cairn/protocol';
import { BUCKET_STRIDE, bucketCount, COUNT, FIRST_X, FIRST_Y, LAST_X, LAST_Y, MAX_Y, MIN_Y, spanEnd, spanStart, type Buckets } from './buckets.js';
import { splitFieldPath, valueAt } from './columns.js';
import { formatValue } from './format.js';

/** What runs are grouped by: their group, their job type, or a config field (`config.<escaped path>`). */
export type GroupBy = 'group' | 'jobType' | `config.${string}`;

/** The grouping named by a URL value, or undefined for none (or nonsense). */
export function parseGroupBy(text: string | null | undefined): GroupBy | undefined {
  if (text === 'group' || text === 'jobType') return text;
  if (text && text.startsWith('config.') && text.length > 'config.'.length) return text as GroupBy;
  return undefined;
}

/** A human label for a grouping. */
export function groupByLabel(by: GroupBy): string {
  return by === 'group' ? 'Group' : by === 'jobType' ? 'Job type' : by.slice('config.'.length);
}

export interface RunGroup {
  /** Distinguishes every value (the string "1" from the number 1, and missing from both). */
  key: string;
  label: string;
  runs: RunInfo[];
}

function groupValue(run: RunInfo, by: GroupBy): unknown {
  if (by === 'group') return run.group;
  if (by === 'jobType') return run.jobType;
  return valueAt(run.config, splitFieldPath(by).slice(1));
}

/**
 * `runs` in groups of equal value, in the order each group's first run appears (so the
 * table's sort orders the groups too). Runs without the value form one group of their own.
 *
 * @example
 * groupRuns(runs, 'config.optimizer').map((g) => g.label); // → ['adam', 'sgd', 'no optimizer']
 */
export function groupRuns(runs: readonly RunInfo[], by: GroupBy): RunGroup[] {
  const groups = new Map<string, RunGroup>();
  for (const run of runs) {
    const value = groupValue(run, by);
    const missing = value === undefined || value === null || value === '';
    const key = missing ? '∅' : JSON.stringify(value);
    let group = groups.get(key);
    if (!group) {
      group = { key, label: missing ? `no ${groupByLabel(by).toLowerCase()}` : formatValue(value), runs: [] };
      groups.set(key, group);
    }
    group.runs.push(run);
  }
  return [...groups.values()];
}

/**
 * The first `limit` groups holding a run that is not hidden, each with those runs only —
 * what the charts draw when runs are grouped. `maxRuns` caps the runs in all (a series query
 * takes at most 1,000).
 */
export function chartedGroups(groups: readonly RunGroup[], hidden: ReadonlySet<string>, limit: number, maxRuns = 1000): RunGroup[] {
  const out: RunGroup[] = [];
  let total = 0;
  for (const group of groups) {
    if (out.length >= limit || total >= maxRuns) break;
    const shown = group.runs.filter((run) => !hidden.has(run.id)).slice(0, maxRuns - total);
    if (shown.length === 0) continue;
    out.push({ ...group, runs: shown });
    total += shown.length;
  }
  return out;
}

/** One bucket of a group: where the runs' points are, their mean and their extremes. */
export interface GroupPoint {
  /** The mean x and value of the runs' first points in the bucket. */
  firstX: number;
  firstMean: number;
  /** The mean x of the runs' last points in the bucket. */
  x: number;
  x0: number;
  x1: number;
  /** The mean of the runs' last values in the bucket. */
  mean: number;
  /** The smallest and largest value of any of the runs in the bucket. */
  min: number;
  max: number;
  /** How many of the runs have points in the bucket. */
  runs: number;
  /** How many points they have there in all. */
  count: number;
}

/**
 * Combines runs' buckets from one query with a shared range, bucket by bucket: the mean of
 * the runs' first and of their last values (so the mean line starts and ends where the runs
 * do, as a run's line through its buckets does), and the smallest
 * minimum and largest maximum — so the band spans both the spread across runs and any spike
 * within a run. Runs without points (no buckets) are left out. Non-finite values are
 * skipped. Returns the non-empty buckets, in x order.
 */
export function aggregateBuckets(perRun: readonly Buckets[]): GroupPoint[] {
  const length = Math.max(0, ...perRun.map(bucketCount));
  const points: GroupPoint[] = [];
  for (let b = 0; b < length; b++) {
    const at = b * BUCKET_STRIDE;
    let runs = 0;
    let count = 0;
    let sum = 0;
    let sumX = 0;
    let sumFirst = 0;
    let sumFirstX = 0;
    let min = Infinity;
    let max = -Infinity;
    let x0 = Infinity;
    let x1 = -Infinity;
    for (const buckets of perRun) {
      if (at >= buckets.length || buckets[at + COUNT] === 0) continue;
      const last = buckets[at + LAST_Y]!;
      if (!Number.isFinite(last)) continue;
      const first = buckets[at + FIRST_Y]!;
      runs++;
      count += buckets[at + COUNT]!;
      sum += last;
      sumX += buckets[at + LAST_X]!;
      sumFirst += Number.isFinite(first) ? first : last;
      sumFirstX += buckets[at + FIRST_X]!;
      if (buckets[at + MIN_Y]! < min) min = buckets[at + MIN_Y]!;
      if (buckets[at + MAX_Y]! > max) max = buckets[at + MAX_Y]!;
      x0 = Math.min(x0, spanStart(buckets, at));
      x1 = Math.max(x1, spanEnd(buckets, at));
    }
    if (runs === 0) continue;
    const mean = sum / runs;
    const firstMean = sumFirst / runs;
    points.push({ firstX: sumFirstX / runs, firstMean, x: sumX / runs, x0, x1, mean, min: Math.min(min, mean, firstMean), max: Math.max(max, mean, firstMean), runs, count });
  }
  return points;
}

/** The x extent of several series' buckets (from a query of one bucket per series, say). */
export function extentOf(series: readonly Buckets[]): [number, number] | undefined {
  let from = Infinity;
  let to = -Infinity;
  for (const buckets of series) {
    for (let at = 0; at + BUCKET_STRIDE <= buckets.length; at += BUCKET_STRIDE) {
      if (buckets[at + COUNT] === 0) continue;
      from = Math.min(from, spanStart(buckets, at));
      to = Math.max(to, spanEnd(buckets, at));
    }
  }
  return from <= to ? [from, to] : undefined;
}
