/**
 * `/:entity/:project`: the runs table above the project's panels. Everything a person sets
 * lives in the URL, so a link shows the same view: sort, filter, columns, grouping, hidden
 * runs, how many are charted, smoothing, panel search, each panel's x-axis, the zoom of each
 * x-axis and the log-scale panels. The live stream updates only what changed: the run's
 * row, and the panels showing that run.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { LiveEvent, RunInfo } from '@cairn/protocol';
import { api, paths } from '../lib/api.js';
import { takeEarlyAnswer } from '../lib/early-answers.js';
import { ColorKeeper, projectColorMemory } from '../lib/colors.js';
import { summaryColumns } from '../lib/columns.js';
import { chartedGroups, groupRuns, parseGroupBy } from '../lib/grouping.js';
import { axisChoices, metricFor, planPanels } from '../lib/panels.js';
import { readNumber } from '../lib/routes.js';
import { formatCount } from '../lib/format.js';
import { filterParams, isFiltering, parseRunFilter, type RunFilter } from '../lib/run-filter.js';
import { readRunSort, type SortSpec } from '../lib/run-sort.js';
import { firstPageSize, MAX_LOADED_RUNS } from '../lib/runs-loader.js';
import { MAX_SMOOTHING } from '../lib/smoothing.js';
import { DEFAULT_BUILTIN_COLUMNS, tableColumns } from '../lib/table-columns.js';
import { LiveListEvents, rowChange } from '../lib/live-list.js';
import { throttle } from '../lib/throttle.js';
import { DEFAULT_SHOWN, MAX_SHOWN, readList, SHOWN_PARAM, writeList } from '../lib/view-params.js';
import { useDebounced, useNow, usePainted, useResource } from '../hooks.js';
import { useLiveEvents, type LiveFeed } from '../live.js';
import { comparePath, MAX_COMPARED_RUNS } from '../lib/compare-url.js';
import { Link, setSearchParams, useLocation } from '../navigation.js';
import type { Theme } from '../theme.js';
import { SMOOTHING_PARAM } from './chart-controls.js';
import { ColumnPicker } from './column-picker.js';
import { Notice } from './layout.js';
import { FirstRun } from './projects-page.js';
import type { ChartRun } from './line-chart.js';
import { ChartsArea } from './panel-sections.js';
import { groupLineId, runLabel, RunsTable, type RunSort } from './runs-table.js';
import { useAllRuns, type AllRuns } from './use-all-runs.js';
import { ChartedCountControl, FilterChips, GroupByControl, RunFilterBox } from './workspace-controls.js';

const SUMMARY_COLUMNS = 4;
/** Default summary columns are picked from this many runs (the list may hold 10,000). */
const SUMMARY_SAMPLE = 500;

export function WorkspacePage(props: { entity: string; project: string; feed: LiveFeed; theme: Theme }) {
  const { entity, project, feed, theme } = props;
  const { search } = useLocation();
  const params = new URLSearchParams(search);
  const { field: sortField, order: sortOrder } = readRunSort(params);
  const sort = useMemo<RunSort>(() => ({ field: sortField, order: sortOrder }), [sortField, sortOrder]);
  const filterText = params.get('q') ?? '';
  const panelSearch = params.get('panels') ?? '';
  const smoothing = readNumber(search, SMOOTHING_PARAM, 0, 0, MAX_SMOOTHING);
  const shownLimit = readNumber(search, SHOWN_PARAM, DEFAULT_SHOWN, 1, MAX_SHOWN);
  const groupBy = parseGroupBy(params.get('groupby'));
  const hiddenText = params.get('hide') ?? '';
  const hidden = useMemo(() => new Set(hiddenText.split(',').filter(Boolean)), [hiddenText]);
  const chosenColumns = readList(search, 'cols');
  const settledFilter = useDebounced(filterText, 250);
  const runFilter = useMemo(() => parseRunFilter(settledFilter), [settledFilter]);
  const now = useNow();
  // The table reaches the screen first; the panels are built a frame later.
  const painted = usePainted();

  const runs = useAllRuns(entity, project, filterParams(runFilter), sort, firstPageSize(shownLimit));
  const keys = useResource(
    (signal) => api.keys(entity, project, undefined, signal),
    [entity, project],
    () => takeEarlyAnswer<KeysData>(paths.keys(entity, project)),
  );
  const runList = runs.data?.runs;
  useLiveUpdates(feed, entity, project, runList, runs, keys.update, runFilter, sort);

  const sections = useMemo(() => planPanels(keys.data?.keys ?? [], keys.data?.metrics ?? []), [keys.data]);
  const axes = useMemo(() => axisChoices(keys.data?.keys ?? [], keys.data?.metrics ?? []), [keys.data]);
  const defaultColumns = useMemo(() => {
    const stepMetrics = new Set(axes);
    const preferred = sections.flatMap((section) => section.panels.map((panel) => panel.key)).filter((key) => !stepMetrics.has(key));
    const metrics = keys.data?.metrics ?? [];
    const sample = (runList ?? []).slice(0, SUMMARY_SAMPLE).map((run) => run.summary);
    const metricColumns = summaryColumns(sample, preferred, SUMMARY_COLUMNS, (path) => metricFor(path, metrics)?.hidden === true);
    return [...DEFAULT_BUILTIN_COLUMNS, ...metricColumns.map((column) => `summary.${column.path}`)];
  }, [runList, sections, axes, keys.data]);
  const columnIds = chosenColumns ?? defaultColumns;
  const columns = useMemo(() => tableColumns(columnIds), [columnIds.join('\n')]);

  const groups = useMemo(() => (groupBy && runList ? groupRuns(runList, groupBy) : undefined), [groupBy, runList]);
  // Per workspace page (a project): its runs' colours, remembered for the run pages and reloads.
  const [colorKeeper] = useState(() => new ColorKeeper(projectColorMemory(entity, project)));
  const charted = useMemo<ChartRun[]>(() => {
    let lines: ChartRun[];
    if (groups) {
      lines = chartedGroups(groups, hidden, shownLimit).map((group) => ({
        id: groupLineId(group),
        name: `${group.label} (${group.runs.length})`,
        color: '',
        runIds: group.runs.map((run) => run.id),
      }));
    } else {
      lines = [];
      for (const run of runList ?? []) {
        if (lines.length >= shownLimit) break;
        if (!hidden.has(run.id)) lines.push({ id: run.id, name: runLabel(run), color: '' });
      }
    }
    // No two lines of a chart alike (while the palette lasts), and each run keeps its colour
    // while the page lives (hiding a run recolours no other); the table shows the same colours.
    const colors = colorKeeper.colorsFor(lines.map((line) => line.id));
    return lines.map((line) => ({ ...line, color: colors.get(line.id)! }));
  }, [groups, runList, hidden, shownLimit, colorKeeper]);
  // The same lines while more pages of runs arrive: the panels (memoised) stay as they are.
  const chartedKey = chartedLinesKey(charted);
  const stableCharted = useMemo(() => charted, [chartedKey]);
  const chartedColors = useMemo(() => new Map(stableCharted.map((line) => [line.id, line.color])), [stableCharted]);

  const toggle = useCallback(
    (runIds: readonly string[], show: boolean) => {
      const next = new Set(hidden);
      for (const id of runIds) {
        if (show) next.delete(id);
        else next.add(id);
      }
      setSearchParams({ hide: next.size > 0 ? [...next].join(',') : null });
    },
    [hidden],
  );
  const onSort = useCallback(
    (next: RunSort) => setSearchParams({ sort: next.field === 'created' ? null : next.field, order: next.order === 'desc' ? null : next.order }),
    [],
  );
  const setColumns = (ids: string[] | null) => setSearchParams({ cols: ids === null ? null : writeList(ids) });

  const total = runList?.length ?? 0;
  const visible = runList ? runList.reduce((n, run) => n + (hidden.has(run.id) ? 0 : 1), 0) : 0;
  // The runs shown in the charts are the selection to compare.
  const compareIds = (runList ?? []).filter((run) => !hidden.has(run.id)).slice(0, MAX_COMPARED_RUNS).map((run) => run.id);
  const loadingMore = runs.data !== undefined && !runs.data.complete;

  return (
    <div className="workspace">
      <section className="card runs-card" aria-labelledby="runs-heading">
        <div className="toolbar">
          <h1 id="runs-heading" className="page-title">
            {project}
          </h1>
          <RunFilterBox value={filterText} />
          <GroupByControl value={groupBy} runs={runList ?? []} />
          <ColumnPicker columns={columnIds} runs={runList ?? []} onChange={setColumns} onReset={chosenColumns ? () => setColumns(null) : undefined} />
        </div>
        <div className="toolbar runs-status">
          <ChartedCountControl value={shownLimit} grouped={groups !== undefined} />
          <span className="muted run-count" data-testid="run-count">
            {runs.data
              ? `${formatCount(visible)} of ${formatCount(total)} run${total === 1 ? '' : 's'} visible${groups ? ` in ${groups.length} group${groups.length === 1 ? '' : 's'}` : ''} · ${charted.length} ${groups ? `group${charted.length === 1 ? '' : 's'}` : `run${charted.length === 1 ? '' : 's'}`} charted`
              : ''}
            {loadingMore ? ` · loading more…${runs.data?.total !== undefined ? ` (${formatCount(total)} of ${formatCount(runs.data.total)})` : ''}` : ''}
            {runs.data?.capped ? ` · the first ${formatCount(MAX_LOADED_RUNS)} runs: filter to narrow` : ''}
          </span>
          <FilterChips filter={runFilter} />
          {hidden.size > 0 && (
            <button type="button" className="link-button" onClick={() => setSearchParams({ hide: null })}>
              Show all runs
            </button>
          )}
          {compareIds.length >= 2 && (
            <Link
              className="button small"
              href={comparePath(entity, project, compareIds)}
              title={visible > compareIds.length ? `Compares the first ${MAX_COMPARED_RUNS} visible runs` : undefined}
            >
              Compare {compareIds.length} selected
            </Link>
          )}
        </div>
        {runs.error && !runs.data ? (
          <Notice kind="error">Could not load the runs: {runs.error}</Notice>
        ) : !runs.data ? (
          <Notice>Loading runs…</Notice>
        ) : total === 0 && isFiltering(runFilter) ? (
          <Notice>No run matches “{settledFilter}”.</Notice>
        ) : total === 0 ? (
          <div className="empty" data-testid="empty-project">
            <p>This project has no runs yet.</p>
            <FirstRun project={project} />
          </div>
        ) : (
          <RunsTable runs={runs.data.runs} groups={groups} columns={columns} sort={sort} onSort={onSort} hidden={hidden} onToggle={toggle} charted={chartedColors} now={now} />
        )}
      </section>
      <ChartsArea keys={painted ? keys : UNPAINTED} entity={entity} project={project} sections={sections} runs={stableCharted} axes={axes} smoothing={smoothing} feed={feed} theme={theme} search={panelSearch} />
    </div>
  );
}

/** The charts' metric list until the table has painted: "Loading charts…". */
const UNPAINTED = { data: undefined, error: undefined };

/** Identifies a list of chart lines by what a panel draws of them. */
function chartedLinesKey(lines: readonly ChartRun[]): string {
  return lines.map((line) => `${line.id}\t${line.name}\t${line.color}\t${line.runIds?.join(',') ?? ''}`).join('\n');
}

const RUN_REFRESH_MS = 1000;
const KEYS_REFRESH_MS = 2000;

type KeysData = Awaited<ReturnType<typeof api.keys>>;

/**
 * On live events: refetch the changed runs' rows — sorting the list again, or loading it
 * again, when a row's fresh copy moved in the sort or may have left the filter — the run
 * list for a run the table does not hold (lib/live-list.ts), and the keys (new metrics become
 * panels); each throttled, so a burst of events costs a request at its start and one at its
 * end.
 */
function useLiveUpdates(
  feed: LiveFeed,
  entity: string,
  project: string,
  runs: readonly RunInfo[] | undefined,
  list: AllRuns,
  updateKeys: (change: (current: KeysData | undefined) => KeysData | undefined) => void,
  filter: RunFilter,
  sort: SortSpec,
) {
  const query = JSON.stringify([filterParams(filter), sort]);
  const latest = useRef({ entity, project, runs, list, updateKeys, query, filter, sort });
  useEffect(() => {
    latest.current = { entity, project, runs, list, updateKeys, query, filter, sort };
  });
  const listEvents = useRef(new LiveListEvents());
  const pending = useRef(new Set<string>());
  const refresh = useMemo(
    () => ({
      rows: throttle(() => {
        const { entity, project } = latest.current;
        const ids = [...pending.current];
        pending.current.clear();
        for (const id of ids) {
          api.run(entity, project, id).then(
            (fresh) => {
              const { runs, list, filter, sort } = latest.current;
              const before = runs?.find((run) => run.id === fresh.id);
              const change = before ? rowChange(before, fresh, filter, sort) : 'same';
              const replace = (runs: RunInfo[]) => runs.map((run) => (run.id === fresh.id ? fresh : run));
              if (change === 'refilter' || (change === 'resort' && !list.whole)) {
                list.update(replace);
                refresh.list();
              } else {
                list.update(replace, change === 'resort');
              }
            },
            () => {},
          );
        }
      }, RUN_REFRESH_MS),
      list: throttle(() => latest.current.list.reload(), RUN_REFRESH_MS),
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
    const { runs, query, filter } = latest.current;
    const action = listEvents.current.onEvent(event.run.id, event.state, new Set(runs?.map((run) => run.id)), query, filter);
    if (action === 'row') {
      pending.current.add(event.run.id);
      refresh.rows();
    } else if (action === 'list') {
      refresh.list();
    }
    refresh.keys();
  });
}
