/**
 * The SQL of `Store.listRuns`: one page of a project's runs, filtered, sorted, keyset-paged
 * and counted by the database, in two statements run together: the page (its keys found
 * first, then only those runs' columns read) and the count of every matching run.
 *
 * config and summary are TEXT holding encodeJson output, `{"v": <value>, "x": [specials]}`,
 * so field paths start at `v`. NaN, ±Infinity and bigint are JSON null there (restored from
 * `x` only on decode): to a filter or a sort they are null.
 *
 * The engines differ in a few SQL fragments (JSON access, tag containment, code point
 * order of text), picked once per query from the capabilities:
 *   SQLite      json_type / json_extract with a quoted path (SQLite caches the parsed
 *               document between calls on one row); json_each for tags
 *   PostgreSQL  each field read once per row as `text::json #> path` in a LATERAL fenced by
 *               OFFSET 0 (so the planner cannot copy it into every use), then json_typeof on
 *               that small value; @> for tags; COLLATE "C" wherever text is compared. The
 *               json parser only scans: about 40% cheaper here than a cast to jsonb.
 * Sorting by or filtering on a field still reads every run of the project: the cost grows
 * with the project, unlike created-ordered pages, which an index bounds.
 */
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { FILTER_OPS, RunInfo, RunState } from '@cairn/protocol';
import type { Capabilities } from '../db/connection.js';
import type { Database, RunRow } from '../db/schema.js';

export type JsonRoot = 'config' | 'summary';
export type FilterOp = (typeof FILTER_OPS)[number];

/** What a page is sorted by: a run column, or a value inside config or summary. */
/** The run columns a list sorts by: numbers (created, updated, runtime) and text (name, state, group, jobType). */
export const SORT_COLUMNS = ['created', 'updated', 'runtime', 'name', 'state', 'group', 'jobType'] as const;
export type RunSort = { kind: 'column'; column: (typeof SORT_COLUMNS)[number] } | { kind: 'field'; root: JsonRoot; keys: string[] };

/** `config.<keys…> op value`. Ordering ops take a number or a string (the parser checks). */
export interface RunFieldFilter {
  root: JsonRoot;
  keys: string[];
  op: FilterOp;
  value: unknown;
}

/**
 * The rank of a field's value in a field sort: ranks come in this order in either direction,
 * values are ordered within the number and string ranks only.
 */
export const SORT_RANK = { number: 0, string: 1, other: 2, missing: 3 } as const;
export type SortRank = (typeof SORT_RANK)[keyof typeof SORT_RANK];

/**
 * Where a page ended: its last row's sort key and run id. Column sorts use rank 0 and the
 * column's value; field sorts the value's rank and its number or string (null for ranks 2, 3).
 */
export interface RunListPosition {
  rank: SortRank;
  value: number | string | null;
  id: string;
}

/** A parsed runs list query (query/runs-query.ts parses it from URL parameters). */
export interface RunListQuery {
  /** Derived states (a running run whose heartbeats stopped is crashed or preempted); empty: any. */
  states: RunState[];
  /** The run has every one of them. */
  tags: string[];
  group: string | null;
  jobType: string | null;
  /** A case-insensitive substring of the run's id or name. */
  search: string | null;
  filters: RunFieldFilter[];
  sort: RunSort;
  order: 'asc' | 'desc';
  limit: number;
  /** The page starts after this position; null for the first page. */
  after: RunListPosition | null;
}

export interface RunListResult {
  runs: RunInfo[];
  /** Runs matching the filters, on every page. */
  total: number;
  /** Where the next page starts; null on the last page. */
  next: RunListPosition | null;
}

/** The columns a RunInfo is built from: not the replay snapshot, the widest of them. */
const RUN_INFO_COLUMNS = [
  'run_id', 'name', 'group_name', 'job_type', 'tags', 'notes', 'state', 'exit_code', 'created_at', 'updated_at', 'heartbeat_at',
  'start_time', 'runtime', 'last_step', 'history_rows', 'config', 'summary', 'metadata', 'metrics', 'preempting',
] as const;

export type RunInfoRow = Pick<RunRow, (typeof RUN_INFO_COLUMNS)[number]> & { entity_name: string; project_name: string };

export interface RunListScope {
  entity: string;
  project: string;
  /** Unix seconds at which states are derived (pass the same time when decoding the rows). */
  time: number;
  heartbeatTimeoutSeconds: number;
}

/** The page's rows (undecoded), the total and the next position: two statements, run together. */
export async function selectRunPage(
  db: Kysely<Database>,
  capabilities: Capabilities,
  scope: RunListScope,
  query: RunListQuery,
): Promise<{ rows: RunInfoRow[]; total: number; next: RunListPosition | null }> {
  const engine = ENGINE_SQL[capabilities.engine];
  const fields = new FieldRefs();
  const filterFields = query.filters.map((filter) => fields.get(filter.root, filter.keys));
  const conditions = matchConditions(engine, scope, query, filterFields);
  const sort = sortSql(engine, scope, query.sort, query.order, fields);
  const pageConditions = query.after ? [...conditions, sort.after(query.after)] : conditions;
  const sources = (refs: readonly FieldRef[]) => sql.join(engine.fieldSources([...new Set(refs)]), sql` `);

  // The page's keys first (narrow rows, however many runs the sort reads), then only those
  // runs' columns: a sort never carries the other runs' config, summary or metadata.
  const pageQuery = sql<PageRow>`WITH page AS (
      SELECT runs.pk AS pk, ${sql.join(sort.columns)}, ${engine.binary(sql`runs.run_id`)} AS sort_id
      FROM runs ${sources(fields.all())}
      WHERE ${sql.join(pageConditions, sql` AND `)}
      ORDER BY ${sort.order}
      LIMIT ${query.limit + 1}
    )
    SELECT ${sql.join(sort.names.map((name) => sql.ref(`page.${name}`)))}, ${sql.join(RUN_INFO_COLUMNS.map((column) => sql.ref(`runs.${column}`)))}
    FROM page INNER JOIN runs ON runs.pk = page.pk
    ORDER BY ${sort.order}`;
  const countQuery = sql<{ n: number | string }>`SELECT count(*) AS n
    FROM runs ${sources(filterFields)}
    WHERE ${sql.join(conditions, sql` AND `)}`;
  const [page, count] = await Promise.all([pageQuery.execute(db), countQuery.execute(db)]);

  const rows = page.rows.slice(0, query.limit);
  const last = rows[rows.length - 1];
  return {
    rows: rows.map((row) => ({ ...row, entity_name: scope.entity, project_name: scope.project })),
    total: Number(count.rows[0]?.n ?? 0),
    next: page.rows.length > query.limit && last ? sort.position(last) : null,
  };
}

interface SortKeys {
  k_rank?: number;
  k_num?: number | null;
  k_str?: string | null;
}

type PageRow = SortKeys & Pick<RunRow, (typeof RUN_INFO_COLUMNS)[number]>;

// ── the WHERE clause ────────────────────────────────────────────────────────

/** The state toRunInfo derives: the same formula, at the same time (a running run whose heartbeats stopped is crashed or preempted). */
function derivedState(scope: RunListScope): RawBuilder<string> {
  return sql<string>`(CASE WHEN runs.state = 'running' AND ${scope.time} - runs.heartbeat_at > ${scope.heartbeatTimeoutSeconds}
    THEN (CASE WHEN runs.preempting <> 0 THEN 'preempted' ELSE 'crashed' END) ELSE runs.state END)`;
}

/** `fields[i]` is where `query.filters[i]` reads its field. */
function matchConditions(engine: EngineSql, scope: RunListScope, query: RunListQuery, fields: FieldRef[]): Array<RawBuilder<SqlBool>> {
  // An unknown project matches nothing: the subquery is NULL.
  const projectId = sql`(SELECT projects.id FROM projects INNER JOIN entities ON entities.id = projects.entity_id
    WHERE entities.name = ${scope.entity} AND projects.name = ${scope.project})`;
  const conditions: Array<RawBuilder<SqlBool>> = [sql`runs.project_id = ${projectId}`];
  if (query.states.length > 0) conditions.push(sql`${derivedState(scope)} IN (${sql.join(query.states)})`);
  if (query.tags.length > 0) conditions.push(engine.hasTags(query.tags));
  if (query.group !== null) conditions.push(sql`runs.group_name = ${query.group}`);
  if (query.jobType !== null) conditions.push(sql`runs.job_type = ${query.jobType}`);
  if (query.search !== null) {
    const pattern = `%${query.search.replace(/[\\%_]/g, '\\$&')}%`;
    const like = (column: RawBuilder<unknown>) => sql`lower(${column}) LIKE lower(CAST(${pattern} AS TEXT)) ESCAPE '\\'`;
    conditions.push(sql`(${like(sql`runs.run_id`)} OR ${like(sql`runs.name`)})`);
  }
  for (const [i, filter] of query.filters.entries()) conditions.push(filterCondition(engine.field(fields[i]!), filter));
  return conditions;
}

function filterCondition(field: FieldSql, filter: RunFieldFilter): RawBuilder<SqlBool> {
  if (filter.op === '=') return sql`COALESCE(${field.equals(filter.value)}, FALSE)`;
  if (filter.op === '!=') return sql`NOT COALESCE(${field.equals(filter.value)}, FALSE)`;
  // A number compares with numbers only, a string with strings only: any other value is null here.
  const operand = typeof filter.value === 'number' ? field.number : field.string;
  return sql`${operand} ${sql.raw(filter.op)} ${filter.value}`;
}

// ── ORDER BY and the keyset ─────────────────────────────────────────────────

interface SortSql {
  /** Select-list items: k_num or k_str for a column sort; k_rank, k_num, k_str for a field. */
  columns: Array<RawBuilder<unknown>>;
  /** Their names. */
  names: Array<keyof SortKeys>;
  order: RawBuilder<unknown>;
  /** Rows after `position` in this order. */
  after(position: RunListPosition): RawBuilder<SqlBool>;
  position(row: SortKeys & { run_id: string }): RunListPosition;
}

const COLUMN_SORTS = {
  created: sql`runs.created_at`,
  updated: sql`runs.updated_at`,
  runtime: sql`runs.runtime`,
} as const;

/** The sort columns whose key is text. */
export const TEXT_SORT_COLUMNS: ReadonlySet<string> = new Set(['name', 'state', 'group', 'jobType']);

/**
 * A text column's sort key, never null (SQLite and PostgreSQL put nulls at different ends): a
 * run without a name sorts by its id, one without a group or job type as '', and the state as
 * the run reads (derivedState). Undefined for a numeric column.
 */
function textSortKey(column: string, scope: RunListScope): RawBuilder<unknown> | undefined {
  if (column === 'name') return sql`COALESCE(runs.name, runs.run_id)`;
  if (column === 'state') return derivedState(scope);
  if (column === 'group') return sql`COALESCE(runs.group_name, '')`;
  if (column === 'jobType') return sql`COALESCE(runs.job_type, '')`;
  return undefined;
}

function sortSql(engine: EngineSql, scope: RunListScope, sort: RunSort, order: 'asc' | 'desc', fields: FieldRefs): SortSql {
  const direction = sql.raw(order === 'asc' ? 'ASC' : 'DESC');
  const beyond = sql.raw(order === 'asc' ? '>' : '<');
  const beyondOrAt = sql.raw(order === 'asc' ? '>=' : '<=');
  const id = engine.binary(sql`runs.run_id`);
  // `key ≥ v AND (key > v OR id > last id)`: the first half lets an index bound the scan.
  const afterValue = (key: RawBuilder<unknown>, position: RunListPosition) =>
    sql<SqlBool>`(${key} ${beyondOrAt} ${position.value} AND (${key} ${beyond} ${position.value} OR ${id} > ${position.id}))`;

  if (sort.kind === 'column') {
    const text = textSortKey(sort.column, scope);
    if (text) {
      const key = engine.binary(text); // compared bytewise
      return {
        columns: [sql`${key} AS k_str`],
        names: ['k_str'],
        order: sql`k_str ${direction}, sort_id ASC`,
        after: (position) => afterValue(key, position),
        position: (row) => ({ rank: SORT_RANK.number, value: row.k_str ?? '', id: row.run_id }),
      };
    }
    const key = COLUMN_SORTS[sort.column as keyof typeof COLUMN_SORTS];
    return {
      columns: [sql`${key} AS k_num`],
      names: ['k_num'],
      order: sql`k_num ${direction}, sort_id ASC`,
      after: (position) => afterValue(key, position),
      position: (row) => ({ rank: SORT_RANK.number, value: Number(row.k_num), id: row.run_id }),
    };
  }

  const field = engine.field(fields.get(sort.root, sort.keys));
  return {
    columns: [sql`${field.rank} AS k_rank`, sql`${field.number} AS k_num`, sql`${field.string} AS k_str`],
    names: ['k_rank', 'k_num', 'k_str'],
    // Ranks ascend whatever the order: numbers, strings, the rest, missing last.
    order: sql`k_rank ASC, k_num ${direction}, k_str ${direction}, sort_id ASC`,
    after(position) {
      const within =
        position.rank === SORT_RANK.number ? afterValue(field.number, position) : position.rank === SORT_RANK.string ? afterValue(field.string, position) : sql`${id} > ${position.id}`;
      return sql<SqlBool>`(${field.rank} > ${position.rank} OR (${field.rank} = ${position.rank} AND ${within}))`;
    },
    position(row) {
      const rank = Number(row.k_rank) as SortRank;
      return { rank, value: rank === SORT_RANK.number ? Number(row.k_num) : rank === SORT_RANK.string ? (row.k_str ?? '') : null, id: row.run_id };
    },
  };
}

// ── the per-engine fragments ────────────────────────────────────────────────

/** A config or summary field one query reads, and the alias of the FROM item it is read from. */
interface FieldRef {
  root: JsonRoot;
  keys: readonly string[];
  alias: string;
}

/** The fields of one query: each distinct path once, however many conditions use it. */
class FieldRefs {
  readonly #refs = new Map<string, FieldRef>();

  get(root: JsonRoot, keys: readonly string[]): FieldRef {
    const id = JSON.stringify([root, ...keys]);
    let ref = this.#refs.get(id);
    if (!ref) {
      ref = { root, keys, alias: `field_${this.#refs.size}` };
      this.#refs.set(id, ref);
    }
    return ref;
  }

  all(): FieldRef[] {
    return [...this.#refs.values()];
  }
}

/** A config or summary field of the current row. */
interface FieldSql {
  rank: RawBuilder<number>;
  /** The value when it is a number, else null. */
  number: RawBuilder<number | null>;
  /** The value when it is a string (compared by code point), else null. */
  string: RawBuilder<string | null>;
  /** True when the field exists and equals `value` as JSON; false or null otherwise. */
  equals(value: unknown): RawBuilder<SqlBool>;
}

interface EngineSql {
  /** FROM-clause items that `field` reads the fields from (none on SQLite). */
  fieldSources(fields: readonly FieldRef[]): Array<RawBuilder<unknown>>;
  field(ref: FieldRef): FieldSql;
  /** `text`, compared and ordered by code point whatever the database's collation. */
  binary<T>(text: RawBuilder<T>): RawBuilder<T>;
  /** The run has every one of `tags`. */
  hasTags(tags: readonly string[]): RawBuilder<SqlBool>;
}

/** A SQLite JSON path to `$.v.<keys>`, each key quoted. */
function sqlitePath(keys: readonly string[]): string {
  // Inside a quoted key SQLite decodes JSON escapes once a backslash appears, and a `"`
  // always ends the key: so `\` is written `\\` and `"` as `\u0022`.
  return `$.v${keys.map((key) => `."${key.replace(/[\\"]/g, (ch) => (ch === '"' ? '\\u0022' : '\\\\'))}"`).join('')}`;
}

const sqliteSql: EngineSql = {
  fieldSources: () => [],
  field({ root, keys }) {
    const path = sqlitePath(keys);
    const type = sql`json_type(${sql.ref(`runs.${root}`)}, ${path})`;
    const value = sql`json_extract(${sql.ref(`runs.${root}`)}, ${path})`;
    return {
      rank: sql`(CASE ${type} WHEN 'integer' THEN 0 WHEN 'real' THEN 0 WHEN 'text' THEN 1 WHEN 'true' THEN 2 WHEN 'false' THEN 2 WHEN 'object' THEN 2 WHEN 'array' THEN 2 ELSE 3 END)`,
      // JSON integers beyond 2^53 come back as exact 64-bit integers: REAL is what JS holds.
      number: sql`(CASE WHEN ${type} IN ('integer', 'real') THEN CAST(${value} AS REAL) END)`,
      string: sql`(CASE WHEN ${type} = 'text' THEN ${value} END)`,
      equals(expected) {
        // json_extract turns true into 1 and '1' into 1: compare the JSON type first.
        if (typeof expected === 'number') return sql`(${type} IN ('integer', 'real') AND CAST(${value} AS REAL) = ${expected})`;
        if (typeof expected === 'string') return sql`(${type} = 'text' AND ${value} = ${expected})`;
        if (typeof expected === 'boolean') return sql`(${type} = ${expected ? 'true' : 'false'})`;
        if (expected === null) return sql`(${type} = 'null')`;
        return sql`(${type} = ${Array.isArray(expected) ? 'array' : 'object'} AND ${value} = json(${JSON.stringify(expected)}))`;
      },
    };
  },
  binary: (text) => text,
  hasTags: (tags) => sql.join(
    tags.map((tag) => sql`EXISTS (SELECT 1 FROM json_each(runs.tags) WHERE json_each.value = ${tag})`),
    sql` AND `,
  ),
};

const postgresSql: EngineSql = {
  // PostgreSQL's JSON parsers refuse the escape \u0000 (text cannot hold NUL) anywhere in a
  // document: it is read as \u0001, which sorts where NUL would, so that one such string
  // cannot break a project's list.
  fieldSources: (fields) =>
    fields.map(
      ({ root, keys, alias }) =>
        sql`CROSS JOIN LATERAL (SELECT replace(${sql.ref(`runs.${root}`)}, '\\u0000', '\\u0001')::json #> ${['v', ...keys]}::text[] AS value OFFSET 0) AS ${sql.ref(alias)}`,
    ),
  field({ alias }) {
    const value = sql.ref(`${alias}.value`);
    return {
      rank: sql`(CASE json_typeof(${value}) WHEN 'number' THEN 0 WHEN 'string' THEN 1 WHEN 'boolean' THEN 2 WHEN 'object' THEN 2 WHEN 'array' THEN 2 ELSE 3 END)`,
      // A JSON number's text is what JS wrote; float8 reads it back to the same double.
      number: sql`(CASE WHEN json_typeof(${value}) = 'number' THEN (${value} #>> '{}')::float8 END)`,
      string: sql`((CASE WHEN json_typeof(${value}) = 'string' THEN ${value} #>> '{}' END) COLLATE "C")`,
      equals: (expected) => sql`(${value}::jsonb = ${JSON.stringify(expected)}::jsonb)`,
    };
  },
  binary: (text) => sql`(${text} COLLATE "C")`,
  hasTags: (tags) => sql`(runs.tags::jsonb @> ${JSON.stringify(tags)}::jsonb)`,
};

const ENGINE_SQL: Record<Capabilities['engine'], EngineSql> = { sqlite: sqliteSql, postgres: postgresSql };
