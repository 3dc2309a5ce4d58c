/**
 * Comparing runs side by side: the union of their config (or summary) keys as rows, one value
 * per run, and whether the row's values differ.
 */
import { escapePathKey } from './columns.js';
import { formatValue } from './format.js';

/** One leaf of a nested object. */
export interface Leaf {
  /** Unique: the escaped dotted path (a literal `.` in a key is `\.`), so `{ 'a.b': 1 }` and `{ a: { b: 2 } }` stay apart. */
  path: string;
  /** What a person reads: the keys joined with `.`. */
  label: string;
  value: unknown;
}

/**
 * The leaves of a nested object in insertion order. Arrays, typed values (`_type`) and empty
 * objects are leaves: they are compared and shown whole.
 *
 * @example
 * flattenLeaves({ lr: 0.1, opt: { name: 'adam' } });
 * // → [{ path: 'lr', label: 'lr', value: 0.1 }, { path: 'opt.name', label: 'opt.name', value: 'adam' }]
 */
export function flattenLeaves(value: Record<string, unknown>): Leaf[] {
  const out: Leaf[] = [];
  collect(value, [], out);
  return out;
}

function collect(value: Record<string, unknown>, parts: string[], out: Leaf[]): void {
  for (const [key, child] of Object.entries(value)) {
    const childParts = [...parts, key];
    if (isBranch(child) && Object.keys(child).length > 0) collect(child, childParts, out);
    else out.push({ path: childParts.map(escapePathKey).join('.'), label: childParts.join('.'), value: child });
  }
}

function isBranch(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !('_type' in value);
}

/** A row of the comparison: one key, a value per run (undefined where the run has none). */
export interface CompareRow {
  path: string;
  label: string;
  values: unknown[];
  /** Some run's value differs from another's; a missing value differs from any present one. */
  differs: boolean;
}

export interface CompareOptions {
  /**
   * 'insertion' keeps the keys in the order the runs hold them (config: as the script set
   * them); 'key' sorts them, the `_` system keys (`_runtime`, `_step`, …) last (summary).
   */
  order?: 'insertion' | 'key';
}

/**
 * The rows comparing `sources` (one object per run, in column order): the union of their
 * leaves, in the first run's order, then keys only later runs hold.
 *
 * @example
 * compareRows([{ lr: 0.1, seed: 1 }, { lr: 0.1, seed: 2, wd: 0.01 }]);
 * // → lr (same), seed (differs), wd (differs: the first run has none)
 */
export function compareRows(sources: ReadonlyArray<Record<string, unknown>>, options: CompareOptions = {}): CompareRow[] {
  const rows = new Map<string, CompareRow>();
  sources.forEach((source, column) => {
    for (const leaf of flattenLeaves(source)) {
      let row = rows.get(leaf.path);
      if (!row) {
        row = { path: leaf.path, label: leaf.label, values: new Array<unknown>(sources.length).fill(undefined), differs: false };
        rows.set(leaf.path, row);
      }
      row.values[column] = leaf.value;
    }
  });
  const out = [...rows.values()];
  for (const row of out) row.differs = !allEqual(row.values);
  if (options.order === 'key') out.sort((a, b) => Number(a.label.startsWith('_')) - Number(b.label.startsWith('_')) || a.label.localeCompare(b.label));
  return out;
}

function allEqual(values: readonly unknown[]): boolean {
  if (values.length < 2) return true;
  const first = canonical(values[0]);
  return values.every((value) => canonical(value) === first);
}

/**
 * A text equal for equal values: object keys sorted (their order is not part of the value),
 * and undefined (missing) distinct from null.
 */
function canonical(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, child]) => `${JSON.stringify(key)}:${canonical(child)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Shown where a run has no value for the row's key. */
export const MISSING = '—';

/**
 * The cells of one row as text, numbers formatted alike: compact (4 significant digits) when
 * that keeps different numbers apart, else every number of the row in full precision, so a
 * row marked as differing never shows the same text twice for different numbers.
 *
 * @example
 * formatRowValues([0.1, undefined, 'adam']);     // → ['0.1', '—', 'adam']
 * formatRowValues([0.123451, 0.123459]);          // → ['0.123451', '0.123459'] (not 0.1235 twice)
 */
export function formatRowValues(values: readonly unknown[]): string[] {
  const compact = values.map((value) => (value === undefined ? MISSING : formatValue(value)));
  const numbers = values.map((value, i) => [value, i] as const).filter((entry): entry is readonly [number, number] => typeof entry[0] === 'number');
  const textOf = new Map<string, number>();
  let collides = false;
  for (const [value, i] of numbers) {
    const seen = textOf.get(compact[i]!);
    if (seen !== undefined && seen !== value && !(Number.isNaN(seen) && Number.isNaN(value))) collides = true;
    textOf.set(compact[i]!, value);
  }
  if (!collides) return compact;
  return values.map((value, i) => (typeof value === 'number' && Number.isFinite(value) ? String(value) : compact[i]!));
}
