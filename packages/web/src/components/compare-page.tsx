/**
 * `/:entity/:project/compare?runs=a,b,c`: the chosen runs' config and summary side by side,
 * one column per run, rows whose values differ highlighted. The runs, "only differences"
 * (`diff=1`) and the key filter (`q`) live in the URL, so a link shows the same comparison.
 * Compared runs that are still running follow the live stream.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { RunInfo } from '@cairn/protocol';
import { api, errorMessage } from '../lib/api.js';
import { compareRows } from '../lib/compare.js';
import { MAX_COMPARED_RUNS, readRunIds, withRunIds } from '../lib/compare-url.js';
import { routePath, withParams } from '../lib/routes.js';
import { throttle } from '../lib/throttle.js';
import { useResource } from '../hooks.js';
import { useLiveEvents, type LiveFeed } from '../live.js';
import { Link, navigate, useLocation } from '../navigation.js';
import { CompareTable } from './compare-table.js';
import { Notice } from './layout.js';
import { RunPicker } from './run-picker.js';
import { runLabel } from './runs-table.js';
import './compare-page.css';

const DIFF_PARAM = 'diff';
const FILTER_PARAM = 'q';
const LIVE_REFRESH_MS = 1000;

/** Sets query parameters of the compare page, keeping the run list's commas readable. */
function setCompareParams(updates: Record<string, string | null>, runIds?: readonly string[]): void {
  const { pathname, search } = window.location;
  navigate(pathname + withRunIds(withParams(search, updates), runIds ?? readRunIds(search)), { replace: true });
}

export function ComparePage(props: { entity: string; project: string; feed: LiveFeed }) {
  const { entity, project, feed } = props;
  const { search } = useLocation();
  const params = new URLSearchParams(search);
  const requested = readRunIds(search);
  const ids = requested.slice(0, MAX_COMPARED_RUNS);
  const idsKey = ids.join(',');
  const onlyDifferences = params.get(DIFF_PARAM) === '1';
  const filter = params.get(FILTER_PARAM) ?? '';

  const list = useResource((signal) => api.runs(entity, project, {}, signal), [entity, project]);
  const loaded = useComparedRuns(entity, project, ids, feed);
  const loadedRuns = useMemo(
    () => idsKey.split(',').flatMap((id) => {
      const run = loaded.get(id)?.run;
      return run ? [run] : [];
    }),
    [loaded, idsKey],
  );
  const missing = ids.flatMap((id) => {
    const error = loaded.get(id)?.error;
    return error === undefined ? [] : [{ id, error }];
  });
  const loading = ids.some((id) => !loaded.has(id));
  // While a picked run loads, the columns already shown stay: the table changes once, not run by run.
  const [settled, setSettled] = useState<RunInfo[]>([]);
  if (!loading && settled !== loadedRuns) setSettled(loadedRuns);
  const runs = useMemo(() => (loading ? settled.filter((run) => idsKey.split(',').includes(run.id)) : loadedRuns), [loading, settled, loadedRuns, idsKey]);
  const configRows = useMemo(() => compareRows(runs.map((run) => run.config)), [runs]);
  const summaryRows = useMemo(() => compareRows(runs.map((run) => run.summary), { order: 'key' }), [runs]);
  const labels = useMemo(() => {
    const names = new Map<string, string>();
    for (const run of list.data?.runs ?? []) names.set(run.id, runLabel(run));
    for (const run of runs) names.set(run.id, runLabel(run));
    return names;
  }, [list.data, runs]);

  const setIds = (next: string[]) => setCompareParams({}, next);
  const needle = filter.trim().toLowerCase();

  return (
    <div className="compare-page">
      <section className="card compare-head" aria-labelledby="compare-heading">
        <div className="toolbar">
          <h1 id="compare-heading" className="page-title">
            Compare runs
          </h1>
          <span className="muted">{ids.length === 0 ? `Pick runs of ${project} to compare` : `${ids.length} run${ids.length === 1 ? '' : 's'}, in the order picked`}</span>
        </div>
        <RunPicker entity={entity} project={project} runs={list.data?.runs} error={list.error} selected={ids} labels={labels} max={MAX_COMPARED_RUNS} onChange={setIds} />
        {requested.length > ids.length && (
          <p className="muted compare-note">
            The link names {requested.length} runs; the first {MAX_COMPARED_RUNS} are compared.
          </p>
        )}
        {missing.map(({ id, error }) => (
          <p key={id} className="error-text compare-note" role="alert">
            {error.startsWith('no run') ? `There is no run ${id} in ${entity}/${project}.` : `Could not load run ${id}: ${error}`}{' '}
            <button type="button" className="inline-action" onClick={() => setIds(ids.filter((other) => other !== id))}>
              Remove it
            </button>
          </p>
        ))}
      </section>

      {ids.length === 0 ? (
        <Notice>
          Pick two or more runs above to see their config and summary side by side, with the values that differ highlighted. From the{' '}
          <Link href={routePath({ page: 'workspace', entity, project })}>workspace</Link>, the runs shown in the charts can be compared in one click.
        </Notice>
      ) : runs.length === 0 ? (
        loading ? <Notice>Loading runs…</Notice> : null
      ) : (
        <>
          <div className="toolbar compare-toolbar">
            <label className="switch">
              <input type="checkbox" checked={onlyDifferences} onChange={(event) => setCompareParams({ [DIFF_PARAM]: event.target.checked ? '1' : null })} />
              Only differences
            </label>
            <label className="control grow">
              <span className="visually-hidden">Filter keys and values</span>
              <input type="search" placeholder="Filter keys and values" value={filter} onChange={(event) => setCompareParams({ [FILTER_PARAM]: event.target.value || null })} />
            </label>
            {runs.length === 1 && <span className="muted">Add another run to see what differs.</span>}
            {loading && <span className="muted">Loading…</span>}
          </div>
          <CompareTable title="Config" testId="compare-config" runs={runs} rows={configRows} onlyDifferences={onlyDifferences} filter={needle} />
          <CompareTable title="Summary" testId="compare-summary" runs={runs} rows={summaryRows} onlyDifferences={onlyDifferences} filter={needle} />
        </>
      )}
    </div>
  );
}

type Loaded = { run: RunInfo; error?: undefined } | { run?: undefined; error: string };

/**
 * The compared runs by id, each fetched once (adding a run to the comparison fetches only
 * that run), and refetched when the live stream reports a change to it.
 */
function useComparedRuns(entity: string, project: string, ids: readonly string[], feed: LiveFeed): ReadonlyMap<string, Loaded> {
  const [loaded, setLoaded] = useState<ReadonlyMap<string, Loaded>>(() => new Map());
  const set = (id: string, value: Loaded) => setLoaded((current) => new Map(current).set(id, value));
  const latest = useRef({ entity, project, ids, loaded });
  useEffect(() => {
    latest.current = { entity, project, ids, loaded };
  });

  const idsKey = ids.join(',');
  useEffect(() => {
    const controller = new AbortController();
    for (const id of idsKey.split(',')) {
      if (id === '' || latest.current.loaded.has(id)) continue;
      api.run(entity, project, id, controller.signal).then(
        (run) => set(id, { run }),
        (reason: unknown) => {
          if (!controller.signal.aborted) set(id, { error: errorMessage(reason) });
        },
      );
    }
    return () => controller.abort();
  }, [entity, project, idsKey]);

  const changed = useRef(new Set<string>());
  const refresh = useMemo(
    () =>
      throttle(() => {
        const { entity, project } = latest.current;
        for (const id of changed.current) api.run(entity, project, id).then((run) => set(id, { run }), () => {});
        changed.current.clear();
      }, LIVE_REFRESH_MS),
    [],
  );
  useEffect(() => () => refresh.cancel(), [refresh]);
  useLiveEvents(feed, (event) => {
    if (!latest.current.ids.includes(event.run.id)) return;
    changed.current.add(event.run.id);
    refresh();
  });
  return loaded;
}
