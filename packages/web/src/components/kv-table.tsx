import { useId, useMemo, useState } from 'react';
import { flattenObject, formatValue } from '../lib/format.js';

/** A nested object as a searchable two-column table, nested keys shown as `a.b`. */
export function KeyValueTable(props: { title: string; value: Record<string, unknown>; testId: string; sorted?: boolean }) {
  const { title, value, testId, sorted = false } = props;
  const [query, setQuery] = useState('');
  const headingId = useId();
  const rows = useMemo(() => {
    const entries = flattenObject(value).map(([key, v]) => [key, formatValue(v)] as const);
    // Sorted: by key, the `_` system keys (_step, _runtime, …) after the logged ones.
    if (sorted) entries.sort(([a], [b]) => Number(a.startsWith('_')) - Number(b.startsWith('_')) || a.localeCompare(b));
    return entries;
  }, [value, sorted]);
  const needle = query.trim().toLowerCase();
  const shown = needle === '' ? rows : rows.filter(([key, text]) => key.toLowerCase().includes(needle) || text.toLowerCase().includes(needle));
  return (
    <section className="card kv" aria-labelledby={headingId} data-testid={testId}>
      <div className="toolbar">
        <h2 id={headingId} className="section-title">
          {title} <span className="count">{rows.length}</span>
        </h2>
        <label className="control grow">
          <span className="visually-hidden">Search {title.toLowerCase()}</span>
          <input type="search" placeholder={`Search ${title.toLowerCase()}`} value={query} onChange={(event) => setQuery(event.target.value)} />
        </label>
      </div>
      {rows.length === 0 ? (
        <p className="muted">No {title.toLowerCase()} recorded.</p>
      ) : shown.length === 0 ? (
        <p className="muted">Nothing matches “{query}”.</p>
      ) : (
        <div className="table-scroll kv-scroll">
          <table className="table">
            <tbody>
              {shown.map(([key, text]) => (
                <tr key={key}>
                  <th scope="row" className="kv-key">
                    {key}
                  </th>
                  <td className="kv-value">{text}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
