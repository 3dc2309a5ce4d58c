/**
 * A uPlot line chart of prepared {@link ChartData}. uPlot keeps the scales, axes, cursor and
 * selection; each line is traced from its own points (chart-paths.ts) — a run's raw line and
 * bands straight from its M4 buckets — the bands behind the lines in one path per series. The plot is created once per shape (lines, colours, axis,
 * scale, theme) and later data only calls setData, so live updates redraw in place without
 * flicker. Dragging across the plot reports an x-range to zoom to; a double-click asks to
 * reset it. From the keyboard (the chart takes focus): the arrow keys move the cursor (with
 * Shift, five times as far; Home and End to the ends), so the tooltip follows as it does the
 * mouse; + and − zoom in and out around the cursor; 0 resets the zoom.
 */
import { useEffect, useRef, type KeyboardEvent } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ChartData } from '../lib/chart-data.js';
import { bucketsInWindowOver, projectionOf, traceArea, traceBands, traceBucketBands, traceBuckets, traceDots, traceLine, visiblePoints, type Projection } from '../lib/chart-paths.js';
import { withAlpha } from '../lib/colors.js';
import { formatDuration, formatTick } from '../lib/format.js';
import { logAxisSplits } from '../lib/log-axis.js';
import { Y_AXIS_SIZE } from '../lib/plot-size.js';
import type { Theme } from '../theme.js';

export interface ChartRun {
  id: string;
  name: string;
  color: string;
  /** Set for a group: the runs whose mean (with their min–max band) this line draws. */
  runIds?: readonly string[];
}

/** Where the cursor is: its x value, and pixels within the chart. */
export interface ChartCursor {
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

/** A drag narrower than this (CSS pixels) is a click, not a zoom. */
const MIN_DRAG = 5;
/** Arrow-key steps across the plot's width (Shift: a fifth of them). */
const KEY_STEPS = 50;
/** What the keyboard can do, for the accessible name. */
const KEY_HINT = 'arrow keys move the cursor, + and − zoom, 0 resets the zoom';
const FONT = '11px system-ui, sans-serif';
/**
 * Line widths (CSS pixels). A chart of a few runs draws them 1.5 pixels wide; a denser one
 * (more than DENSE_LINES) 1 pixel wide: thin lines hide each other less, and where the canvas
 * is rasterised in software (no GPU) Skia draws a line of one device pixel as a hairline,
 * 5–10× faster than a wider stroke (for 100 runs, 30 ms instead of 110 ms per draw here).
 * A group's mean line is wider, a raw line behind its smoothed one thinner (and faint).
 */
const DENSE_LINES = 5;
const RUN_LINE = 1.5;
const DENSE_RUN_LINE = 1;
const FAINT_LINE = 1;
const GROUP_LINE = 2;

/**
 * What uPlot holds: only the x extent, and an empty column per line. Each line is drawn from
 * its own points by {@link linePaths}; uPlot keeps the scales, axes, cursor and selection.
 */
function toPlotData(data: ChartData): uPlot.AlignedData {
  const xs = data.xExtent ? [data.xExtent[0], data.xExtent[1]] : [];
  return [xs, ...data.lines.map(() => xs.map(() => null))] as unknown as uPlot.AlignedData;
}

/** The y range shown: the data's extent, padded as uPlot pads its own. */
function yRange(data: ChartData, log: boolean): uPlot.Range.MinMax {
  const extent = data.yExtent;
  if (!extent) return log ? [1, 10] : [0, 1];
  return log ? uPlot.rangeLog(extent[0], extent[1], 10, false) : uPlot.rangeNum(extent[0], extent[1], 0.1, true);
}

function projection(u: uPlot): Projection | undefined {
  const x = u.scales.x!;
  const y = u.scales.y!;
  if (x.min === undefined || x.max === undefined || y.min === undefined || y.max === undefined) return undefined;
  if (x.min === null || x.max === null || y.min === null || y.max === null) return undefined;
  return projectionOf(u.bbox, [x.min, x.max], [y.min, y.max], y.distr === 3);
}

/** A uPlot path builder drawing line `index` of the data from its own points. */
function linePaths(data: () => ChartData, index: number): uPlot.Series.PathBuilder {
  return (u) => {
    const line = data().lines[index];
    const view = projection(u);
    if (!line || !view) return null;
    const path = new Path2D();
    // A run's raw line straight from its buckets: its points are not built to draw it.
    if (line.buckets) traceBuckets(path, line.buckets, view);
    else traceLine(path, line, view);
    return { stroke: path, fill: null, clip: null, band: null, flags: 0 };
  };
}

/** Dots at the points of a sparse line (as uPlot shows them: fewer than one per `space` pixels). */
function linePoints(data: () => ChartData, index: number): Pick<uPlot.Series.Points, 'show' | 'paths'> {
  return {
    show: (u, seriesIdx) => {
      const line = data().lines[index];
      const { min, max } = u.scales.x!;
      if (!line || min === undefined || max === undefined || min === null || max === null) return false;
      const most = u.bbox.width / ((u.series[seriesIdx]!.points!.space ?? 10) * devicePixelRatio);
      // A dense run (most are) is told by its buckets, before its points are built to count them.
      if (line.buckets && bucketsInWindowOver(line.buckets, min, max, most)) return false;
      return visiblePoints(line, min, max, most) <= most;
    },
    paths: (u, seriesIdx) => {
      const line = data().lines[index];
      const view = projection(u);
      if (!line || !view) return null;
      const points = u.series[seriesIdx]!.points!;
      const radius = (((points.size ?? 6) - (points.width ?? 1)) / 2) * devicePixelRatio;
      const path = new Path2D();
      traceDots(path, line, view, radius);
      return { stroke: path, fill: path, clip: null, flags: 0 };
    },
  };
}

interface ThemeColors {
  axis: string;
  grid: string;
  surface: string;
}

/** Chart colours per theme, read once from the CSS: getComputedStyle per chart forces a style pass. */
const themeColors = new Map<string, ThemeColors>();

function colorsOf(element: Element, theme: Theme): ThemeColors {
  let colors = themeColors.get(theme);
  if (!colors) {
    const style = getComputedStyle(element);
    const read = (name: string) => style.getPropertyValue(name).trim() || '#888888';
    colors = { axis: read('--chart-axis'), grid: read('--chart-grid'), surface: read('--surface') };
    themeColors.set(theme, colors);
  }
  return colors;
}

export function LineChart(props: LineChartProps) {
  const { data, runs, axis, width, height, theme, label, logY = false, xRange } = props;
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const cursorFrame = useRef(0);
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
    const colors = colorsOf(element, theme);
    const current = () => latest.current.data;
    // On a log axis, ticks, grid lines and labels only at the splits worth a line.
    const logFilter = logY ? { filter: (_: uPlot, splits: number[]) => logAxisSplits(splits) } : {};
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
      cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false } },
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
          // From every point, band and area: uPlot holds none of them (see toPlotData).
          range: () => yRange(current(), logY),
        },
      },
      axes: [
        // A time axis labels in two rows (the time, and the date under the first tick).
        { stroke: colors.axis, font: FONT, size: axis === '_timestamp' ? 48 : 32, grid: { stroke: colors.grid, width: 1 }, ticks: { stroke: colors.grid, width: 1, size: 4 }, ...(xValues ? { values: xValues } : {}) },
        {
          stroke: colors.axis,
          font: FONT,
          size: Y_AXIS_SIZE,
          grid: { stroke: colors.grid, width: 1, ...logFilter },
          ticks: { stroke: colors.grid, width: 1, size: 4, ...logFilter },
          values: (_, splits) => splits.map((v) => (v === null || v === undefined ? '' : formatTick(v))),
          ...logFilter,
        },
      ],
      series: [
        {},
        ...data.lines.map((line, index) => {
          const run = runs[line.run];
          const color = run?.color ?? '#888888';
          const faint = smoothing && !line.smoothed;
          return {
            label: run?.name ?? '',
            stroke: faint ? withAlpha(color, 0.28) : color,
            width: faint ? FAINT_LINE : grouped ? GROUP_LINE : runs.length > DENSE_LINES ? DENSE_RUN_LINE : RUN_LINE,
            paths: linePaths(current, index),
            points: { fill: colors.surface, ...linePoints(current, index) },
          } satisfies uPlot.Series;
        }),
      ],
      hooks: {
        // Behind the lines: runs' per-bucket bands and groups' areas, faint, in their colours.
        drawAxes: [(u) => drawBands(u, latest.current.data, latest.current.runs)],
        // Reported once per frame at most: the panel's legend and tooltip follow the cursor.
        setCursor: [
          (u) => {
            const { left, top } = u.cursor;
            const cursor = left === undefined || top === undefined || left < 0 ? null : { x: u.posToVal(left, 'x'), left: left + u.over.offsetLeft, top: top + u.over.offsetTop };
            cancelAnimationFrame(cursorFrame.current);
            cursorFrame.current = requestAnimationFrame(() => latest.current.onCursor?.(cursor));
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
    const chart = new uPlot(options, toPlotData(latest.current.data), element);
    const reset = () => latest.current.onResetZoom?.();
    chart.over.addEventListener('dblclick', reset);
    plot.current = chart;
    return () => {
      cancelAnimationFrame(cursorFrame.current);
      chart.over.removeEventListener('dblclick', reset);
      chart.destroy();
      plot.current = null;
    };
    // Rebuilt by shape only: width, data and zoom changes are applied below, in place.
  }, [shape]);

  const rangeKey = xRange ? `${xRange[0]},${xRange[1]}` : '';
  useEffect(() => {
    // setData re-ranges the x scale, which reads the zoom through `latest`, and redraws every line.
    plot.current?.setData(toPlotData(data));
  }, [data, rangeKey]);

  useEffect(() => {
    const chart = plot.current;
    if (chart && width > 0 && (chart.width !== width || chart.height !== height)) chart.setSize({ width, height });
  }, [width, height]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const chart = plot.current;
    if (chart && chartKey(chart, event.key, event.shiftKey, latest.current)) event.preventDefault();
  };
  // The keyboard's cursor goes with the focus, as the mouse's goes when it leaves.
  const onBlur = () => plot.current?.setCursor({ left: -10, top: -10 });

  return (
    <div
      ref={container}
      className="chart-canvas"
      role="group"
      aria-roledescription="chart"
      aria-label={`${label}; ${KEY_HINT}`}
      aria-keyshortcuts="ArrowLeft ArrowRight Home End + - 0"
      tabIndex={0}
      onKeyDown={onKeyDown}
      onBlur={onBlur}
      data-testid="chart"
      data-theme={theme}
    />
  );
}

/** Acts on one key pressed on a focused chart; false for a key it leaves alone. */
function chartKey(chart: uPlot, key: string, shift: boolean, props: LineChartProps): boolean {
  const width = chart.over.clientWidth;
  const height = chart.over.clientHeight;
  const { min, max } = chart.scales.x!;
  if (width <= 0 || min === undefined || max === undefined || min === null || max === null) return false;
  const at = chart.cursor.left ?? -1;
  const moveTo = (left: number) => chart.setCursor({ left: Math.min(width - 1, Math.max(0, left)), top: height / 2 });
  const step = (width / KEY_STEPS) * (shift ? 5 : 1);
  switch (key) {
    case 'ArrowRight':
      moveTo(at < 0 ? 0 : at + step);
      return true;
    case 'ArrowLeft':
      moveTo(at < 0 ? width - 1 : at - step);
      return true;
    case 'Home':
      moveTo(0);
      return true;
    case 'End':
      moveTo(width - 1);
      return true;
    case '+':
    case '=': {
      // Half the range, centred on the cursor (or the middle), kept inside the shown range.
      const center = at >= 0 ? chart.posToVal(at, 'x') : (min + max) / 2;
      const half = (max - min) / 4;
      const from = Math.max(min, Math.min(center - half, max - 2 * half));
      if (half > 0) props.onZoom?.([from, from + 2 * half]);
      return true;
    }
    case '-':
    case '_': {
      if (!props.xRange) return true;
      const extent = props.data.xExtent;
      const span = max - min;
      const from = min - span / 2;
      const to = max + span / 2;
      // Out to the whole series: no zoom at all.
      if (!extent || (from <= extent[0] && to >= extent[1])) props.onResetZoom?.();
      else props.onZoom?.([Math.max(from, extent[0]), Math.min(to, extent[1])]);
      return true;
    }
    case '0':
      props.onResetZoom?.();
      return true;
    default:
      return false;
  }
}

/** Each series' bands, then each group's area: one path and one fill per series. */
function drawBands(u: uPlot, data: ChartData, runs: readonly ChartRun[]): void {
  const view = projection(u);
  if (!view) return;
  const { ctx, bbox } = u;
  ctx.save();
  ctx.beginPath();
  ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height);
  ctx.clip();
  const minWidth = Math.max(1, devicePixelRatio);
  // Bands one device pixel wide (most, at one bucket per pixel) are stroked as hairlines:
  // the same rectangles, drawn faster (see traceBands).
  const hairlines = minWidth <= 1;
  ctx.lineWidth = minWidth;
  ctx.lineCap = 'butt';
  data.bands.forEach((bands, run) => {
    const buckets = data.buckets[run];
    if (!buckets && (!bands || bands.length === 0)) return;
    const path = new Path2D();
    const thin = hairlines ? new Path2D() : undefined;
    if (buckets) traceBucketBands(path, buckets, view, minWidth, thin);
    else if (bands) traceBands(path, bands, view, minWidth, thin);
    const color = withAlpha(runs[run]?.color ?? '#888888', 0.18);
    ctx.fillStyle = color;
    ctx.fill(path);
    if (thin) {
      ctx.strokeStyle = color;
      ctx.stroke(thin);
    }
  });
  data.areas.forEach((area, run) => {
    if (!area || area.xs.length === 0) return;
    const path = new Path2D();
    traceArea(path, area, view);
    ctx.fillStyle = withAlpha(runs[run]?.color ?? '#888888', 0.2);
    ctx.fill(path);
  });
  ctx.restore();
}
