/**
 * One side-by-side table of the compare page (config or summary): a column per run, a row
 * per key, rows whose values differ highlighted and marked.
 */
import { useId, useMemo } from 'react';
import type { RunInfo } from '@cairn/protocol';
import { distinctColors } from '../lib/colors.js';
import { formatRowValues, MISSING, type CompareRow } from '../lib/compare.js';
import { routePath } from '../lib/routes.js';
import { Link } from '../navigation.js';
import { runLabel } from './runs-table.js';

// A fixed layout: the config and summary tables of the same runs line up column for column.
const KEY_WIDTH = 240;
const MIN_RUN_WIDTH = 150;

export interface CompareTableProps {
  title: string;
  testId: string;
  /** The columns, in order. */
  runs: readonly RunInfo[];
  rows: readonly CompareRow[];
  onlyDifferences: boolean;
  /** Lower-case text a row's key or one of its values must contain; '' for every row. */
  filter: string;
}

export function CompareTable(props: CompareTableProps) {
  const { title, testId, runs, rows, onlyDifferences, filter } = props;
  // The runs compared side by side, told apart by colour as in the workspace's charts.
  const colors = distinctColors(runs.map((run) => run.id));
  const headingId = useId();
  const formatted = useMemo(() => rows.map((row) => ({ row, texts: formatRowValues(row.values) })), [rows]);
  const differing = rows.filter((row) => row.differs).length;
  const shown = formatted.filter(
    ({ row, texts }) => (!onlyDifferences || row.differs) && (filter === '' || row.label.toLowerCase().includes(filter) || texts.some((text) => text.toLowerCase().includes(filter))),
  );
  const noun = title.toLowerCase();

  return (
    <section className="card compare-section" aria-labelledby={headingId} data-testid={testId}>
      <div className="toolbar">
        <h2 id={headingId} className="section-title">
          {title} <span className="count">{rows.length}</span>
        </h2>
        {runs.length > 1 && (
          <span className="muted compare-tally">
            {differing === 0 ? 'all equal' : `${differing} of ${rows.length} differ`}
          </span>
        )}
      </div>
      {rows.length === 0 ? (
        <p className="muted">No {noun} recorded for these runs.</p>
      ) : shown.length === 0 ? (
        <p className="muted">{filter !== '' ? `No ${noun} key or value matches “${filter}”${onlyDifferences ? ' among the differences' : ''}.` : `No differences: every run has the same ${noun}.`}</p>
      ) : (
        <div className="table-scroll compare-scroll">
          <table className="table compare-table" style={{ width: `max(100%, ${KEY_WIDTH + runs.length * MIN_RUN_WIDTH}px)` }}>
            <colgroup>
              <col style={{ width: KEY_WIDTH }} />
              {runs.map((run) => (
                <col key={run.id} />
              ))}
            </colgroup>
            <thead>
              <tr>
                <th scope="col" className="compare-key">
                  Key
                </th>
                {runs.map((run) => (
                  <th key={run.id} scope="col" className="compare-run" data-run={run.id}>
                    <span className="compare-run-head">
                      <span className="swatch" style={{ background: colors.get(run.id) }} aria-hidden="true" />
                      <Link href={routePath({ page: 'run', entity: run.entity, project: run.project, runId: run.id })}>{runLabel(run)}</Link>
                    </span>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {shown.map(({ row, texts }) => (
                <tr key={row.path} className={row.differs ? 'differs' : undefined} data-key={row.label} data-differs={row.differs}>
                  <th scope="row" className="compare-key">
                    <span className="diff-mark" aria-hidden="true">
                      {row.differs ? '≠' : ''}
                    </span>
                    {row.label}
                    {row.differs && <span className="visually-hidden"> (values differ)</span>}
                  </th>
                  {texts.map((text, column) => (
                    <td key={runs[column]?.id ?? column} className={row.values[column] === undefined ? 'missing' : typeof row.values[column] === 'number' ? 'number' : undefined}>
                      {row.values[column] === undefined ? (
                        <>
                          <span aria-hidden="true">{MISSING}</span>
                          <span className="visually-hidden">no value</span>
                        </>
                      ) : (
                        text
                      )}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
