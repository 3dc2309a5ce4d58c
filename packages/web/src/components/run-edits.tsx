/**
 * A run's tags and notes, edited in place. Edits are optimistic: the new value shows at once
 * while the PATCH is in flight; if it fails, the stored value comes back with the error.
 */
import { useRef, useState, type KeyboardEvent } from 'react';
import type { RunEdit, RunInfo } from '@cairn/protocol';
import { errorMessage } from '../lib/api.js';
import { addTags } from '../lib/run-details.js';
import { runRequests } from '../lib/run-requests.js';

type Editable = 'tags' | 'notes';

/**
 * The value of `field` to show (the edit in flight, else the run's), and `save`. Only the
 * latest save settles the view: an older answer arriving late changes nothing.
 */
function useOptimisticEdit<F extends Editable>(run: RunInfo, field: F, onSaved: (run: RunInfo) => void) {
  const [pending, setPending] = useState<{ value: RunInfo[F] } | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const latest = useRef(0);
  const save = async (value: RunInfo[F]) => {
    const edit = ++latest.current;
    setPending({ value });
    setError(undefined);
    try {
      const saved = await runRequests.edit(run.entity, run.project, run.id, { [field]: value } as RunEdit);
      if (edit !== latest.current) return;
      onSaved(saved);
      setPending(undefined);
    } catch (reason) {
      if (edit !== latest.current) return;
      setPending(undefined);
      setError(errorMessage(reason));
    }
  };
  return { value: pending ? pending.value : run[field], saving: pending !== undefined, error, save, clearError: () => setError(undefined) };
}

/** The run's tags as chips, each removable, and a box that adds comma-separated tags. */
export function RunTags(props: { run: RunInfo; onSaved: (run: RunInfo) => void }) {
  const { run, onSaved } = props;
  const tags = useOptimisticEdit(run, 'tags', onSaved);
  const [draft, setDraft] = useState('');
  const [problem, setProblem] = useState<string | undefined>(undefined);

  const add = () => {
    const result = addTags(tags.value, draft);
    if (!result.ok) {
      setProblem(result.problem);
      return;
    }
    setProblem(undefined);
    setDraft('');
    if (result.tags.length !== tags.value.length) void tags.save(result.tags);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      add();
    } else if (event.key === 'Escape') {
      setDraft('');
      setProblem(undefined);
    }
  };
  const message = problem ?? (tags.error && `Could not save the tags: ${tags.error}`);

  return (
    <div className="run-tags" data-testid="tags" aria-busy={tags.saving}>
      <ul className="tag-list" aria-label="Tags">
        {tags.value.map((tag) => (
          <li key={tag} className="tag editable-tag">
            {tag}
            <button type="button" className="tag-remove" aria-label={`Remove tag ${tag}`} title="Remove tag" onClick={() => void tags.save(tags.value.filter((other) => other !== tag))}>
              ×
            </button>
          </li>
        ))}
      </ul>
      <label className="tag-add">
        <span className="visually-hidden">Add tags, separated by commas</span>
        <input
          type="text"
          placeholder={tags.value.length === 0 ? 'Add a tag' : '+ tag'}
          value={draft}
          size={Math.max(8, Math.min(24, draft.length + 2))}
          onChange={(event) => {
            setDraft(event.target.value);
            setProblem(undefined);
          }}
          onKeyDown={onKeyDown}
          onBlur={() => {
            if (draft.trim() !== '') add();
          }}
        />
      </label>
      {tags.saving && <span className="muted saving">Saving…</span>}
      {message && (
        <span className="error-text edit-error" role="alert">
          {message}
        </span>
      )}
    </div>
  );
}

/** The run's notes: text with an Edit button; editing shows a text area (Ctrl+Enter saves, Escape cancels). */
export function RunNotes(props: { run: RunInfo; onSaved: (run: RunInfo) => void }) {
  const { run, onSaved } = props;
  const notes = useOptimisticEdit(run, 'notes', onSaved);
  const [draft, setDraft] = useState<string | undefined>(undefined);
  const editing = draft !== undefined;

  const save = () => {
    if (draft === undefined) return;
    const value = draft.trim() === '' ? null : draft;
    setDraft(undefined);
    if (value !== notes.value) void notes.save(value);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      save();
    } else if (event.key === 'Escape') {
      setDraft(undefined);
    }
  };

  return (
    <div className="run-notes" data-testid="notes" aria-busy={notes.saving}>
      {editing ? (
        <>
          <label className="visually-hidden" htmlFor={`notes-${run.id}`}>
            Notes
          </label>
          <textarea id={`notes-${run.id}`} className="notes-input" value={draft} rows={Math.min(12, Math.max(3, draft.split('\n').length + 1))} autoFocus onChange={(event) => setDraft(event.target.value)} onKeyDown={onKeyDown} />
          <div className="notes-actions">
            <button type="button" className="button primary" onClick={save}>
              Save notes
            </button>
            <button type="button" className="button" onClick={() => setDraft(undefined)}>
              Cancel
            </button>
            <span className="muted hint">Ctrl+Enter saves, Escape cancels</span>
          </div>
        </>
      ) : (
        <div className="notes-view">
          {notes.value ? <p className="notes-text">{notes.value}</p> : <span className="muted">No notes yet.</span>}
          <button
            type="button"
            className="button compact"
            onClick={() => {
              notes.clearError();
              setDraft(notes.value ?? '');
            }}
          >
            {notes.value ? 'Edit notes' : 'Add notes'}
          </button>
          {notes.saving && <span className="muted saving">Saving…</span>}
        </div>
      )}
      {notes.error && (
        <span className="error-text edit-error" role="alert">
          Could not save the notes: {notes.error}
        </span>
      )}
    </div>
  );
}
