/** The numeric leaves of history rows, by escaped dotted path: what the series store holds. */
import { escapeKey, isPlainObject } from '@cairn/protocol';

export interface SeriesPoints {
  steps: number[];
  values: number[];
}

/**
 * Collects every finite numeric leaf of `rows` (numbers, and bigints as numbers) under its
 * path, x = `_step`. `_step` itself is the x-axis and is not a series; `_runtime` and
 * `_timestamp` are, so charts can use them as x-axes. Rows without a numeric `_step` are skipped.
 */
export function collectSeries(rows: ReadonlyArray<Record<string, unknown>>): Map<string, SeriesPoints> {
  const out = new Map<string, SeriesPoints>();
  for (const row of rows) {
    const step = row._step;
    if (typeof step !== 'number') continue;
    for (const key in row) {
      if (key === '_step') continue;
      visit(row[key], escapeKey(key), step, out);
    }
  }
  return out;
}

function visit(value: unknown, path: string, step: number, out: Map<string, SeriesPoints>): void {
  let number: number | undefined;
  if (typeof value === 'number') number = value;
  else if (typeof value === 'bigint') number = Number(value);
  else if (isPlainObject(value)) {
    for (const key in value) visit(value[key], `${path}.${escapeKey(key)}`, step, out);
    return;
  }
  if (number === undefined || !Number.isFinite(number)) return;
  let points = out.get(path);
  if (!points) out.set(path, (points = { steps: [], values: [] }));
  points.steps.push(step);
  points.values.push(number);
}
