/**
 * A uPlot line chart of prepared {@link ChartData}. The plot is created once per shape
 * (lines, colours, axis, scale, theme) and later data only calls setData, so live updates
 * redraw in place without flicker. Dragging across the plot reports an x-range to zoom to;
 * a double-click asks to reset it.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Area, ChartData } from '../lib/chart-data.js';
import { withAlpha } from '../lib/colors.js';
import { formatDuration, formatTick } from '../lib/format.js';
import { logAxisSplits } from '../lib/log-axis.js';
import type { Theme } from '../theme.js';

export interface ChartRun {
  id: string;
  name: string;
  color: string;
  /** Set for a group: the runs whose mean (with their min–max band) this line draws. */
  runIds?: readonly string[];
}

/** Where the cursor is: the index into the data's x array, its x value, and pixels within the chart. */
export interface ChartCursor {
  index: number;
  x: number;
  left: number;
  top: number;
}

export interface LineChartProps {
  data: ChartData;
  /** Index-aligned with the series of `data`. */
  runs: readonly ChartRun[];
  /** The x-axis key: `_timestamp` gets a time axis, `_runtime` duration ticks. */
  axis: string;
  width: number;
  height: number;
  theme: Theme;
  label: string;
  /** A logarithmic y-axis. */
  logY?: boolean;
  /** The x-range to show (a zoom); the data's extent when undefined. */
  xRange?: readonly [number, number];
  onCursor?: (cursor: ChartCursor | null) => void;
  /** A range dragged across the plot. */
  onZoom?: (range: [number, number]) => void;
  onResetZoom?: () => void;
}

const Y_AXIS_SIZE = 52;
/** A drag narrower than this (CSS pixels) is a click, not a zoom. */
const MIN_DRAG = 5;

/** The plot area's width for a chart `width` wide: what the series query asks buckets for. */
export function plotWidth(width: number): number {
  return Math.max(0, width - Y_AXIS_SIZE - 8);
}

function toAligned(data: ChartData): uPlot.AlignedData {
  return [data.xs, ...data.columns] as unknown as uPlot.AlignedData;
}

function cssVariable(element: Element, name: string): string {
  return getComputedStyle(element).getPropertyValue(name).trim() || '#888888';
}

export function LineChart(props: LineChartProps) {
  const { data, runs, axis, width, height, theme, label, logY = false, xRange } = props;
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(props);
  useEffect(() => {
    latest.current = props;
  });

  const smoothing = data.lines.some((line) => line.smoothed);
  const grouped = runs.some((run) => run.runIds !== undefined);
  const shape = `${axis}|${theme}|${height}|${logY}|${grouped}|${data.lines.map((line) => `${runs[line.run]?.color}:${line.smoothed ? 's' : 'r'}`).join(',')}`;

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    // Read from the chart's own element, which carries the theme: the page's root may not
    // have switched yet when a theme change rebuilds the chart (its effect runs after ours).
    const axisColor = cssVariable(element, '--chart-axis');
    const gridColor = cssVariable(element, '--chart-grid');
    const surface = cssVariable(element, '--surface');
    // On a log axis, ticks, grid lines and labels only at the splits worth a line.
    const logFilter = logY ? { filter: (_: uPlot, splits: number[]) => logAxisSplits(splits) } : {};
    const font = '11px system-ui, sans-serif';
    const xValues =
      axis === '_runtime'
        ? (_: uPlot, splits: number[]) => splits.map((s) => formatDuration(s))
        : axis === '_timestamp'
          ? undefined
          : (_: uPlot, splits: number[]) => splits.map(formatTick);
    const options: uPlot.Options = {
      width: Math.max(1, width),
      height,
      legend: { show: false },
      cursor: { drag: { x: true, y: false, setScale: false }, points: { size: 6 } },
      scales: {
        x: {
          time: axis === '_timestamp',
          range: (_u, min, max) => {
            const zoom = latest.current.xRange;
            if (zoom) return [zoom[0], zoom[1]];
            return min === max ? [min - 1, max + 1] : [min, max];
          },
        },
        y: {
          ...(logY ? { distr: 3, log: 10 } : {}),
          // A group's band reaches beyond its mean line: the y-range must hold it too.
          ...(grouped ? { range: (u: uPlot, min: number, max: number) => yRangeWithAreas(u, latest.current.data, min, max, logY) } : {}),
        },
      },
      axes: [
        { stroke: axisColor, font, size: 32, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor, width: 1, size: 4 }, ...(xValues ? { values: xValues } : {}) },
        {
          stroke: axisColor,
          font,
          size: Y_AXIS_SIZE,
          grid: { stroke: gridColor, width: 1, ...logFilter },
          ticks: { stroke: gridColor, width: 1, size: 4, ...logFilter },
          values: (_, splits) => splits.map((v) => (v === null || v === undefined ? '' : formatTick(v))),
          ...logFilter,
        },
      ],
      series: [
        {},
        ...data.lines.map((line) => {
          const run = runs[line.run];
          const color = run?.color ?? '#888888';
          const faint = smoothing && !line.smoothed;
          return {
            label: run?.name ?? '',
            stroke: faint ? withAlpha(color, 0.28) : color,
            width: faint ? 1 : grouped ? 2 : 1.5,
            spanGaps: true,
            points: { fill: surface },
          } satisfies uPlot.Series;
        }),
      ],
      hooks: {
        // Behind the lines: runs' per-bucket bands and groups' areas, faint, in their colours.
        drawAxes: [(u) => drawBands(u, latest.current.data, latest.current.runs)],
        setCursor: [
          (u) => {
            const { left, top, idx } = u.cursor;
            if (left === undefined || top === undefined || left < 0 || idx === null || idx === undefined) latest.current.onCursor?.(null);
            else latest.current.onCursor?.({ index: idx, x: u.posToVal(left, 'x'), left: left + u.over.offsetLeft, top: top + u.over.offsetTop });
          },
        ],
        setSelect: [
          (u) => {
            const { left, width: dragged } = u.select;
            if (dragged >= MIN_DRAG) {
              const from = u.posToVal(left, 'x');
              const to = u.posToVal(left + dragged, 'x');
              if (to > from) latest.current.onZoom?.([from, to]);
            }
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          },
        ],
        // The shown x-range, for people reading the DOM (and tests): the axis is drawn on canvas.
        setScale: [
          (u, key) => {
            if (key !== 'x') return;
            element.dataset.xMin = String(u.scales.x!.min);
            element.dataset.xMax = String(u.scales.x!.max);
          },
        ],
      },
    };
    const chart = new uPlot(options, toAligned(latest.current.data), element);
    const reset = () => latest.current.onResetZoom?.();
    chart.over.addEventListener('dblclick', reset);
    plot.current = chart;
    return () => {
      chart.over.removeEventListener('dblclick', reset);
      chart.destroy();
      plot.current = null;
    };
    // Rebuilt by shape only: width, data and zoom changes are applied below, in place.
  }, [shape]);

  const rangeKey = xRange ? `${xRange[0]},${xRange[1]}` : '';
  useEffect(() => {
    // setData re-ranges the x scale, which reads the zoom through `latest`.
    plot.current?.setData(toAligned(data));
  }, [data, rangeKey]);

  useEffect(() => {
    const chart = plot.current;
    if (chart && width > 0 && (chart.width !== width || chart.height !== height)) chart.setSize({ width, height });
  }, [width, height]);

  return <div ref={container} className="chart-canvas" role="img" aria-label={label} data-testid="chart" data-theme={theme} />;
}

function yRangeWithAreas(u: uPlot, data: ChartData, min: number, max: number, log: boolean): uPlot.Range.MinMax {
  const xMin = u.scales.x?.min ?? -Infinity;
  const xMax = u.scales.x?.max ?? Infinity;
  let lo = min;
  let hi = max;
  for (const area of data.areas) {
    if (!area) continue;
    for (let i = 0; i < area.xs.length; i++) {
      const x = area.xs[i]!;
      if (x < xMin || x > xMax) continue;
      if (area.lo[i]! < lo) lo = area.lo[i]!;
      if (area.hi[i]! > hi) hi = area.hi[i]!;
    }
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [min, max];
  return log ? uPlot.rangeLog(lo, hi, 10, true) : uPlot.rangeNum(lo, hi, 0.1, true);
}

function drawBands(u: uPlot, data: ChartData, runs: readonly ChartRun[]): void {
  const { ctx, bbox } = u;
  ctx.save();
  ctx.beginPath();
  ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height);
  ctx.clip();
  const minWidth = Math.max(1, devicePixelRatio);
  data.bands.forEach((bands, run) => {
    if (bands.length === 0) return;
    ctx.fillStyle = withAlpha(runs[run]?.color ?? '#888888', 0.18);
    for (const band of bands) {
      const x0 = u.valToPos(band.x0, 'x', true);
      const x1 = u.valToPos(band.x1, 'x', true);
      const top = u.valToPos(band.hi, 'y', true);
      const bottom = u.valToPos(band.lo, 'y', true);
      ctx.fillRect(x0, top, Math.max(minWidth, x1 - x0), Math.max(1, bottom - top));
    }
  });
  data.areas.forEach((area, run) => {
    if (area && area.xs.length > 0) fillArea(u, area, withAlpha(runs[run]?.color ?? '#888888', 0.2));
  });
  ctx.restore();
}

/** The region between an area's `lo` and `hi` lines; a lone point gets a thin vertical bar. */
function fillArea(u: uPlot, area: Area, color: string): void {
  const { ctx } = u;
  const n = area.xs.length;
  ctx.fillStyle = color;
  if (n === 1) {
    const x = u.valToPos(area.xs[0]!, 'x', true);
    const top = u.valToPos(area.hi[0]!, 'y', true);
    const bottom = u.valToPos(area.lo[0]!, 'y', true);
    ctx.fillRect(x - 1, top, 2, Math.max(1, bottom - top));
    return;
  }
  ctx.beginPath();
  for (let i = 0; i < n; i++) {
    const x = u.valToPos(area.xs[i]!, 'x', true);
    const y = u.valToPos(area.hi[i]!, 'y', true);
    if (i === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  }
  for (let i = n - 1; i >= 0; i--) ctx.lineTo(u.valToPos(area.xs[i]!, 'x', true), u.valToPos(area.lo[i]!, 'y', true));
  ctx.closePath();
  ctx.fill();
}
