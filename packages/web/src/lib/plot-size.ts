/** The chart's geometry that its data depends on: how wide the plot area is. */

/** The y-axis' width (CSS pixels): tick labels left of the plot area. */
export const Y_AXIS_SIZE = 52;

/** The plot area's width for a chart `width` wide: what the series query asks buckets for. */
export function plotWidth(width: number): number {
  return Math.max(0, width - Y_AXIS_SIZE - 8);
}
