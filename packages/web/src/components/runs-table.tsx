/**
 * The runs of a workspace, virtualised: rows have one fixed height and only those in view
 * (and a few either side) are in the DOM, so 10,000 runs scroll like 10. Columns are the
 * person's choice; sortable ones sort on the server. Each run has its colour and a toggle
 * that shows or hides it in the charts; grouped, each group is a row that expands.
 */
import { memo, useLayoutEffect, useMemo, useRef, useState, type UIEvent } from 'react';
import { flushSync } from 'react-dom';
import type { RunInfo } from '@cairn/protocol';
import { runColor } from '../lib/colors.js';
import { valueAt } from '../lib/columns.js';
import { formatAgo, formatDateTime, formatDuration, formatNumber, formatValue } from '../lib/format.js';
import type { RunGroup } from '../lib/grouping.js';
import { routePath } from '../lib/routes.js';
import type { TableColumn } from '../lib/table-columns.js';
import { rowWindow, type RowWindow } from '../lib/virtual-rows.js';
import { usePainted } from '../hooks.js';
import { Link } from '../navigation.js';
import { StateBadge } from './state-badge.js';

export interface RunSort {
  field: string;
  order: 'asc' | 'desc';
}

export interface RunsTableProps {
  runs: readonly RunInfo[];
  /** When runs are grouped: the groups, in order (each a row that expands to its runs). */
  groups: readonly RunGroup[] | undefined;
  columns: readonly TableColumn[];
  sort: RunSort;
  onSort: (sort: RunSort) => void;
  hidden: ReadonlySet<string>;
  /** Shows (or hides) these runs in the charts. */
  onToggle: (runIds: readonly string[], show: boolean) => void;
  /** The runs (by id), or groups (`group:<key>`), that the charts draw, with the colour each is drawn in. */
  charted: ReadonlyMap<string, string>;
  now: number;
}

/** A run's display name: its name, else its id. */
export function runLabel(run: Pick<RunInfo, 'name' | 'id'>): string {
  return run.name ?? run.id;
}

/** The line id (and colour seed) of a group. */
export function groupLineId(group: Pick<RunGroup, 'key'>): string {
  return `group:${group.key}`;
}

export const ROW_HEIGHT = 32;
const HEADER_HEIGHT = 33;
const MAX_HEIGHT = 360;
const OVERSCAN = 8;
const TOGGLE_WIDTH = 38;

type Row = { kind: 'run'; run: RunInfo; nested: boolean } | { kind: 'group'; group: RunGroup; open: boolean };

/** Memoised: the workspace re-renders on every URL change, the table only when its props change. */
export const RunsTable = memo(function RunsTable(props: RunsTableProps) {
  const { runs, groups, columns, sort, onSort, hidden, onToggle, charted, now } = props;
  const [openGroups, setOpenGroups] = useState<ReadonlySet<string>>(new Set());
  const rows = useMemo<Row[]>(() => {
    if (!groups) return runs.map((run) => ({ kind: 'run', run, nested: false }));
    const out: Row[] = [];
    for (const group of groups) {
      const open = openGroups.has(group.key);
      out.push({ kind: 'group', group, open });
      if (open) for (const run of group.runs) out.push({ kind: 'run', run, nested: true });
    }
    return out;
  }, [runs, groups, openGroups]);

  const scroller = useRef<HTMLDivElement>(null);
  const viewport = Math.min(MAX_HEIGHT, HEADER_HEIGHT + rows.length * ROW_HEIGHT + 2);
  // The first paint shows the rows in view only; the rows either side follow a frame later.
  const painted = usePainted();
  const overscan = painted ? OVERSCAN : 0;
  // As place() would measure it (the header takes its part of the height).
  const [inView, setInView] = useState<RowWindow>(() => rowWindow(0, viewport - HEADER_HEIGHT, ROW_HEIGHT, rows.length, 0));
  const place = (element: HTMLDivElement) => {
    const next = rowWindow(element.scrollTop, element.clientHeight - HEADER_HEIGHT, ROW_HEIGHT, rows.length, overscan);
    setInView((current) => (current.first === next.first && current.end === next.end ? current : next));
  };
  // Rows come and go (a filter, a page of runs arriving): recompute the window before painting.
  // Not at mount: the window was computed from the same sizes, and measuring here would force
  // the page's first layout in the middle of React's commit.
  const mounted = useRef(false);
  useLayoutEffect(() => {
    if (!mounted.current) {
      mounted.current = true;
      return;
    }
    if (scroller.current) place(scroller.current);
  }, [rows.length, viewport, overscan]);
  // The new window of rows is rendered in the scroll event itself, before the frame that shows
  // the scroll is painted: scheduled as React schedules a scroll's updates, it came a frame
  // later, and a fast scroll showed blank rows for that frame (bench/web-table.ts counts them).
  const onScroll = (event: UIEvent<HTMLDivElement>) => {
    const element = event.currentTarget;
    flushSync(() => place(element));
  };

  const toggleGroup = (key: string) =>
    setOpenGroups((current) => {
      const next = new Set(current);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });

  const totalWidth = TOGGLE_WIDTH + columns.reduce((sum, column) => sum + column.width, 0);
  const first = Math.min(inView.first, rows.length);
  const end = Math.min(inView.end, rows.length);

  return (
    <div ref={scroller} className="table-scroll runs-scroll" style={{ height: viewport }} onScroll={onScroll} data-testid="runs-scroll">
      <div className="runs-sizer" style={{ height: HEADER_HEIGHT + rows.length * ROW_HEIGHT, minWidth: totalWidth }}>
        <table
          className="table runs-table"
          data-testid="runs-table"
          aria-rowcount={rows.length + 1}
          style={{ width: totalWidth, top: first * ROW_HEIGHT }}
        >
          <colgroup>
            <col style={{ width: TOGGLE_WIDTH }} />
            {columns.map((column) => (
              <col key={column.id} style={{ width: column.width }} />
            ))}
          </colgroup>
          <thead>
            <tr aria-rowindex={1}>
              <th scope="col" className="toggle-col">
                <span className="visually-hidden">Shown in charts</span>
              </th>
              {columns.map((column) => (
                <HeaderCell key={column.id} column={column} sort={sort} onSort={onSort} />
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.slice(first, end).map((row, i) =>
              row.kind === 'group' ? (
                <GroupRow key={`g:${row.group.key}`} index={first + i} group={row.group} open={row.open} columns={columns} hidden={hidden} charted={charted} onToggle={onToggle} onOpen={toggleGroup} />
              ) : (
                <RunRow key={row.run.id} index={first + i} run={row.run} nested={row.nested} columns={columns} hidden={hidden} charted={charted} onToggle={onToggle} now={now} />
              ),
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
});

const TEXT_COLUMNS: ReadonlySet<string> = new Set(['name', 'state', 'group', 'jobType']);

function HeaderCell({ column, sort, onSort }: { column: TableColumn; sort: RunSort; onSort: (sort: RunSort) => void }) {
  const className = `${column.id === 'name' ? 'name-col' : ''}${column.numeric ? ' num' : ''}`.trim();
  if (!column.sortField) {
    return (
      <th scope="col" className={className} title={column.fullLabel}>
        {column.label}
      </th>
    );
  }
  const field = column.sortField;
  const active = sort.field === field;
  // Text starts A to Z; times and numbers, largest first.
  const next: RunSort = active ? { field, order: sort.order === 'asc' ? 'desc' : 'asc' } : { field, order: TEXT_COLUMNS.has(column.id) ? 'asc' : 'desc' };
  return (
    <th scope="col" className={className} aria-sort={active ? (sort.order === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" className="sort-button" onClick={() => onSort(next)} title={`Sort by ${column.fullLabel}`}>
        <span className="sort-label">{column.label}</span>
        <span className={`sort-mark${active ? '' : ' inactive'}`} aria-hidden="true">
          {sort.order === 'asc' && active ? '▲' : '▼'}
        </span>
      </button>
    </th>
  );
}

interface RowProps {
  index: number;
  columns: readonly TableColumn[];
  hidden: ReadonlySet<string>;
  charted: ReadonlyMap<string, string>;
  onToggle: (runIds: readonly string[], show: boolean) => void;
}

function RunRow(props: RowProps & { run: RunInfo; nested: boolean; now: number }) {
  const { index, run, nested, columns, hidden, charted, onToggle, now } = props;
  const shown = !hidden.has(run.id);
  const label = runLabel(run);
  const color = charted.get(run.id) ?? runColor(run.id);
  return (
    <tr data-run={run.id} aria-rowindex={index + 2} className={`${shown ? '' : 'dimmed'}${nested ? ' nested' : ''}`}>
      <td className="toggle-col">
        <button
          type="button"
          className="eye"
          aria-pressed={shown}
          aria-label={`${shown ? 'Hide' : 'Show'} ${label} in charts`}
          title={shown ? (charted.has(run.id) || nested ? 'Shown in charts: click to hide' : 'Visible, beyond the runs charted: click to hide') : 'Hidden from charts: click to show'}
          onClick={() => onToggle([run.id], !shown)}
        >
          <span className={`swatch${shown && !charted.has(run.id) && !nested ? ' pending' : ''}`} style={{ background: shown ? color : 'transparent', borderColor: color }} />
        </button>
      </td>
      {columns.map((column) => (
        <RunCell key={column.id} column={column} run={run} label={label} now={now} />
      ))}
    </tr>
  );
}

function RunCell({ column, run, label, now }: { column: TableColumn; run: RunInfo; label: string; now: number }) {
  switch (column.id) {
    case 'name':
      return (
        <td className="name-col">
          <Link href={routePath({ page: 'run', entity: run.entity, project: run.project, runId: run.id })} title={run.id}>
            {label}
          </Link>
        </td>
      );
    case 'state':
      return (
        <td>
          <StateBadge state={run.state} />
        </td>
      );
    case 'created':
      return <td title={formatDateTime(run.createdAt)}>{formatAgo(run.createdAt, now)}</td>;
    case 'runtime':
      return <td className="num">{formatDuration(run.runtime)}</td>;
    case 'tags':
      return (
        <td className="tags-col" title={run.tags.join(', ')}>
          {run.tags.map((tag) => (
            <span key={tag} className="tag">
              {tag}
            </span>
          ))}
        </td>
      );
    case 'group':
      return <td title={run.group ?? ''}>{run.group ?? ''}</td>;
    case 'jobType':
      return <td title={run.jobType ?? ''}>{run.jobType ?? ''}</td>;
  }
  const value = valueAt(column.id.startsWith('config.') ? run.config : run.summary, column.parts ?? []);
  const text = formatValue(value);
  return (
    <td className={typeof value === 'number' ? 'num' : ''} title={text}>
      {text}
    </td>
  );
}

function GroupRow(props: RowProps & { group: RunGroup; open: boolean; onOpen: (key: string) => void }) {
  const { index, group, open, columns, hidden, charted, onToggle, onOpen } = props;
  const ids = group.runs.map((run) => run.id);
  const shownCount = ids.filter((id) => !hidden.has(id)).length;
  const color = charted.get(groupLineId(group)) ?? runColor(groupLineId(group));
  const drawn = charted.has(groupLineId(group));
  return (
    <tr data-group={group.key} aria-rowindex={index + 2} className={`group-row${shownCount === 0 ? ' dimmed' : ''}`}>
      <td className="toggle-col">
        <button
          type="button"
          className="eye"
          aria-pressed={shownCount > 0}
          aria-label={`${shownCount > 0 ? 'Hide' : 'Show'} group ${group.label} in charts`}
          title={shownCount > 0 ? `${shownCount} of ${ids.length} runs shown${drawn ? '' : ', beyond the groups charted'}: click to hide all` : 'Hidden from charts: click to show'}
          onClick={() => onToggle(ids, shownCount === 0)}
        >
          <span className={`swatch${shownCount > 0 && !drawn ? ' pending' : ''}`} style={{ background: shownCount > 0 ? color : 'transparent', borderColor: color }} />
        </button>
      </td>
      {columns.map((column) =>
        column.id === 'name' ? (
          <td key={column.id} className="name-col">
            <button type="button" className="group-toggle" aria-expanded={open} onClick={() => onOpen(group.key)} title={open ? 'Collapse the group' : 'Show the group’s runs'}>
              <span className="chevron" aria-hidden="true">
                {open ? '▾' : '▸'}
              </span>
              <span className="group-label">{group.label}</span>
              <span className="count">{group.runs.length}</span>
            </button>
          </td>
        ) : (
          <GroupCell key={column.id} column={column} runs={group.runs} />
        ),
      )}
    </tr>
  );
}

/** A group's cell: the mean of a numeric field, the value its runs share, or how many differ. */
function GroupCell({ column, runs }: { column: TableColumn; runs: readonly RunInfo[] }) {
  if (column.id === 'state') {
    const running = runs.filter((run) => run.state === 'running').length;
    return <td className="muted">{running > 0 ? `${running} running` : ''}</td>;
  }
  if (column.id === 'runtime') {
    const mean = runs.reduce((sum, run) => sum + run.runtime, 0) / runs.length;
    return (
      <td className="num muted" title="mean of the group's runs">
        {formatDuration(mean)}
      </td>
    );
  }
  if (!column.parts) return <td />;
  const values = runs.map((run) => valueAt(column.id.startsWith('config.') ? run.config : run.summary, column.parts!));
  const numbers = values.filter((value): value is number => typeof value === 'number' && Number.isFinite(value));
  if (numbers.length > 0 && numbers.length === values.filter((value) => value !== undefined && value !== null).length) {
    const mean = numbers.reduce((sum, value) => sum + value, 0) / numbers.length;
    return (
      <td className="num muted" title={`mean of ${numbers.length} run${numbers.length === 1 ? '' : 's'}`}>
        {formatNumber(mean)}
      </td>
    );
  }
  const distinct = new Set(values.filter((value) => value !== undefined).map((value) => formatValue(value)));
  return <td className="muted">{distinct.size === 1 ? [...distinct][0] : distinct.size > 1 ? `${distinct.size} values` : ''}</td>;
}
