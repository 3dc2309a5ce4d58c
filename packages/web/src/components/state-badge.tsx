import type { RunState } from '@cairn/protocol';

/** A run's state; a running run's badge pulses (it is live). */
export function StateBadge({ state }: { state: RunState }) {
  return (
    <span className={`badge state-${state}`} data-state={state}>
      {state === 'running' && <span className="live-dot" aria-hidden="true" />}
      {state}
    </span>
  );
}
