/**
 * Filtering, sorting and paging a project's runs from query parameters:
 *   state=running,failed  tags=a,b (all of them)  group=…  jobType=…  search=<name or id part>
 *   filter=[{"field":"config.lr","op":"<","value":0.1}, …]   (ops: = != < <= > >=)
 *   sort=created|updated|runtime|name|config.<path>|summary.<path>  order=asc|desc
 *   limit=1..1000 (default 100)  cursor=<opaque, from the previous page>
 */
import { parseInput, runFilterSchema, splitPath, type FILTER_OPS, type RunInfo, type RunPage } from '@cairn/protocol';
import { HttpError } from '../http/errors.js';

type Op = (typeof FILTER_OPS)[number];
interface FieldFilter {
  field: string;
  op: Op;
  value: unknown;
}

export function filterAndPageRuns(runs: RunInfo[], params: URLSearchParams): RunPage {
  const states = list(params.get('state'));
  const tags = list(params.get('tags'));
  const group = params.get('group');
  const jobType = params.get('jobType');
  const search = params.get('search')?.toLowerCase();
  const filters = parseFilters(params.get('filter'));
  const sort = params.get('sort') ?? 'created';
  const order = params.get('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw new HttpError('invalid_argument', `order must be 'asc' or 'desc', got ${JSON.stringify(order)}`);
  const limit = intParam(params.get('limit'), 'limit', 100, 1, 1000);
  const offset = decodeCursor(params.get('cursor'));
  const sortValue = sortField(sort);

  const matched = runs.filter(
    (run) =>
      (states.length === 0 || states.includes(run.state)) &&
      tags.every((tag) => run.tags.includes(tag)) &&
      (group === null || run.group === group) &&
      (jobType === null || run.jobType === jobType) &&
      (search === undefined || run.id.toLowerCase().includes(search) || (run.name ?? '').toLowerCase().includes(search)) &&
      filters.every((f) => compare(fieldValue(run, f.field), f.op, f.value)),
  );
  const direction = order === 'asc' ? 1 : -1;
  matched.sort((a, b) => direction * compareValues(sortValue(a), sortValue(b)) || compareValues(a.id, b.id));
  const page = matched.slice(offset, offset + limit);
  return { runs: page, nextCursor: offset + limit < matched.length ? encodeCursor(offset + limit) : null };
}

function list(value: string | null): string[] {
  return value ? value.split(',').map((s) => s.trim()).filter(Boolean) : [];
}

function intParam(value: string | null, what: string, fallback: number, min: number, max: number): number {
  if (value === null) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new HttpError('invalid_argument', `${what} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

function parseFilters(text: string | null): FieldFilter[] {
  if (text === null || text === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpError('invalid_argument', 'filter must be a JSON array of { field, op, value }');
  }
  return parseInput(runFilterSchema, parsed, 'filter');
}

function sortField(sort: string): (run: RunInfo) => unknown {
  switch (sort) {
    case 'created':
      return (run) => run.createdAt;
    case 'updated':
      return (run) => run.updatedAt;
    case 'runtime':
      return (run) => run.runtime;
    case 'name':
      return (run) => run.name ?? run.id;
  }
  if (/^(config|summary)\./.test(sort)) return (run) => fieldValue(run, sort);
  throw new HttpError('invalid_argument', `sort must be created, updated, runtime, name, config.<key> or summary.<key>; got ${JSON.stringify(sort)}`);
}

/** `config.a.b` / `summary.train\.loss` → the value at that escaped path. */
function fieldValue(run: RunInfo, field: string): unknown {
  const [root, ...rest] = splitPath(field);
  let node: unknown = root === 'config' ? run.config : run.summary;
  for (const key of rest) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function compare(actual: unknown, op: Op, expected: unknown): boolean {
  if (op === '=') return equalValues(actual, expected);
  if (op === '!=') return !equalValues(actual, expected);
  if (actual === undefined || actual === null) return false;
  const c = compareValues(actual, expected);
  return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
}

function equalValues(a: unknown, b: unknown): boolean {
  return typeof a === 'object' || typeof b === 'object' ? JSON.stringify(a) === JSON.stringify(b) : a === b;
}

/** Total order for sorting: missing last, numbers before strings, then by value. */
function compareValues(a: unknown, b: unknown): number {
  const rank = (v: unknown) => (v === undefined || v === null ? 3 : typeof v === 'number' || typeof v === 'bigint' ? 0 : typeof v === 'string' ? 1 : 2);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return Number(a) - Number(b) || 0;
  if (ra === 1) return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
  return 0;
}

function encodeCursor(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

function decodeCursor(cursor: string | null): number {
  if (cursor === null || cursor === '') return 0;
  const text = Buffer.from(cursor, 'base64url').toString();
  const match = /^o:(\d+)$/.exec(text);
  if (!match) throw new HttpError('invalid_argument', 'cursor is not one this server issued; start again without it');
  return Number(match[1]);
}
