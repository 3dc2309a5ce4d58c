/**
 * A uPlot line chart of prepared {@link ChartData}. The plot is created once per shape
 * (lines, colours, axis, theme) and later data only calls setData, so live updates redraw
 * in place without flicker.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ChartData } from '../lib/chart-data.js';
import { withAlpha } from '../lib/colors.js';
import { formatDuration, formatTick } from '../lib/format.js';
import type { Theme } from '../theme.js';

export interface ChartRun {
  id: string;
  name: string;
  color: string;
}

export interface LineChartProps {
  data: ChartData;
  /** Index-aligned with the runs of `data`. */
  runs: readonly ChartRun[];
  /** The x-axis key: `_timestamp` gets a time axis, `_runtime` duration ticks. */
  axis: string;
  width: number;
  height: number;
  theme: Theme;
  label: string;
  onCursor?: (index: number | null) => void;
}

const Y_AXIS_SIZE = 52;

/** The plot area's width for a chart `width` wide: what the series query asks buckets for. */
export function plotWidth(width: number): number {
  return Math.max(0, width - Y_AXIS_SIZE - 8);
}

function toAligned(data: ChartData): uPlot.AlignedData {
  return [data.xs, ...data.columns] as unknown as uPlot.AlignedData;
}

function cssVariable(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888888';
}

export function LineChart(props: LineChartProps) {
  const { data, runs, axis, width, height, theme, label, onCursor } = props;
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef({ data, onCursor });
  useEffect(() => {
    latest.current = { data, onCursor };
  });

  const smoothing = data.lines.some((line) => line.smoothed);
  const shape = `${axis}|${theme}|${height}|${data.lines.map((line) => `${runs[line.run]?.color}:${line.smoothed ? 's' : 'r'}`).join(',')}`;

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const axisColor = cssVariable('--chart-axis');
    const gridColor = cssVariable('--chart-grid');
    const surface = cssVariable('--surface');
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
      cursor: { drag: { x: false, y: false, setScale: false }, points: { size: 6 } },
      scales: { x: { time: axis === '_timestamp' } },
      axes: [
        { stroke: axisColor, font, size: 32, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor, width: 1, size: 4 }, ...(xValues ? { values: xValues } : {}) },
        { stroke: axisColor, font, size: Y_AXIS_SIZE, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor, width: 1, size: 4 }, values: (_, splits) => splits.map(formatTick) },
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
            width: faint ? 1 : 1.5,
            spanGaps: true,
            points: { fill: surface },
          } satisfies uPlot.Series;
        }),
      ],
      hooks: {
        // Behind the lines: each bucket's min–max band, faint, in its run's colour.
        drawAxes: [(u) => drawBands(u, latest.current.data, runs)],
        setCursor: [(u) => latest.current.onCursor?.(u.cursor.idx ?? null)],
      },
    };
    const chart = new uPlot(options, toAligned(latest.current.data), element);
    plot.current = chart;
    return () => {
      chart.destroy();
      plot.current = null;
    };
    // Rebuilt by shape only: width and data changes are applied below, in place.
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(toAligned(data));
  }, [data]);

  useEffect(() => {
    const chart = plot.current;
    if (chart && width > 0 && (chart.width !== width || chart.height !== height)) chart.setSize({ width, height });
  }, [width, height]);

  return <div ref={container} className="chart-canvas" role="img" aria-label={label} />;
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
  ctx.restore();
}
