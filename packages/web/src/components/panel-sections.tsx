import { memo, useEffect, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { drawQueue } from '../draw-queue.js';
import { useOnScreen } from '../hooks.js';
import { matchesSearch, type Section } from '../lib/panels.js';
import type { LiveFeed } from '../live.js';
import type { Theme } from '../theme.js';
import type { ChartRun } from './line-chart.js';
import { PanelSearch, SmoothingControl } from './chart-controls.js';
import { Notice } from './layout.js';
import { Panel, type PanelProps } from './panel.js';

export interface PanelSectionsProps {
  entity: string;
  project: string;
  sections: readonly Section[];
  /** The lines of every panel: runs, or groups of runs (with `runIds`). */
  runs: readonly ChartRun[];
  axes: readonly string[];
  smoothing: number;
  feed: LiveFeed;
  theme: Theme;
  /** Only panels whose key matches (every word, any case). */
  search?: string;
}

/** Panels in collapsible sections by key prefix; a closed section's panels fetch nothing. */
export const PanelSections = memo(function PanelSections(props: PanelSectionsProps) {
  const { sections, search = '' } = props;
  const shown = sections
    .map((section) => ({ ...section, panels: section.panels.filter((panel) => matchesSearch(panel.key, search)) }))
    .filter((section) => section.panels.length > 0);
  if (shown.length === 0) {
    return <p className="muted panels-empty">{search ? `No panel matches “${search}”.` : 'No numeric metrics logged yet: charts appear as soon as a run logs one.'}</p>;
  }
  return (
    <div className="sections">
      {shown.map((section) => (
        <details key={section.name} className="section" open data-testid="section" data-section={section.name}>
          <summary>
            <span className="section-name">{section.name}</span>
            <span className="count">{section.panels.length}</span>
          </summary>
          <div className="panel-grid">
            {section.panels.map((spec) => (
              <PanelSlot
                key={spec.key}
                entity={props.entity}
                project={props.project}
                spec={spec}
                runs={props.runs}
                axes={props.axes}
                smoothing={props.smoothing}
                feed={props.feed}
                theme={props.theme}
              />
            ))}
          </div>
        </details>
      ))}
    </div>
  );
});

/**
 * A panel's place in the grid: the panel itself once the slot is on screen, or when the page
 * has time to spare (idle time, one panel after another, in order) — so that the first render
 * of a workspace of many panels builds only the few on screen, and their series requests go
 * out sooner. A slot that comes on screen while the page scrolls is built through the draw
 * queue too, as a piece of its own, so that building it shares no frame with another panel's
 * work. A panel once built stays.
 */
function PanelSlot(props: PanelProps) {
  const slot = useRef<HTMLDivElement>(null);
  const onScreen = useOnScreen(slot, 0);
  const onScreenNow = useRef(onScreen);
  onScreenNow.current = onScreen;
  const [built, setBuilt] = useState(false);
  if (onScreen && !built && !drawQueue.scrolling) setBuilt(true);
  useEffect(() => (built ? undefined : drawQueue.add({ urgent: () => onScreenNow.current, run: () => flushSync(() => setBuilt(true)) })), [built]);
  return built ? <Panel {...props} /> : <div ref={slot} className="panel panel-slot" data-slot={props.spec.key} aria-hidden="true" />;
}

/**
 * The charts of a page (workspace or run): panel search and smoothing above the panels,
 * and the loading and error states of the metric list the panels come from.
 */
export function ChartsArea(props: PanelSectionsProps & { title?: string; keys: { data: unknown; error: string | undefined } }) {
  const { title, keys, ...panels } = props;
  return (
    <section className="panels-area" aria-label="Charts">
      <div className="toolbar">
        {title && <h2 className="section-title">{title}</h2>}
        <PanelSearch value={panels.search ?? ''} />
        <SmoothingControl value={panels.smoothing} />
      </div>
      {keys.error && !keys.data ? (
        <Notice kind="error">Could not load the metrics: {keys.error}</Notice>
      ) : !keys.data ? (
        <Notice>Loading charts…</Notice>
      ) : (
        <PanelSections {...panels} />
      )}
    </section>
  );
}
