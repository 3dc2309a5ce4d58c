/**
 * The controls above the runs table: the filter box (with what it understood), grouping,
 * and how many visible runs the charts draw. Each writes its URL parameter.
 */
import { useMemo } from 'react';
import type { RunInfo } from '@cairn/protocol';
import { groupByLabel, type GroupBy } from '../lib/grouping.js';
import type { RunFilter } from '../lib/run-filter.js';
import { fieldColumnIds } from '../lib/table-columns.js';
import { DEFAULT_SHOWN, SHOWN_PARAM } from '../lib/view-params.js';
import { setSearchParams } from '../navigation.js';

const SHOWN_CHOICES = [1, 5, 10, 20, 50, 100, 200];

const FILTER_HELP = 'Type part of a name or id, or: summary.acc > 0.9 · config.lr <= 0.01 · config.optimizer = adam · state:running · tag:best · group:sweep-1 · job:train';

export function RunFilterBox({ value }: { value: string }) {
  return (
    <div className="control grow filter-box" data-empty={value === '' ? 'true' : undefined}>
      <label className="filter-input">
        <span className="visually-hidden">Filter runs</span>
        <input type="search" placeholder="Filter runs by name or id" value={value} aria-describedby="filter-help" title={FILTER_HELP} onChange={(event) => setSearchParams({ q: event.target.value || null })} />
      </label>
      <div id="filter-help" className="filter-help" role="note">
        Also <code>summary.acc &gt; 0.9</code> <code>config.lr &lt;= 0.01</code> <code>state:running</code> <code>tag:best</code> <code>group:name</code> <code>job:train</code>
      </div>
    </div>
  );
}

/** What the filter box means, as chips; what it could not read, in red. */
export function FilterChips({ filter }: { filter: RunFilter }) {
  const chips = [
    ...filter.conditions.map((c) => `${c.field} ${c.op} ${JSON.stringify(c.value)}`),
    ...(filter.states.length > 0 ? [`state ∈ ${filter.states.join(', ')}`] : []),
    ...filter.tags.map((tag) => `tag ${tag}`),
    ...(filter.group !== undefined ? [`group ${filter.group}`] : []),
    ...(filter.jobType !== undefined ? [`job type ${filter.jobType}`] : []),
  ];
  if (chips.length === 0 && filter.problems.length === 0) return null;
  return (
    <div className="filter-chips" data-testid="filter-chips" aria-live="polite">
      {chips.map((chip) => (
        <span key={chip} className="filter-chip">
          {chip}
        </span>
      ))}
      {filter.problems.map((problem) => (
        <span key={problem} className="filter-problem">
          {problem}
        </span>
      ))}
    </div>
  );
}

/** Group runs by group, job type or a config field. */
export function GroupByControl({ value, runs }: { value: GroupBy | undefined; runs: readonly RunInfo[] }) {
  const configKeys = useMemo(() => fieldColumnIds(runs.slice(0, 2000).map((run) => ({ config: run.config, summary: {} }))), [runs]);
  const options: string[] = ['group', 'jobType', ...configKeys];
  if (value && !options.includes(value)) options.push(value);
  return (
    <label className="control">
      <span>Group by</span>
      <select value={value ?? ''} onChange={(event) => setSearchParams({ groupby: event.target.value || null })} data-testid="group-by">
        <option value="">nothing</option>
        {options.map((option) => (
          <option key={option} value={option}>
            {option.startsWith('config.') ? `config ${groupByLabel(option as GroupBy)}` : groupByLabel(option as GroupBy).toLowerCase()}
          </option>
        ))}
      </select>
    </label>
  );
}

/** "Show N visible runs": the charts draw the first N runs (or groups) not hidden, in table order. */
export function ChartedCountControl({ value, grouped }: { value: number; grouped: boolean }) {
  const choices = SHOWN_CHOICES.includes(value) ? SHOWN_CHOICES : [...SHOWN_CHOICES, value].sort((a, b) => a - b);
  return (
    <label className="control charted-count">
      <span>Show</span>
      <select value={value} onChange={(event) => setSearchParams({ [SHOWN_PARAM]: Number(event.target.value) === DEFAULT_SHOWN ? null : event.target.value })} data-testid="shown-count">
        {choices.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
      <span>visible {grouped ? 'groups' : 'runs'} in the charts</span>
    </label>
  );
}
