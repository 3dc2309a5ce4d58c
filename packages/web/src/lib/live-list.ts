/**
 * What the workspace does with a live event for a run: refresh that run's row when the table
 * holds it; otherwise reload the run list once for it — a new run comes in with that reload,
 * and a run the filter leaves out is not in it, so its next events ask nothing more (before,
 * each of them reloaded the whole list, up to 10,000 runs, about once a second).
 */
export type LiveListAction = 'row' | 'list' | 'none';

export class LiveListEvents {
  /** Runs outside the table for which the list was reloaded, under the list's current query. */
  private readonly asked = new Set<string>();
  private query: string | undefined;

  /**
   * The action for an event of run `id`, the table holding `tableIds` under the list query
   * `query` (its filter and sort: a new query may take in runs the last one left out).
   */
  onEvent(id: string, tableIds: ReadonlySet<string>, query: string): LiveListAction {
    if (query !== this.query) {
      this.query = query;
      this.asked.clear();
    }
    if (tableIds.has(id)) {
      this.asked.delete(id);
      return 'row';
    }
    if (this.asked.has(id)) return 'none';
    this.asked.add(id);
    return 'list';
  }
}
