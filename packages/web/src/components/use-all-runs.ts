/**
 * Every run of a filtered, sorted list (up to the cap), loaded page by page: the table fills
 * in as pages arrive, and the previous list stays on screen until the new one's first page.
 * Once every run of the filter is loaded, a new sort is applied in the browser — the same
 * order the server would give, without fetching 10,000 runs again.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { RunInfo, RunPage } from '@cairn/protocol';
import { afterNextPaint } from '../hooks.js';
import { api, errorMessage, runsUrl } from '../lib/api.js';
import { takeEarlyAnswer } from '../lib/early-answers.js';
import { sortRuns, type SortSpec } from '../lib/run-sort.js';
import { addPage, loadAllRuns, NO_RUNS, pageQuery, type LoadedRuns } from '../lib/runs-loader.js';

export interface AllRuns {
  /** The runs in the requested order, with how far loading got. */
  data: LoadedRuns | undefined;
  error: string | undefined;
  /** Loads every page again, keeping the current list meanwhile. */
  reload: () => void;
  /**
   * Replaces runs in place (a live update of one row); with `resort`, sorts the list again
   * as the server did (when a sorted value changed; the caller reloads a list not whole).
   */
  update: (change: (runs: RunInfo[]) => RunInfo[], resort?: boolean) => void;
  /** Whether every run of the filter is loaded (then a sort needs no round trip). */
  whole: boolean;
}

interface Loaded {
  /** The filter and sort the server answered for. */
  filterKey: string;
  sort: SortSpec;
  fetchKey: string;
  runs: LoadedRuns;
}

/** `firstPage`: how many runs the first page asks for (the rest come 1,000 at a time). */
export function useAllRuns(entity: string, project: string, filter: Record<string, string>, sort: SortSpec, firstPage: number): AllRuns {
  const filterKey = JSON.stringify([entity, project, filter]);
  // The first page, when the page's early request for it is in (early-answers.ts): the first
  // render shows it, and loading goes on from there.
  const [start] = useState(() => {
    const page = takeEarlyAnswer<RunPage>(runsUrl(entity, project, pageQuery(sort, filter, undefined, firstPage)));
    return page && { page, fetchKey: JSON.stringify([filterKey, sort.field, sort.order]) };
  });
  const [loaded, setLoaded] = useState<Loaded | undefined>(() => start && { filterKey, sort, fetchKey: start.fetchKey, runs: addPage(NO_RUNS, start.page) });
  const [error, setError] = useState<string | undefined>(undefined);
  const [generation, setGeneration] = useState(0);
  const begun = useRef(start);
  // Every run of this filter is here: the server's sort of this list stays good for any sort.
  const whole = loaded !== undefined && loaded.filterKey === filterKey && loaded.runs.complete && !loaded.runs.capped;
  const serverSort = whole ? loaded.sort : sort;
  const fetchKey = JSON.stringify([filterKey, serverSort.field, serverSort.order]);
  const latest = useRef({ filter, serverSort, filterKey, firstPage });
  latest.current = { filter, serverSort, filterKey, firstPage };
  /** The fetch whose runs are on screen. */
  const shown = useRef(start?.fetchKey ?? '');

  useEffect(() => {
    const controller = new AbortController();
    const { filter, serverSort, filterKey, firstPage } = latest.current;
    // A new query fills the table page by page; reloading the one on screen swaps the list
    // only once complete, so the table never shrinks to one page and grows back.
    const progressive = shown.current !== fetchKey;
    const first = begun.current?.fetchKey === fetchKey && generation === 0 ? begun.current.page : undefined;
    begun.current = undefined;
    const load = () =>
      loadAllRuns(
        (cursor, limit) => api.runs(entity, project, pageQuery(serverSort, filter, cursor, limit), controller.signal),
        (runs) => {
          if (controller.signal.aborted || (!progressive && !runs.complete)) return;
          shown.current = fetchKey;
          setLoaded({ filterKey, sort: serverSort, fetchKey, runs });
          setError(undefined);
        },
        { signal: controller.signal, firstPage, start: first },
      ).catch((reason: unknown) => {
        if (!controller.signal.aborted) setError(errorMessage(reason));
      });
    if (first) {
      // The first page is on screen from the first render: the rest waits until it is painted.
      const cancel = afterNextPaint(() => void load());
      return () => {
        cancel();
        controller.abort();
      };
    }
    void load();
    return () => controller.abort();
  }, [fetchKey, generation]);

  const data = useMemo(() => {
    if (!loaded) return undefined;
    if (!whole || (loaded.sort.field === sort.field && loaded.sort.order === sort.order)) return loaded.runs;
    const sorted = sortRuns(loaded.runs.runs, sort);
    return sorted ? { ...loaded.runs, runs: sorted } : loaded.runs;
  }, [loaded, whole, sort.field, sort.order]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const update = useCallback(
    (change: (runs: RunInfo[]) => RunInfo[], resort = false) =>
      setLoaded((current) => {
        if (!current) return current;
        const changed = change(current.runs.runs);
        return { ...current, runs: { ...current.runs, runs: (resort && sortRuns(changed, current.sort)) || changed } };
      }),
    [],
  );
  return { data, error, reload, update, whole };
}
