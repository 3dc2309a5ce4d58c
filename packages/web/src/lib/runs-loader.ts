/**
 * Loading every run of a filtered, sorted list page by page (the server pages with an
 * opaque cursor, so one page after another), up to a cap, reporting each page as it
 * arrives: the table shows a small first page at once and fills in behind it.
 */
import type { RunInfo, RunPage } from '@cairn/protocol';
import type { RunQuery } from './api.js';
import type { SortSpec } from './run-sort.js';

/** The most runs the workspace loads: beyond this, a filter narrows the list. */
export const MAX_LOADED_RUNS = 10_000;
/** The first page: enough for the rows in view and the runs charted, small enough to come fast. */
export const FIRST_PAGE_SIZE = 100;
/** Every later page: the most the server gives at once. */
export const PAGE_SIZE = 1000;

/** The size of the first page when the charts draw `charted` runs: all of them at once. */
export function firstPageSize(charted: number): number {
  return Math.min(PAGE_SIZE, Math.max(FIRST_PAGE_SIZE, charted));
}

/** The query of one page of a list: the workspace's loader and its early first request build it alike. */
export function pageQuery(sort: SortSpec, filter: Record<string, string>, cursor: string | undefined, limit: number): RunQuery {
  return { sort: sort.field, order: sort.order, params: filter, cursor, limit };
}

export interface LoadedRuns {
  runs: RunInfo[];
  /** False while more pages are coming; true at the end — also when the cap stopped it. */
  complete: boolean;
  /** The cap was reached while the server had more runs. */
  capped: boolean;
  /** How many runs match on the server, when it says (its `total`). */
  total: number | undefined;
}

/**
 * Fetches pages with `fetchPage(cursor, limit)` until the last one or `cap` runs — the first
 * `firstPage` runs long, the others `pageSize` — calling `onProgress` after each page with
 * everything so far. With `start` (the first page, already in and shown), it goes on from
 * there without reporting that page again. Resolves with the final state; stops (rejecting
 * with the abort reason) when `signal` aborts.
 */
export async function loadAllRuns(
  fetchPage: (cursor: string | undefined, limit: number) => Promise<RunPage>,
  onProgress: (loaded: LoadedRuns) => void,
  options: { cap?: number; firstPage?: number; pageSize?: number; signal?: AbortSignal; start?: RunPage } = {},
): Promise<LoadedRuns> {
  const cap = options.cap ?? MAX_LOADED_RUNS;
  const pageSize = options.pageSize ?? PAGE_SIZE;
  let state = options.start ? addPage(NO_RUNS, options.start, cap) : NO_RUNS;
  let cursor = options.start?.nextCursor ?? undefined;
  while (!state.complete) {
    options.signal?.throwIfAborted();
    const size = state.runs.length === 0 ? (options.firstPage ?? pageSize) : pageSize;
    const page = await fetchPage(cursor, Math.min(size, cap - state.runs.length));
    options.signal?.throwIfAborted();
    state = addPage(state, page, cap);
    onProgress(state);
    cursor = page.nextCursor ?? undefined;
  }
  return state;
}

/** The list with one more page (the first: `loaded` empty), cut at `cap`. */
export function addPage(loaded: LoadedRuns, page: RunPage, cap = MAX_LOADED_RUNS): LoadedRuns {
  const runs = loaded.runs.concat(page.runs);
  const more = page.nextCursor !== null && page.runs.length > 0;
  const capped = more && runs.length >= cap;
  // A server without `total` (older than the field) still pages: the count is just unknown.
  const total = typeof (page as Partial<RunPage>).total === 'number' ? page.total : loaded.total;
  return { runs: runs.slice(0, cap), complete: !more || capped, capped, total };
}

/** The list of no runs yet: what {@link addPage} starts from. */
export const NO_RUNS: LoadedRuns = { runs: [], complete: false, capped: false, total: undefined };
