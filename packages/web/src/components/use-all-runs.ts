/**
 * Every run of a filtered, sorted list (up to the cap), loaded page by page: the table fills
 * in as pages arrive, and the previous list stays on screen until the new one's first page.
 * Once every run of the filter is loaded, a new sort is applied in the browser — the same
 * order the server would give, without fetching 10,000 runs again.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { RunInfo } from '@cairn/protocol';
import { api, errorMessage } from '../lib/api.js';
import { sortRuns, type SortSpec } from '../lib/run-sort.js';
import { loadAllRuns, type LoadedRuns } from '../lib/runs-loader.js';

export interface AllRuns {
  /** The runs in the requested order, with how far loading got. */
  data: LoadedRuns | undefined;
  error: string | undefined;
  /** Loads every page again, keeping the current list meanwhile. */
  reload: () => void;
  /** Replaces runs in place (a live update of one row). */
  update: (change: (runs: RunInfo[]) => RunInfo[]) => void;
}

interface Loaded {
  /** The filter and sort the server answered for. */
  filterKey: string;
  sort: SortSpec;
  fetchKey: string;
  runs: LoadedRuns;
}

export function useAllRuns(entity: string, project: string, filter: Record<string, string>, sort: SortSpec): AllRuns {
  const [loaded, setLoaded] = useState<Loaded | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [generation, setGeneration] = useState(0);
  const filterKey = JSON.stringify([entity, project, filter]);
  // Every run of this filter is here: the server's sort of this list stays good for any sort.
  const whole = loaded !== undefined && loaded.filterKey === filterKey && loaded.runs.complete && !loaded.runs.capped;
  const serverSort = whole ? loaded.sort : sort;
  const fetchKey = JSON.stringify([filterKey, serverSort.field, serverSort.order]);
  const latest = useRef({ filter, serverSort, filterKey });
  latest.current = { filter, serverSort, filterKey };
  /** The fetch whose runs are on screen. */
  const shown = useRef('');

  useEffect(() => {
    const controller = new AbortController();
    const { filter, serverSort, filterKey } = latest.current;
    // A new query fills the table page by page; reloading the one on screen swaps the list
    // only once complete, so the table never shrinks to one page and grows back.
    const progressive = shown.current !== fetchKey;
    loadAllRuns(
      (cursor, limit) => api.runs(entity, project, { sort: serverSort.field, order: serverSort.order, params: filter, cursor, limit }, controller.signal),
      (runs) => {
        if (controller.signal.aborted || (!progressive && !runs.complete)) return;
        shown.current = fetchKey;
        setLoaded({ filterKey, sort: serverSort, fetchKey, runs });
        setError(undefined);
      },
      { signal: controller.signal },
    ).catch((reason: unknown) => {
      if (!controller.signal.aborted) setError(errorMessage(reason));
    });
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
    (change: (runs: RunInfo[]) => RunInfo[]) => setLoaded((current) => current && { ...current, runs: { ...current.runs, runs: change(current.runs.runs) } }),
    [],
  );
  return { data, error, reload, update };
}
