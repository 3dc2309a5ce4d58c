/**
 * Picking runs to compare: the chosen runs as removable chips, and a searchable list of the
 * project's runs (a combobox with a multi-select listbox: arrows move, Enter picks or drops,
 * Escape closes, Backspace in the empty box drops the last run).
 */
import { useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { RunInfo } from '@cairn/protocol';
import { distinctColors, runColor } from '../lib/colors.js';
import { routePath } from '../lib/routes.js';
import { Link } from '../navigation.js';
import { runLabel } from './runs-table.js';
import { StateBadge } from './state-badge.js';

/** Options rendered at once; typing narrows a longer list. */
const MAX_OPTIONS = 100;

export interface RunPickerProps {
  entity: string;
  project: string;
  /** The project's runs to choose from; undefined while loading. */
  runs: readonly RunInfo[] | undefined;
  /** Why the runs could not be loaded. */
  error: string | undefined;
  /** Chosen run ids, in column order. */
  selected: readonly string[];
  /** Names for chosen runs, by id (those not in `runs` too). */
  labels: ReadonlyMap<string, string>;
  max: number;
  onChange: (ids: string[]) => void;
}

function matches(run: RunInfo, needle: string): boolean {
  if (needle === '') return true;
  const haystack = [run.name ?? '', run.id, run.group ?? '', run.jobType ?? '', ...run.tags].join('\n').toLowerCase();
  return haystack.includes(needle);
}

export function RunPicker(props: RunPickerProps) {
  const { entity, project, runs, error, selected, labels, max, onChange } = props;
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);
  const listId = useId();
  const optionId = (index: number) => `${listId}-option-${index}`;
  const chosen = useMemo(() => new Set(selected), [selected]);
  const needle = query.trim().toLowerCase();
  const found = useMemo(() => (runs ?? []).filter((run) => matches(run, needle)), [runs, needle]);
  const options = found.slice(0, MAX_OPTIONS);
  const full = selected.length >= max;
  const activeIndex = Math.min(active, Math.max(0, options.length - 1));

  const toggle = (id: string) => {
    if (chosen.has(id)) onChange(selected.filter((other) => other !== id));
    else if (!full) onChange([...selected, id]);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (!open) setOpen(true);
      else if (options.length > 0) setActive((activeIndex + (event.key === 'ArrowDown' ? 1 : options.length - 1)) % options.length);
    } else if (event.key === 'Enter') {
      const option = options[activeIndex];
      if (open && option) {
        event.preventDefault();
        toggle(option.id);
      }
    } else if (event.key === 'Escape') {
      if (open) setOpen(false);
      else setQuery('');
    } else if (event.key === 'Backspace' && query === '' && selected.length > 0) {
      onChange(selected.slice(0, -1));
    }
  };

  // The picked runs in the colours the comparison shows them in.
  const pickedColors = distinctColors(selected);

  return (
    <div className="run-picker">
      {selected.length > 0 && (
        <ul className="picked" aria-label="Compared runs">
          {selected.map((id) => {
            const label = labels.get(id) ?? id;
            return (
              <li key={id} className="picked-run" data-run={id}>
                <span className="swatch" style={{ background: pickedColors.get(id) }} aria-hidden="true" />
                <Link href={routePath({ page: 'run', entity, project, runId: id })}>{label}</Link>
                <button type="button" className="chip-remove" aria-label={`Remove ${label} from the comparison`} title="Remove from the comparison" onClick={() => onChange(selected.filter((other) => other !== id))}>
                  ×
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <div
        className="picker-box"
        onBlur={(event) => {
          if (!event.currentTarget.contains(event.relatedTarget)) setOpen(false);
        }}
      >
        <input
          ref={inputRef}
          type="search"
          role="combobox"
          aria-label="Add runs to compare"
          aria-expanded={open}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={open && options.length > 0 ? optionId(activeIndex) : undefined}
          placeholder={full ? `${max} runs at most: remove one to add another` : 'Add runs: search by name, id, tag or group'}
          value={query}
          onChange={(event) => {
            setQuery(event.target.value);
            setActive(0);
            setOpen(true);
          }}
          onFocus={() => setOpen(true)}
          onClick={() => setOpen(true)}
          onKeyDown={onKeyDown}
        />
        {open && (
          <div className="picker-popup">
            {error ? (
              <p className="picker-note error-text" role="alert">Could not load the runs: {error}</p>
            ) : !runs ? (
              <p className="picker-note muted">Loading runs…</p>
            ) : options.length === 0 ? (
              <p className="picker-note muted">{runs.length === 0 ? 'This project has no runs yet.' : `No run matches “${query}”.`}</p>
            ) : null}
            <ul id={listId} role="listbox" aria-multiselectable="true" aria-label={`Runs of ${project}`} className="picker-options" hidden={!runs || options.length === 0}>
              {options.map((run, index) => {
                const picked = chosen.has(run.id);
                const disabled = !picked && full;
                return (
                  <li
                    key={run.id}
                    id={optionId(index)}
                    role="option"
                    aria-selected={picked}
                    aria-disabled={disabled || undefined}
                    data-run={run.id}
                    className={`picker-option${index === activeIndex ? ' active' : ''}${disabled ? ' disabled' : ''}`}
                    // Keep the focus in the box: the list stays open for the next pick.
                    onMouseDown={(event) => event.preventDefault()}
                    onMouseEnter={() => setActive(index)}
                    onClick={() => {
                      toggle(run.id);
                      inputRef.current?.focus();
                    }}
                  >
                    <span className="picker-check" aria-hidden="true">{picked ? '✓' : ''}</span>
                    <span className="swatch" style={{ background: pickedColors.get(run.id) ?? runColor(run.id) }} aria-hidden="true" />
                    <span className="picker-name">{runLabel(run)}</span>
                    <span className="muted mono picker-id">{run.id}</span>
                    <StateBadge state={run.state} />
                    {run.tags.slice(0, 3).map((tag) => (
                      <span key={tag} className="tag">{tag}</span>
                    ))}
                  </li>
                );
              })}
            </ul>
            {found.length > options.length && <p className="picker-note muted">{found.length - options.length} more: type to narrow.</p>}
          </div>
        )}
      </div>
    </div>
  );
}
