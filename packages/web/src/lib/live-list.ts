/**
 * What the workspace does with a live event for a run, and with the fresh copy of a row.
 *
 * A run the table holds gets its row fetched again. The fresh copy may no longer belong where
 * it is: it may have left the filter (`state:running` and the run finished; `summary.acc > 0.9`
 * and its accuracy fell) or moved in the sort (sorted by `summary.loss`). {@link rowChange}
 * says so, and the workspace sorts the list again in the browser when it holds all of it
 * (run-sort.ts sorts exactly as the server does) or loads it again.
 *
 * A run the table does not hold reloads the list, which takes it in if it now matches: once
 * for each state the run is in (a new run comes in with the first; a run the filter leaves out
 * asks nothing more until its state changes — before, each of its events reloaded the whole
 * list, up to 10,000 runs, about once a second), and on every event (throttled by the
 * workspace) while the filter compares config or summary values, which any event may change.
 */
import type { RunInfo, RunState } from '@cairn/protocol';
import { splitFieldPath, valueAt } from './columns.js';
import type { RunFilter } from './run-filter.js';
import { sortValue, type SortSpec } from './run-sort.js';

export type LiveListAction = 'row' | 'list' | 'none';

export class LiveListEvents {
  /** Runs outside the table for which the list was reloaded under the current query, with the state they were in. */
  private readonly asked = new Map<string, RunState>();
  private query: string | undefined;

  /**
   * The action for an event of run `id` in `state`, the table holding `tableIds` under the
   * list query `query` (its filter and sort: a new query may take in runs the last one left
   * out) with the filter `filter`.
   */
  onEvent(id: string, state: RunState, tableIds: ReadonlySet<string>, query: string, filter: RunFilter): LiveListAction {
    if (query !== this.query) {
      this.query = query;
      this.asked.clear();
    }
    if (tableIds.has(id)) {
      this.asked.delete(id);
      return 'row';
    }
    if (filter.conditions.length > 0) return 'list';
    if (this.asked.get(id) === state) return 'none';
    this.asked.set(id, state);
    return 'list';
  }
}

/**
 * How a row's fresh copy `after` differs from `before` for the list under `filter` and
 * `sort`: 'refilter' when something the filter reads changed (the run may have left it),
 * 'resort' when the sorted value changed, else 'same'.
 */
export function rowChange(before: RunInfo, after: RunInfo, filter: RunFilter, sort: SortSpec): 'refilter' | 'resort' | 'same' {
  const changed = (read: (run: RunInfo) => unknown) => JSON.stringify(read(before)) !== JSON.stringify(read(after));
  if (
    (filter.states.length > 0 && before.state !== after.state) ||
    (filter.tags.length > 0 && changed((run) => run.tags)) ||
    (filter.group !== undefined && before.group !== after.group) ||
    (filter.jobType !== undefined && before.jobType !== after.jobType) ||
    (filter.search !== '' && before.name !== after.name) ||
    filter.conditions.some(({ field }) => {
      const [root, ...path] = splitFieldPath(field);
      return changed((run) => valueAt(root === 'config' ? run.config : run.summary, path));
    })
  ) {
    return 'refilter';
  }
  return changed((run) => sortValue(run, sort.field)) ? 'resort' : 'same';
}
