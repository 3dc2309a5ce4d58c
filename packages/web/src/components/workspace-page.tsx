/**
 * `/:entity/:project`: the runs table above the project's panels. Sorting, the text filter,
 * hidden runs, smoothing, panel search and each panel's x-axis live in the URL, so a link
 * shows the same view. The live stream updates only what changed: the run's row, and the
 * panels showing that run.
 */
import { useEffect, useMemo, useRef } from 'react';
import type { LiveEvent, RunInfo, RunPage } from '@cairn/protocol';
import { api } from '../lib/api.js';
import { runColor } from '../lib/colors.js';
import { summaryColumns } from '../lib/columns.js';
import { axisChoices, metricFor, planPanels } from '../lib/panels.js';
import { readNumber } from '../lib/routes.js';
import { MAX_SMOOTHING } from '../lib/smoothing.js';
import { throttle } from '../lib/throttle.js';
import { useDebounced, useNow, useResource } from '../hooks.js';
import { useLiveEvents, type LiveFeed } from '../live.js';
import { setSearchParams, useLocation } from '../navigation.js';
import type { Theme } from '../theme.js';
import { PanelSearch, SMOOTHING_PARAM, SmoothingControl } from './chart-controls.js';
import { Notice } from './layout.js';
import type { ChartRun } from './line-chart.js';
import { PanelSections } from './panel-sections.js';
import { runLabel, RunsTable, type RunSort } from './runs-table.js';

/** At most this many runs are drawn in each chart (the first visible rows of the table). */
export const MAX_CHARTED_RUNS = 30;
const SUMMARY_COLUMNS = 4;

export function WorkspacePage(props: { entity: string; project: string; feed: LiveFeed; theme: Theme }) {
  const { entity, project, feed, theme } = props;
  const { search } = useLocation();
  const params = new URLSearchParams(search);
  const sort: RunSort = { field: params.get('sort') ?? 'created', order: params.get('order') === 'asc' ? 'asc' : 'desc' };
  const filter = params.get('q') ?? '';
  const panelSearch = params.get('panels') ?? '';
  const smoothing = readNumber(search, SMOOTHING_PARAM, 0, 0, MAX_SMOOTHING);
  const hiddenText = params.get('hide') ?? '';
  const hidden = useMemo(() => new Set(hiddenText.split(',').filter(Boolean)), [hiddenText]);
  const settledFilter = useDebounced(filter, 200);
  const now = useNow();

  const runs = useResource(
    (signal) => api.runs(entity, project, { sort: sort.field, order: sort.order, search: settledFilter }, signal),
    [entity, project, sort.field, sort.order, settledFilter],
  );
  const keys = useResource((signal) => api.keys(entity, project, undefined, signal), [entity, project]);
  useLiveUpdates(feed, entity, project, runs.data?.runs, runs.update, runs.reload, keys.update);

  const sections = useMemo(() => planPanels(keys.data?.keys ?? [], keys.data?.metrics ?? []), [keys.data]);
  const axes = useMemo(() => axisChoices(keys.data?.keys ?? [], keys.data?.metrics ?? []), [keys.data]);
  const runList = runs.data?.runs;
  const columns = useMemo(() => {
    const stepMetrics = new Set(axes);
    const preferred = sections.flatMap((section) => section.panels.map((panel) => panel.key)).filter((key) => !stepMetrics.has(key));
    const metrics = keys.data?.metrics ?? [];
    return summaryColumns((runList ?? []).map((run) => run.summary), preferred, SUMMARY_COLUMNS, (path) => metricFor(path, metrics)?.hidden === true);
  }, [runList, sections, axes, keys.data]);
  const charted = useMemo<ChartRun[]>(
    () =>
      (runList ?? [])
        .filter((run) => !hidden.has(run.id))
        .slice(0, MAX_CHARTED_RUNS)
        .map((run) => ({ id: run.id, name: runLabel(run), color: runColor(run.id) })),
    [runList, hidden],
  );

  const toggle = (runId: string) => {
    const next = new Set(hidden);
    if (next.has(runId)) next.delete(runId);
    else next.add(runId);
    setSearchParams({ hide: next.size > 0 ? [...next].join(',') : null });
  };
  const onSort = (next: RunSort) =>
    setSearchParams({ sort: next.field === 'created' ? null : next.field, order: next.order === 'desc' ? null : next.order });

  const total = runList?.length ?? 0;
  const visible = (runList ?? []).filter((run) => !hidden.has(run.id)).length;

  return (
    <div className="workspace">
      <section className="card runs-card" aria-labelledby="runs-heading">
        <div className="toolbar">
          <h1 id="runs-heading" className="page-title">
            {project}
          </h1>
          <label className="control grow">
            <span className="visually-hidden">Filter runs by name or id</span>
            <input type="search" placeholder="Filter runs by name or id" value={filter} onChange={(event) => setSearchParams({ q: event.target.value || null })} />
          </label>
          <span className="muted run-count" data-testid="run-count">
            {runs.data ? `${visible} of ${total} run${total === 1 ? '' : 's'} shown${visible > MAX_CHARTED_RUNS ? ` (first ${MAX_CHARTED_RUNS} charted)` : ''}` : ''}
            {runs.data?.nextCursor ? ' · more runs exist: filter to narrow' : ''}
          </span>
        </div>
        {runs.error && !runs.data ? (
          <Notice kind="error">Could not load the runs: {runs.error}</Notice>
        ) : !runs.data ? (
          <Notice>Loading runs…</Notice>
        ) : total === 0 ? (
          <Notice>{settledFilter ? `No run matches “${settledFilter}”.` : 'This project has no runs yet.'}</Notice>
        ) : (
          <RunsTable runs={runs.data.runs} sort={sort} onSort={onSort} hidden={hidden} onToggle={toggle} summaryColumns={columns} now={now} />
        )}
      </section>
      <section className="panels-area" aria-label="Charts">
        <div className="toolbar">
          <PanelSearch value={panelSearch} />
          <SmoothingControl value={smoothing} />
        </div>
        {keys.error && !keys.data ? (
          <Notice kind="error">Could not load the metrics: {keys.error}</Notice>
        ) : !keys.data ? (
          <Notice>Loading charts…</Notice>
        ) : (
          <PanelSections entity={entity} project={project} sections={sections} runs={charted} axes={axes} smoothing={smoothing} feed={feed} theme={theme} search={panelSearch} />
        )}
      </section>
    </div>
  );
}

const RUN_REFRESH_MS = 1000;
const KEYS_REFRESH_MS = 2000;

type KeysData = Awaited<ReturnType<typeof api.keys>>;

/**
 * On live events: refetch the changed runs' rows, the run list when a run appears that the
 * table does not hold, and the keys (new metrics become panels) — each throttled, so a
 * burst of events costs a request at its start and one at its end.
 */
function useLiveUpdates(
  feed: LiveFeed,
  entity: string,
  project: string,
  runs: readonly RunInfo[] | undefined,
  updateRuns: (change: (page: RunPage | undefined) => RunPage | undefined) => void,
  reloadRuns: () => void,
  updateKeys: (change: (current: KeysData | undefined) => KeysData | undefined) => void,
) {
  const latest = useRef({ entity, project, runs, updateRuns, reloadRuns, updateKeys });
  useEffect(() => {
    latest.current = { entity, project, runs, updateRuns, reloadRuns, updateKeys };
  });
  const pending = useRef(new Set<string>());
  const refresh = useMemo(
    () => ({
      rows: throttle(() => {
        const { entity, project, updateRuns } = latest.current;
        const ids = [...pending.current];
        pending.current.clear();
        for (const id of ids) {
          api.run(entity, project, id).then(
            (fresh) => updateRuns((page) => page && { ...page, runs: page.runs.map((run) => (run.id === fresh.id ? fresh : run)) }),
            () => {},
          );
        }
      }, RUN_REFRESH_MS),
      list: throttle(() => latest.current.reloadRuns(), RUN_REFRESH_MS),
      keys: throttle(() => {
        const { entity, project, updateKeys } = latest.current;
        api.keys(entity, project).then(
          (fresh) => updateKeys((current) => (current && JSON.stringify(current) === JSON.stringify(fresh) ? current : fresh)),
          () => {},
        );
      }, KEYS_REFRESH_MS),
    }),
    [],
  );
  useEffect(
    () => () => {
      refresh.rows.cancel();
      refresh.list.cancel();
      refresh.keys.cancel();
    },
    [refresh],
  );

  useLiveEvents(feed, (event: LiveEvent) => {
    if (latest.current.runs?.some((run) => run.id === event.run.id)) {
      pending.current.add(event.run.id);
      refresh.rows();
    } else {
      refresh.list();
    }
    refresh.keys();
  });
}
