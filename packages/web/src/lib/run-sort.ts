/**
 * Sorting runs in the browser exactly as the server sorts them (packages/server's runs
 * query): once every run of a filter is loaded, a new sort needs no round trip. Numbers come
 * first, then strings, then anything else, then missing values, in either order; the order
 * flips the values within each kind, and ties go by id, ascending.
 */
import type { RunInfo } from '@cairn/protocol';
import { splitFieldPath, valueAt } from './columns.js';

export interface SortSpec {
  field: string;
  order: 'asc' | 'desc';
}

/** The sort a workspace URL asks for (`sort`, `order`): newest first by default. */
export function readRunSort(params: URLSearchParams): SortSpec {
  return { field: params.get('sort') ?? 'created', order: params.get('order') === 'asc' ? 'asc' : 'desc' };
}

function rank(value: unknown): number {
  if (value === undefined || value === null) return 3;
  if (typeof value === 'number' || typeof value === 'bigint') return 0;
  if (typeof value === 'string') return 1;
  return 2;
}

function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return Number(a) - Number(b) || 0;
  if (ra === 1) return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
  return 0;
}

/** How to read the sorted value of a run, or undefined for a field the server cannot sort by. */
function reader(field: string): ((run: RunInfo) => unknown) | undefined {
  switch (field) {
    case 'created':
      return (run) => run.createdAt;
    case 'updated':
      return (run) => run.updatedAt;
    case 'runtime':
      return (run) => run.runtime;
    case 'name':
      return (run) => run.name ?? run.id;
    case 'state':
      return (run) => run.state;
    case 'group':
      return (run) => run.group ?? '';
    case 'jobType':
      return (run) => run.jobType ?? '';
  }
  const match = /^(config|summary)\.(.+)$/.exec(field);
  if (!match) return undefined;
  const parts = splitFieldPath(match[2]!);
  return match[1] === 'config' ? (run) => valueAt(run.config, parts) : (run) => valueAt(run.summary, parts);
}

/** The value a run is sorted by under `field` (undefined also for a field the server cannot sort by). */
export function sortValue(run: RunInfo, field: string): unknown {
  return reader(field)?.(run);
}

/** `runs` sorted as the server would answer them; undefined for a field it cannot sort by. */
export function sortRuns(runs: readonly RunInfo[], sort: SortSpec): RunInfo[] | undefined {
  const read = reader(sort.field);
  if (!read) return undefined;
  const direction = sort.order === 'asc' ? 1 : -1;
  const keyed = runs.map((run) => ({ run, key: read(run) }));
  // Kinds in their order whatever the direction (missing values last); values within a kind in it.
  keyed.sort((a, b) => rank(a.key) - rank(b.key) || direction * compareValues(a.key, b.key) || compareValues(a.run.id, b.run.id));
  return keyed.map((entry) => entry.run);
}
