/**
 * A project's runs list from query parameters (GET …/projects/:entity/:project/runs):
 *   state=running,failed  tags=a,b (all of them)  group=…  jobType=…  search=<name or id part>
 *   filter=[{"field":"config.lr","op":"<","value":0.1}, …]   (ops: = != < <= > >=)
 *   sort=created|updated|runtime|name|config.<path>|summary.<path>  order=asc|desc (default desc)
 *   limit=1..1000 (default 100)  cursor=<opaque, from the previous page>
 * Paths are escaped dotted paths (`config.opt.lr`, `summary.train\.loss`; see splitPath).
 * The database filters, sorts, pages and counts (store/run-list.ts); this file parses.
 *
 * Semantics:
 * - state is the derived state: a `running` run whose heartbeats stopped reads (and filters)
 *   as `crashed`, or `preempted` after markPreempting.
 * - search: a substring of the id or the name, case-insensitive, `%` and `_` literal. SQLite
 *   folds the case of ASCII letters only; PostgreSQL of every letter.
 * - filter `<` `<=` `>` `>=` take a number or a string. A run matches only when the field
 *   exists and holds the same type: a number against a number, a string against a string
 *   (strings by code point).
 * - filter `=` matches when the field exists and equals the value as JSON: numbers by value,
 *   strings exactly, true/false/null as themselves, arrays element by element, objects key by
 *   key (on SQLite also in the same key order). `!=` is its negation: a missing field is != anything.
 * - NaN, ±Infinity and bigint values are stored as JSON null: they read as null, match no
 *   ordering comparison and sort with the missing values.
 * - sort by a field: numbers first, then strings, then booleans, objects and arrays (equal
 *   among themselves), then null or missing, in either direction; `order` orders the numbers
 *   and the strings (by code point). `name` is the run's name, or its id when it has none.
 *   Ties are broken by run id, ascending, so that pages are deterministic.
 * - cursor: keyset pagination. It holds the last row's sort key and run id, plus a
 *   fingerprint of the listing (project, filters, sort, order; not limit), so a run created
 *   between two fetches is neither repeated nor skipped, and a cursor from another listing
 *   is refused rather than misread.
 * - total: how many runs match the filters, on all pages.
 */
import { createHash } from 'node:crypto';
import { parseInput, runFilterSchema, splitPath, type RunPage, type RunState } from '@cairn/protocol';
import { HttpError } from '../http/errors.js';
import type { Store } from '../store/store.js';
import { SORT_COLUMNS, SORT_RANK, TEXT_SORT_COLUMNS, type JsonRoot, type RunFieldFilter, type RunListPosition, type RunListQuery, type RunSort } from '../store/run-list.js';

const RUN_STATES: readonly RunState[] = ['running', 'finished', 'failed', 'crashed', 'killed', 'preempted'];
const MAX_CONDITIONS = 100;
const CURSOR_VERSION = 1;

/** Answers GET …/runs: one page of the project's runs as the parameters ask. */
export async function listRunPage(store: Store, entity: string, project: string, params: URLSearchParams): Promise<RunPage> {
  const { query, fingerprint } = parseRunListQuery(params, `${entity}/${project}`);
  const page = await store.listRuns(entity, project, query);
  return { runs: page.runs, nextCursor: page.next === null ? null : encodeCursor(fingerprint, page.next), total: page.total };
}

/**
 * The parameters as a RunListQuery, with the fingerprint its cursors carry; `listing` names
 * the list the cursor belongs to (entity/project). Throws invalid_argument for bad input.
 */
export function parseRunListQuery(params: URLSearchParams, listing: string): { query: RunListQuery; fingerprint: string } {
  for (const [name, value] of params) {
    // PostgreSQL takes no NUL in a text parameter: refused on every engine alike.
    if (value.includes('\u0000')) throw new HttpError('invalid_argument', `${name} must not contain NUL characters`);
  }
  const states = list(params.get('state'), 'state');
  const unknown = states.find((state) => !RUN_STATES.includes(state as RunState));
  if (unknown !== undefined) throw new HttpError('invalid_argument', `state must be a comma-separated list of ${RUN_STATES.join(', ')}; got ${JSON.stringify(unknown)}`);
  const tags = list(params.get('tags'), 'tags');
  const group = params.get('group');
  const jobType = params.get('jobType');
  const search = params.get('search') || null;
  const filterText = params.get('filter');
  const filters = parseFilters(filterText);
  const sortText = params.get('sort') ?? 'created';
  const sort = parseSort(sortText);
  const order = params.get('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw new HttpError('invalid_argument', `order must be 'asc' or 'desc', got ${JSON.stringify(order)}`);
  const limit = intParam(params.get('limit'), 'limit', 100, 1, 1000);

  const fingerprint = createHash('sha256')
    .update(JSON.stringify([listing, [...states].sort(), [...tags].sort(), group, jobType, search, filters, sortText, order]))
    .digest('base64url')
    .slice(0, 16);
  const after = decodeCursor(params.get('cursor'), fingerprint, sort);
  return { query: { states: states as RunState[], tags, group, jobType, search, filters, sort, order, limit, after }, fingerprint };
}

function list(value: string | null, what: string): string[] {
  const items = value ? [...new Set(value.split(',').map((s) => s.trim()).filter(Boolean))] : [];
  if (items.length > MAX_CONDITIONS) throw new HttpError('invalid_argument', `${what} takes at most ${MAX_CONDITIONS} values, got ${items.length}`);
  return items;
}

function intParam(value: string | null, what: string, fallback: number, min: number, max: number): number {
  if (value === null) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new HttpError('invalid_argument', `${what} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

function parseFilters(text: string | null): RunFieldFilter[] {
  if (text === null || text === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpError('invalid_argument', 'filter must be a JSON array of { field, op, value }');
  }
  const conditions = parseInput(runFilterSchema, parsed, 'filter');
  if (JSON.stringify(conditions).includes('\\u0000')) throw new HttpError('invalid_argument', 'filter must not contain NUL characters (\\u0000)');
  if (conditions.length > MAX_CONDITIONS) throw new HttpError('invalid_argument', `filter takes at most ${MAX_CONDITIONS} conditions, got ${conditions.length}`);
  return conditions.map(({ field, op, value }, i) => {
    if (op !== '=' && op !== '!=' && typeof value !== 'number' && typeof value !== 'string') {
      throw new HttpError('invalid_argument', `filter: ${i}.value: ${op} compares numbers or strings, got ${JSON.stringify(value)}; use = or != for other values`);
    }
    const [root, ...keys] = splitPath(field);
    return { root: root as JsonRoot, keys, op, value };
  });
}

function parseSort(sort: string): RunSort {
  const column = SORT_COLUMNS.find((name) => name === sort);
  if (column) return { kind: 'column', column };
  if (/^(config|summary)\./.test(sort)) {
    const [root, ...keys] = splitPath(sort);
    return { kind: 'field', root: root as JsonRoot, keys };
  }
  throw new HttpError('invalid_argument', `sort must be ${SORT_COLUMNS.join(', ')}, config.<key> or summary.<key>; got ${JSON.stringify(sort)}`);
}

// ── cursors: base64url of [version, fingerprint, rank, value, run id] ─────────

function encodeCursor(fingerprint: string, position: RunListPosition): string {
  return Buffer.from(JSON.stringify([CURSOR_VERSION, fingerprint, position.rank, position.value, position.id])).toString('base64url');
}

function decodeCursor(cursor: string | null, fingerprint: string, sort: RunSort): RunListPosition | null {
  if (cursor === null || cursor === '') return null;
  const malformed = () => new HttpError('invalid_argument', 'cursor is not one this server issued; start again without it');
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw malformed();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw malformed();
  }
  if (!Array.isArray(parsed) || parsed.length !== 5 || parsed[0] !== CURSOR_VERSION || typeof parsed[1] !== 'string' || typeof parsed[4] !== 'string') throw malformed();
  const [, issuedFor, rank, value, id] = parsed as [number, string, unknown, unknown, string];
  if (issuedFor !== fingerprint) {
    throw new HttpError('invalid_argument', 'cursor belongs to another listing (a different project, filter, sort or order); start again without it');
  }
  if (!positionFits(sort, rank, value)) throw malformed();
  return { rank: rank as RunListPosition['rank'], value: value as RunListPosition['value'], id };
}

/** Whether a decoded cursor's key is one that `sort` produces. */
function positionFits(sort: RunSort, rank: unknown, value: unknown): boolean {
  const isNumber = typeof value === 'number' && Number.isFinite(value);
  if (sort.kind === 'column') return rank === SORT_RANK.number && (TEXT_SORT_COLUMNS.has(sort.column) ? typeof value === 'string' : isNumber);
  if (rank === SORT_RANK.number) return isNumber;
  if (rank === SORT_RANK.string) return typeof value === 'string';
  return (rank === SORT_RANK.other || rank === SORT_RANK.missing) && value === null;
}
