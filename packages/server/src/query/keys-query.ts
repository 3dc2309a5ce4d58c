/**
 * The keys of a project: what the dashboard turns into panels. The distinct numeric series
 * keys its runs logged (escaped dotted paths, `_runtime` and `_timestamp` included since they
 * are x-axes), and the union of the runs' metric definitions, so the dashboard can hide
 * `hidden` metrics and pick each key's step metric as its default x-axis.
 */
import type { Context } from 'hono';
import type { MetricDefinition } from '@cairn/protocol';
import { HttpError } from '../http/errors.js';
import type { Store } from '../store/store.js';

export interface ProjectKeys {
  /** Sorted. */
  keys: string[];
  /** One definition per name; where runs disagree, the newest run's definition wins. */
  metrics: MetricDefinition[];
}

export interface ProjectKeysOptions {
  /** Only these runs (by id); every run of the project when absent. */
  runIds?: readonly string[];
}

export async function projectKeys(store: Store, entity: string, project: string, options: ProjectKeysOptions = {}): Promise<ProjectKeys> {
  const runIds = options.runIds;
  if (runIds !== undefined && runIds.length === 0) return { keys: [], metrics: [] };

  let keyQuery = store.db
    .selectFrom('series_chunks')
    .innerJoin('runs', 'runs.pk', 'series_chunks.run_pk')
    .innerJoin('projects', 'projects.id', 'runs.project_id')
    .innerJoin('entities', 'entities.id', 'projects.entity_id')
    .select('series_chunks.key')
    .distinct()
    .where('entities.name', '=', entity)
    .where('projects.name', '=', project);
  if (runIds !== undefined) keyQuery = keyQuery.where('runs.run_id', 'in', runIds);

  let metricQuery = store.db
    .selectFrom('runs')
    .innerJoin('projects', 'projects.id', 'runs.project_id')
    .innerJoin('entities', 'entities.id', 'projects.entity_id')
    .select('runs.metrics')
    .where('entities.name', '=', entity)
    .where('projects.name', '=', project)
    .where('runs.metrics', '!=', '[]')
    .orderBy('runs.created_at', 'desc')
    .orderBy('runs.pk', 'desc');
  if (runIds !== undefined) metricQuery = metricQuery.where('runs.run_id', 'in', runIds);

  const [keyRows, metricRows] = await Promise.all([keyQuery.execute(), metricQuery.execute()]);
  // Sorted here, not in SQL: the engines' collations order text differently.
  const keys = keyRows.map((row) => row.key).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const byName = new Map<string, MetricDefinition>();
  for (const row of metricRows) {
    for (const definition of JSON.parse(row.metrics) as MetricDefinition[]) {
      if (!byName.has(definition.name)) byName.set(definition.name, definition);
    }
  }
  return { keys, metrics: [...byName.values()] };
}

/**
 * `GET /projects/:entity/:project/keys[?runs=id1,id2]` → {@link ProjectKeys}. An unknown
 * project has no keys (like its empty run list), not an error.
 */
export function projectKeysRoute(store: Store) {
  return async (c: Context): Promise<Response> => {
    const entity = c.req.param('entity') ?? '';
    const project = c.req.param('project') ?? '';
    const runsText = c.req.query('runs');
    let runIds: string[] | undefined;
    if (runsText !== undefined) {
      runIds = runsText.split(',').filter((id) => id.length > 0);
      if (runIds.length === 0 || runIds.length > 1000 || runIds.some((id) => id.length > 128)) {
        throw new HttpError('invalid_argument', "query parameter 'runs' must list 1–1000 comma-separated run ids, e.g. runs=abc123,def456");
      }
    }
    return c.json(await projectKeys(store, entity, project, { runIds }));
  };
}
