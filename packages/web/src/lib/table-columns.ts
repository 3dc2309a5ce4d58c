/**
 * The runs table's columns: the run's own fields and any config or summary field, chosen
 * and ordered by the person (the `cols` URL parameter). The name column is always first.
 */
import { escapePathKey, splitFieldPath } from './columns.js';

export interface TableColumn {
  /** `state`, `created`, … or `config.<escaped path>` / `summary.<escaped path>`. */
  id: string;
  /** The header: a summary field by its key alone (`loss`), a config field as `config.lr`. */
  label: string;
  /** Unambiguous: `summary.loss`, `config.lr`, `Runtime`. */
  fullLabel: string;
  /** What the server sorts by for this column; undefined when it cannot sort by it. */
  sortField: string | undefined;
  /** Right-aligned, and the sort starts descending. */
  numeric: boolean;
  /** CSS pixels: rows are virtualised, so widths are fixed rather than measured. */
  width: number;
  /** For config and summary columns: the keys inside `config` / `summary`. */
  parts: string[] | undefined;
}

const BUILTINS: Record<string, Omit<TableColumn, 'id' | 'parts' | 'fullLabel'>> = {
  name: { label: 'Name', sortField: 'name', numeric: false, width: 220 },
  state: { label: 'State', sortField: 'state', numeric: false, width: 104 },
  created: { label: 'Created', sortField: 'created', numeric: false, width: 108 },
  runtime: { label: 'Runtime', sortField: 'runtime', numeric: true, width: 90 },
  tags: { label: 'Tags', sortField: undefined, numeric: false, width: 160 },
  group: { label: 'Group', sortField: 'group', numeric: false, width: 130 },
  jobType: { label: 'Job type', sortField: 'jobType', numeric: false, width: 100 },
};

/** Run fields a person can add besides config and summary fields (name is always shown). */
export const BUILTIN_COLUMN_IDS = ['state', 'created', 'runtime', 'tags', 'group', 'jobType'] as const;

/** The run fields shown before the person picks: then the first summary metrics follow. */
export const DEFAULT_BUILTIN_COLUMNS = ['state', 'created', 'runtime', 'tags'] as const;

/** The column of an id, or undefined for an id that names nothing. */
export function columnOf(id: string): TableColumn | undefined {
  const builtin = BUILTINS[id];
  if (builtin) return { id, ...builtin, fullLabel: builtin.label, parts: undefined };
  const match = /^(config|summary)\.(.+)$/.exec(id);
  if (!match) return undefined;
  const parts = splitFieldPath(match[2]!);
  const key = parts.join('.');
  const fullLabel = `${match[1]}.${key}`;
  return { id, label: match[1] === 'summary' ? key : fullLabel, fullLabel, sortField: id, numeric: true, width: 116, parts };
}

/** The table's columns for the chosen ids (unknown ids and `name` are dropped: name leads anyway). */
export function tableColumns(ids: readonly string[]): TableColumn[] {
  const seen = new Set<string>(['name']);
  const out: TableColumn[] = [columnOf('name')!];
  for (const id of ids) {
    if (seen.has(id)) continue;
    const column = columnOf(id);
    if (!column) continue;
    seen.add(id);
    out.push(column);
  }
  return out;
}

function collectLeaves(value: Record<string, unknown>, prefix: string, out: Set<string>, depth: number): void {
  for (const [key, child] of Object.entries(value)) {
    const path = `${prefix}.${escapePathKey(key)}`;
    if (depth < 6 && child !== null && typeof child === 'object' && !Array.isArray(child) && !('_type' in child)) {
      collectLeaves(child as Record<string, unknown>, path, out, depth + 1);
    } else if (!key.startsWith('_')) {
      out.add(path);
    }
  }
}

/**
 * Every config and summary field some run has, as column ids, sorted: config first. Nested
 * objects give one column per leaf; `_`-prefixed keys (`_runtime`, `_step`) are left out.
 */
export function fieldColumnIds(runs: ReadonlyArray<{ config: Record<string, unknown>; summary: Record<string, unknown> }>): string[] {
  const config = new Set<string>();
  const summary = new Set<string>();
  for (const run of runs) {
    collectLeaves(run.config, 'config', config, 0);
    collectLeaves(run.summary, 'summary', summary, 0);
  }
  return [...[...config].sort(), ...[...summary].sort()];
}

/** `items` with the item at `index` moved by `delta` places (clamped to the ends). */
export function moveItem<T>(items: readonly T[], index: number, delta: number): T[] {
  const target = Math.max(0, Math.min(items.length - 1, index + delta));
  if (index < 0 || index >= items.length || target === index) return [...items];
  const out = [...items];
  const [item] = out.splice(index, 1);
  out.splice(target, 0, item!);
  return out;
}
