/**
 * Choosing and ordering the runs table's columns: the shown ones with buttons to move or
 * remove each, then every other run field and config or summary field to add (searchable).
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { RunInfo } from '@cairn/protocol';
import { BUILTIN_COLUMN_IDS, columnOf, fieldColumnIds, moveItem } from '../lib/table-columns.js';

/** Fields are gathered from this many runs at most: enough to see every key of a sweep. */
const SAMPLE_RUNS = 2000;
const MAX_CHOICES = 80;

export interface ColumnPickerProps {
  /** The chosen column ids, in order (name, always first, is not among them). */
  columns: readonly string[];
  runs: readonly RunInfo[];
  onChange: (columns: string[]) => void;
  /** Back to the default columns; undefined when they are the default already. */
  onReset: (() => void) | undefined;
}

export function ColumnPicker(props: ColumnPickerProps) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setOpen(false);
      button.current?.focus();
    };
    const onPointer = (event: PointerEvent) => {
      if (root.current && !root.current.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onPointer);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onPointer);
    };
  }, [open]);

  return (
    <div className="picker" ref={root}>
      <button ref={button} type="button" className="button small" aria-expanded={open} aria-haspopup="dialog" onClick={() => setOpen((o) => !o)}>
        Columns <span className="count">{props.columns.length + 1}</span>
      </button>
      {open && <PickerPanel {...props} />}
    </div>
  );
}

function PickerPanel({ columns, runs, onChange, onReset }: ColumnPickerProps) {
  const [query, setQuery] = useState('');
  const fields = useMemo(() => fieldColumnIds(runs.length > SAMPLE_RUNS ? runs.slice(0, SAMPLE_RUNS) : runs), [runs]);
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const available = [...BUILTIN_COLUMN_IDS, ...fields].filter((id) => !columns.includes(id));
  const matching = available.filter((id) => {
    const label = columnOf(id)?.fullLabel.toLowerCase() ?? id;
    return words.every((word) => label.includes(word));
  });

  return (
    <div className="popover column-picker" role="dialog" aria-label="Choose the table's columns" data-testid="column-picker">
      <div className="popover-title">Shown, in order</div>
      <ol className="picker-list">
        <li className="picker-item">
          <span className="picker-label">Name</span>
          <span className="muted picker-note">always first</span>
        </li>
        {columns.map((id, index) => {
          const label = columnOf(id)?.fullLabel ?? id;
          return (
            <li key={id} className="picker-item" data-column={id}>
              <span className="picker-label" title={label}>
                {label}
              </span>
              <button type="button" className="mini-button" aria-label={`Move ${label} left`} disabled={index === 0} onClick={() => onChange(moveItem(columns, index, -1))}>
                ↑
              </button>
              <button type="button" className="mini-button" aria-label={`Move ${label} right`} disabled={index === columns.length - 1} onClick={() => onChange(moveItem(columns, index, 1))}>
                ↓
              </button>
              <button type="button" className="mini-button" aria-label={`Remove ${label}`} onClick={() => onChange(columns.filter((other) => other !== id))}>
                ✕
              </button>
            </li>
          );
        })}
      </ol>
      <div className="popover-title">Add a column</div>
      <input type="search" className="picker-search" placeholder="Find a field" value={query} onChange={(event) => setQuery(event.target.value)} aria-label="Find a field to add" />
      <ul className="picker-list choices">
        {matching.slice(0, MAX_CHOICES).map((id) => {
          const label = columnOf(id)?.fullLabel ?? id;
          return (
            <li key={id}>
              <button type="button" className="choice" aria-label={`Add ${label}`} onClick={() => onChange([...columns, id])}>
                <span aria-hidden="true">+</span> {label}
              </button>
            </li>
          );
        })}
        {matching.length === 0 && <li className="muted picker-note">{available.length === 0 ? 'Every field is shown.' : 'No field matches.'}</li>}
        {matching.length > MAX_CHOICES && <li className="muted picker-note">{matching.length - MAX_CHOICES} more: search to narrow</li>}
      </ul>
      {onReset && (
        <button type="button" className="button small" onClick={onReset}>
          Reset to default
        </button>
      )}
    </div>
  );
}
