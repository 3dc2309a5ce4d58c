import { matchesSearch, type Section } from '../lib/panels.js';
import type { LiveFeed } from '../live.js';
import type { Theme } from '../theme.js';
import type { ChartRun } from './line-chart.js';
import { PanelSearch, SmoothingControl } from './chart-controls.js';
import { Notice } from './layout.js';
import { Panel } from './panel.js';

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
export function PanelSections(props: PanelSectionsProps) {
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
              <Panel
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
