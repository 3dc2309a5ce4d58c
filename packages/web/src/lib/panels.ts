/**
 * Which panels a workspace shows: one line chart per logged numeric key, in sections by the
 * key's prefix (`train/loss` → section `train`), honouring the runs' metric definitions.
 */
import type { MetricDefinition } from '@cairn/protocol';

/** The built-in x-axes every series can be drawn against. */
export const BUILTIN_AXES = ['_step', '_runtime', '_timestamp'] as const;

/** The section of keys without a `/`. */
export const DEFAULT_SECTION = 'Charts';

export interface PanelSpec {
  key: string;
  /** The definition's step metric, else `_step`. */
  defaultX: string;
}

export interface Section {
  name: string;
  panels: PanelSpec[];
}

/**
 * The definition governing a key, resolved as the SDK does: an exact name first, else the
 * first glob (in definition order) whose text before `*` starts the key — never for keys
 * starting with `_`.
 *
 * @example
 * metricFor('val/loss', [{ name: 'val/*', stepMetric: 'epoch' }]); // → { name: 'val/*', stepMetric: 'epoch' }
 */
export function metricFor(key: string, definitions: readonly MetricDefinition[]): MetricDefinition | undefined {
  const exact = definitions.find((d) => d.name === key);
  if (exact) return exact;
  if (key.startsWith('_')) return undefined;
  return definitions.find((d) => d.name.endsWith('*') && key.startsWith(d.name.slice(0, -1)));
}

/** The section a key belongs to: its text before the first `/`. */
export function sectionOf(key: string): string {
  const slash = key.indexOf('/');
  return slash > 0 ? key.slice(0, slash) : DEFAULT_SECTION;
}

/**
 * Sections of panels for `keys`: keys starting with `_` (the x-axes `_runtime`,
 * `_timestamp`) and keys whose definition is `hidden` get none. The ungrouped section comes
 * first, then the others by name; panels are in key order.
 */
export function planPanels(keys: readonly string[], definitions: readonly MetricDefinition[]): Section[] {
  const sections = new Map<string, PanelSpec[]>();
  for (const key of [...keys].sort()) {
    if (key.startsWith('_')) continue;
    const definition = metricFor(key, definitions);
    if (definition?.hidden) continue;
    const name = sectionOf(key);
    let panels = sections.get(name);
    if (!panels) sections.set(name, (panels = []));
    panels.push({ key, defaultX: definition?.stepMetric ?? '_step' });
  }
  return [...sections.entries()]
    .sort(([a], [b]) => (a === DEFAULT_SECTION ? -1 : b === DEFAULT_SECTION ? 1 : a < b ? -1 : a > b ? 1 : 0))
    .map(([name, panels]) => ({ name, panels }));
}

/**
 * The x-axes a panel can offer: the built-in ones, then every step metric that some
 * definition names and that was logged.
 */
export function axisChoices(keys: readonly string[], definitions: readonly MetricDefinition[]): string[] {
  const logged = new Set(keys);
  const stepMetrics = new Set<string>();
  for (const definition of definitions) {
    if (definition.stepMetric !== undefined && logged.has(definition.stepMetric)) stepMetrics.add(definition.stepMetric);
  }
  return [...BUILTIN_AXES, ...[...stepMetrics].sort()];
}

/** A human label for an x-axis. */
export function axisLabel(axis: string): string {
  switch (axis) {
    case '_step':
      return 'Step';
    case '_runtime':
      return 'Relative time';
    case '_timestamp':
      return 'Wall time';
    default:
      return axis;
  }
}

/** Keys matching a panel search: every space-separated word appears in the key (any case). */
export function matchesSearch(key: string, search: string): boolean {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  const lower = key.toLowerCase();
  return words.every((word) => lower.includes(word));
}
