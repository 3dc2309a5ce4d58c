/**
 * The chart (line-chart.tsx, with uPlot) as a chunk of its own, loaded when the first panel
 * commits: the page's first render does not wait for it, and it loads while the panels'
 * series requests are out. Panels draw it once it is in. (Not React.lazy: a lazy component
 * suspends on its first render even with its chunk loaded, and would show the first chart a
 * render later.)
 */
import { useSyncExternalStore } from 'react';
import type * as LineChartModule from './line-chart.js';

type ChartModule = typeof LineChartModule;

let loaded: ChartModule | undefined;
let loading: Promise<void> | undefined;
const listeners = new Set<() => void>();

/** Starts loading the chart's chunk (once). */
export function loadChart(): void {
  loading ??= import('./line-chart.js').then((module) => {
    loaded = module;
    for (const listener of [...listeners]) listener();
  });
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The chart's module once loaded (the component re-renders then), else undefined. */
export function useChartModule(): ChartModule | undefined {
  return useSyncExternalStore(subscribe, () => loaded);
}
