/**
 * Loading every run of a filtered, sorted list page by page (the server pages with an
 * opaque cursor), up to a cap, reporting each page as it arrives so the table fills in at
 * once rather than after the last page.
 */
import type { RunInfo, RunPage } from '@cairn/protocol';

/** The most runs the workspace loads: beyond this, a filter narrows the list. */
export const MAX_LOADED_RUNS = 10_000;

export interface LoadedRuns {
  runs: RunInfo[];
  /** False while more pages are coming; true at the end — also when the cap stopped it. */
  complete: boolean;
  /** The cap was reached while the server had more runs. */
  capped: boolean;
}

/**
 * Fetches pages with `fetchPage(cursor, limit)` until the last one or `cap` runs, calling
 * `onProgress` after each page with everything so far. Resolves with the final state; stops
 * (rejecting with the abort reason) when `signal` aborts.
 */
export async function loadAllRuns(
  fetchPage: (cursor: string | undefined, limit: number) => Promise<RunPage>,
  onProgress: (loaded: LoadedRuns) => void,
  options: { cap?: number; pageSize?: number; signal?: AbortSignal } = {},
): Promise<LoadedRuns> {
  const cap = options.cap ?? MAX_LOADED_RUNS;
  const pageSize = options.pageSize ?? 1000;
  let runs: RunInfo[] = [];
  let cursor: string | undefined;
  for (;;) {
    options.signal?.throwIfAborted();
    const page = await fetchPage(cursor, Math.min(pageSize, cap - runs.length));
    options.signal?.throwIfAborted();
    runs = runs.concat(page.runs);
    const more = page.nextCursor !== null && page.runs.length > 0;
    const capped = more && runs.length >= cap;
    const state: LoadedRuns = { runs: runs.slice(0, cap), complete: !more || capped, capped };
    onProgress(state);
    if (state.complete) return state;
    cursor = page.nextCursor!;
  }
}
