/**
 * The runs of a workspace: sortable by name, creation, runtime and summary values (the
 * server sorts), each with its colour and a toggle that shows or hides it in the charts.
 */
import { Fragment } from 'react';
import type { RunInfo } from '@cairn/protocol';
import { runColor } from '../lib/colors.js';
import { valueAt, type ValueColumn } from '../lib/columns.js';
import { formatAgo, formatDateTime, formatDuration, formatValue } from '../lib/format.js';
import { routePath } from '../lib/routes.js';
import { Link } from '../navigation.js';
import { StateBadge } from './state-badge.js';

export interface RunSort {
  field: string;
  order: 'asc' | 'desc';
}

export interface RunsTableProps {
  runs: readonly RunInfo[];
  sort: RunSort;
  onSort: (sort: RunSort) => void;
  hidden: ReadonlySet<string>;
  onToggle: (runId: string) => void;
  summaryColumns: readonly ValueColumn[];
  now: number;
}

/** A run's display name: its name, else its id. */
export function runLabel(run: Pick<RunInfo, 'name' | 'id'>): string {
  return run.name ?? run.id;
}

export function RunsTable(props: RunsTableProps) {
  const { runs, sort, onSort, hidden, onToggle, summaryColumns, now } = props;
  const header = (label: string, field: string | undefined, className = '', firstOrder: 'asc' | 'desc' = 'desc') => {
    if (!field) return <th scope="col" className={className}>{label}</th>;
    const active = sort.field === field;
    const next: RunSort = active ? { field, order: sort.order === 'asc' ? 'desc' : 'asc' } : { field, order: firstOrder };
    return (
      <th scope="col" className={className} aria-sort={active ? (sort.order === 'asc' ? 'ascending' : 'descending') : 'none'}>
        <button type="button" className="sort-button" onClick={() => onSort(next)} title={`Sort by ${label}`}>
          {label}
          <span className={`sort-mark${active ? '' : ' inactive'}`} aria-hidden="true">
            {sort.order === 'asc' && active ? '▲' : '▼'}
          </span>
        </button>
      </th>
    );
  };
  return (
    <div className="table-scroll">
      <table className="table runs-table" data-testid="runs-table">
        <thead>
          <tr>
            <th scope="col" className="toggle-col"><span className="visually-hidden">Shown in charts</span></th>
            {header('Name', 'name', 'name-col', 'asc')}
            {header('State', undefined)}
            {header('Created', 'created')}
            {header('Runtime', 'runtime', 'num')}
            {header('Tags', undefined)}
            {summaryColumns.map((column) => (
              <Fragment key={column.path}>{header(column.label, `summary.${column.path}`, 'num')}</Fragment>
            ))}
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => {
            const shown = !hidden.has(run.id);
            const label = runLabel(run);
            return (
              <tr key={run.id} data-run={run.id} className={shown ? '' : 'dimmed'}>
                <td className="toggle-col">
                  <button
                    type="button"
                    className="eye"
                    aria-pressed={shown}
                    aria-label={`${shown ? 'Hide' : 'Show'} ${label} in charts`}
                    title={shown ? 'Shown in charts: click to hide' : 'Hidden from charts: click to show'}
                    onClick={() => onToggle(run.id)}
                  >
                    <span className="swatch" style={{ background: shown ? runColor(run.id) : 'transparent', borderColor: runColor(run.id) }} />
                  </button>
                </td>
                <td className="name-col">
                  <Link href={routePath({ page: 'run', entity: run.entity, project: run.project, runId: run.id })} title={run.id}>
                    {label}
                  </Link>
                </td>
                <td>
                  <StateBadge state={run.state} />
                </td>
                <td title={formatDateTime(run.createdAt)}>{formatAgo(run.createdAt, now)}</td>
                <td className="num">{formatDuration(run.runtime)}</td>
                <td className="tags-col">
                  {run.tags.map((tag) => (
                    <span key={tag} className="tag">
                      {tag}
                    </span>
                  ))}
                </td>
                {summaryColumns.map((column) => (
                  <td key={column.path} className="num">
                    {formatValue(valueAt(run.summary, column.parts))}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

