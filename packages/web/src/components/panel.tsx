/**
 * One chart panel: a key of several runs (or groups of runs) against a chosen x-axis. It
 * fetches at once when on screen and in spare time when near it, asks for as many M4 buckets as
 * its plot is wide — over the zoomed range when zoomed, so a zoom shows full resolution — and,
 * when the live stream reports new points for one of its runs, asks for those points only
 * and adds them to its buckets (lib/live-update.ts). Its
 * work goes through the draw queue (draw-queue.ts) in pieces, one or a few per frame: its
 * turn to fetch (when near the screen), then each answer (legend and chart — while the page
 * scrolls, the legend first and the chart's creation in a piece of its own). The zoom of each
 * x-axis and the log-scale panels live in the URL; a panel can be enlarged to the full width.
 */
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { api, errorMessage } from '../lib/api.js';
import { chartDataOf, forLogScale, groupInput, lastValue, runInput, valueNear, type SeriesInput } from '../lib/chart-data.js';
import { formatDateTime, formatDuration, formatNumber } from '../lib/format.js';
import { aggregateBuckets } from '../lib/grouping.js';
import { liveUpdate, LiveState, type LiveFetch } from '../lib/live-update.js';
import { queryPanel, type PanelAnswer } from '../lib/panel-query.js';
import { axisLabel, type PanelSpec } from '../lib/panels.js';
import { runSource, tooltipValue, type LineSource } from '../lib/tooltip.js';
import { plotWidth } from '../lib/plot-size.js';
import { formatZoom, readList, readZoom, toggled, writeList, ZOOM_PREFIX, zoomParam } from '../lib/view-params.js';
import { drawQueue } from '../draw-queue.js';
import { useOnScreen, useWidth } from '../hooks.js';
import { useLiveEvents, type LiveFeed } from '../live.js';
import { setSearchParams, useSearchParams } from '../navigation.js';
import type { Theme } from '../theme.js';
import { ChartTooltip, type TooltipLine } from './chart-tooltip.js';
import { loadChart, useChartModule } from './chart-module.js';
import type { ChartCursor, ChartRun } from './line-chart.js';

export interface PanelProps {
  entity: string;
  project: string;
  spec: PanelSpec;
  /** The lines to draw: runs, or groups (with `runIds`). */
  runs: readonly ChartRun[];
  axes: readonly string[];
  smoothing: number;
  feed: LiveFeed;
  theme: Theme;
}

const CHART_HEIGHT = 190;
/** Legend entries rendered with the chart; a longer legend gets the rest in idle time. */
const LEGEND_FIRST = 24;
/** Live updates of one panel are at least this far apart. */
const LIVE_REFETCH_MS = 1000;
/** The URL parameter listing the panels (keys) drawn with a logarithmic y-axis. */
export const LOG_PARAM = 'log';

/** The URL parameter holding a panel's chosen x-axis (absent: its default). */
export function axisParam(key: string): string {
  return `x:${key}`;
}

/**
 * Re-renders only for its own props and its own URL parameters (its x-axis, the zooms, the
 * log-scale list): a change elsewhere on the page leaves a drawn panel alone.
 */
export const Panel = memo(function Panel(props: PanelProps) {
  const { entity, project, spec, runs: lines, axes, smoothing, feed, theme } = props;
  const search = useSearchParams((name) => name === axisParam(spec.key) || name === LOG_PARAM || name.startsWith(ZOOM_PREFIX));
  const x = new URLSearchParams(search).get(axisParam(spec.key)) ?? spec.defaultX;
  const zoom = readZoom(search, x);
  const logPanels = readList(search, LOG_PARAM) ?? [];
  const logY = logPanels.includes(spec.key);
  const [enlarged, setEnlarged] = useState(false);
  const height = enlarged ? enlargedHeight() : CHART_HEIGHT;
  const frame = useRef<HTMLElement>(null);
  const chartBox = useRef<HTMLDivElement>(null);
  const enlargeButton = useRef<HTMLButtonElement>(null);
  // A panel on screen fetches at once and draws right after the next frame (while the page
  // scrolls, after the first frame with time to spare: see frame-queue.ts). One within a
  // screen's height of the viewport fetches and draws when the page has time to spare
  // (drawQueue), after what is on screen, so that it is ready before it is scrolled to; one
  // further off fetches nothing until it comes that near.
  const [nearMargin] = useState(() => Math.max(400, window.innerHeight));
  const near = useOnScreen(frame, nearMargin);
  const onScreen = useOnScreen(frame, 0);
  const onScreenNow = useRef(onScreen);
  onScreenNow.current = onScreen;
  const [idleTurn, setIdleTurn] = useState(false);
  useEffect(() => {
    if (!near || onScreen || idleTurn) return;
    return drawQueue.add({ urgent: () => false, run: () => flushSync(() => setIdleTurn(true)) });
  }, [near, onScreen, idleTurn]);
  const fetching = onScreen || (near && idleTurn);
  const width = useWidth(chartBox);
  const buckets = Math.min(10_000, Math.max(8, Math.round(plotWidth(width))));

  // Stable while the same lines are shown, whatever array the parent passes.
  const linesKey = lines.map((line) => `${line.id}\t${line.name}\t${line.color}\t${line.runIds?.join(',') ?? ''}`).join('\n');
  const stableLines = useMemo(() => lines, [linesKey]);
  const grouped = stableLines.some((line) => line.runIds !== undefined);
  const runIds = useMemo(() => [...new Set(stableLines.flatMap((line) => line.runIds ?? [line.id]))], [stableLines]);
  const requestKey = JSON.stringify([entity, project, runIds, spec.key, x, buckets, zoom, grouped]);
  const request = useRef({ entity, project, runIds, key: spec.key, x, buckets, zoom, grouped });
  request.current = { entity, project, runIds, key: spec.key, x, buckets, zoom, grouped };
  const [liveVersion, setLiveVersion] = useState(0);
  const [response, setResponse] = useState<{ answer: PanelAnswer; grouped: boolean } | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [cursor, setCursor] = useState<ChartCursor | null>(null);
  // While the page scrolls, charts move under a still pointer: no tooltip follows them (it
  // would be built for each chart passing under the pointer, in frames the scrolling needs).
  const onCursor = useCallback((next: ChartCursor | null) => setCursor(next !== null && drawQueue.scrolling ? null : next), []);
  /** The request whose answer is on screen (`requestKey#liveVersion`). */
  const done = useRef('');
  const inflight = useRef<{ key: string; controller: AbortController; fetch: LiveFetch } | null>(null);
  const retryTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  /** Takes the answer waiting in drawQueue out of it. */
  const unqueue = useRef<(() => void) | undefined>(undefined);
  const lastFetchAt = useRef(0);
  // Bumped when an answer arrives (or on Retry), so the fetch effect looks again.
  const [settled, setSettled] = useState(0);
  // The chart is created (and first drawn) with the first answer when the page is not
  // scrolling; while it scrolls, in a piece of its own after the answer's (the legend shows
  // first), or when the chart's module comes in after the answer. Once created, each answer
  // redraws it in the answer's piece.
  const [chartTurn, setChartTurn] = useState(false);
  const chartTurnNow = useRef(chartTurn);
  chartTurnNow.current = chartTurn;
  const chartModule = useChartModule();
  const chartModuleNow = useRef(chartModule);
  chartModuleNow.current = chartModule;
  /** Whether an answer's piece run now draws the chart. */
  const answerDraws = () => chartTurnNow.current || (chartModuleNow.current !== undefined && !drawQueue.scrolling);

  /** The runs with new points the latest answer lacks, and that answer (lib/live-update.ts). */
  const [liveState] = useState(() => new LiveState());
  useLiveEvents(feed, (event) => {
    if (!runIds.includes(event.run.id)) return;
    liveState.noteEvent(event.run.id);
    setLiveVersion((v) => v + 1);
  });

  // A layout effect: the request goes out as the panel commits, before the browser paints the
  // page (a passive effect would wait for that paint).
  useLayoutEffect(() => {
    const { entity, project, runIds, key, x, buckets, zoom, grouped } = request.current;
    if (!fetching || width === 0 || runIds.length === 0) return;
    const token = `${requestKey}#${liveVersion}`;
    if (done.current === token) return;
    // A live refetch never cuts the one in flight (a busy server would starve the panel):
    // it goes after it; a changed request (axis, width, runs, zoom) replaces it at once.
    if (inflight.current?.key === requestKey) return;
    if (inflight.current) {
      // Cut: the runs it was to update are the next fetch's.
      inflight.current.controller.abort();
      liveState.unfinished(inflight.current.fetch, false);
      inflight.current = null;
    }
    const liveOnly = done.current.startsWith(`${requestKey}#`);
    const wait = liveOnly ? Math.max(0, lastFetchAt.current + LIVE_REFETCH_MS - Date.now()) : 0;
    const start = () => {
      const controller = new AbortController();
      // New points of runs already drawn: only those are asked for (live-update.ts).
      const liveFetch = liveState.begin(requestKey, liveOnly);
      inflight.current = { key: requestKey, controller, fetch: liveFetch };
      lastFetchAt.current = Date.now();
      const query = { runs: runIds.map((id) => ({ entity, project, id })), key, x, buckets, zoom, shared: grouped };
      const answered = liveFetch.previous ? liveUpdate(api.seriesBinary, query, liveFetch.previous, liveFetch.live, controller.signal) : queryPanel(api.seriesBinary, query, controller.signal);
      answered.then(
        (answer) => {
          if (inflight.current?.controller !== controller) return;
          inflight.current = null;
          done.current = token;
          liveState.answered(requestKey, answer);
          // Rendered and drawn in a frame of its own (or in idle time while off screen).
          unqueue.current?.();
          unqueue.current = drawQueue.add({
            urgent: () => onScreenNow.current,
            draws: answerDraws,
            run: () => {
              unqueue.current = undefined;
              flushSync(() => {
                setResponse({ answer, grouped });
                setError(undefined);
                setSettled((n) => n + 1);
                if (answerDraws()) setChartTurn(true);
              });
            },
          });
        },
        (reason: unknown) => {
          if (inflight.current?.controller !== controller) return;
          inflight.current = null;
          liveState.unfinished(liveFetch, true);
          if (liveFetch.previous) {
            // A failed update: the whole panel is asked for in a moment (the chart stays).
            retryTimer.current = setTimeout(() => setSettled((n) => n + 1), LIVE_REFETCH_MS);
            return;
          }
          setError(errorMessage(reason));
        },
      );
    };
    if (wait === 0) {
      start();
      return;
    }
    const timer = setTimeout(start, wait);
    return () => clearTimeout(timer);
  }, [fetching, width, requestKey, liveVersion, settled]);

  // The chart's chunk starts loading with the first panel's request, before the page paints.
  useLayoutEffect(loadChart, []);
  useEffect(
    () => () => {
      inflight.current?.controller.abort();
      clearTimeout(retryTimer.current);
      unqueue.current?.();
    },
    [],
  );

  // Data for another x-axis (or ungrouped data for groups) is not drawn while the new one loads.
  const current = response && response.answer.x === x && response.grouped === grouped ? response.answer : undefined;
  const { inputs, sources } = useMemo(() => {
    const byId = new Map(current?.series.series.map((s) => [s.run.id, s.buckets]));
    const none = new Float64Array(0);
    const inputs: SeriesInput[] = [];
    const tooltipSources: Array<() => LineSource> = [];
    for (const line of stableLines) {
      if (line.runIds) {
        const points = aggregateBuckets(line.runIds.map((id) => byId.get(id) ?? none));
        inputs.push(groupInput(points));
        tooltipSources.push(() => ({ kind: 'group', points }));
      } else {
        const buckets = byId.get(line.id) ?? none;
        inputs.push(runInput(buckets));
        tooltipSources.push(() => runSource(buckets));
      }
    }
    // What the tooltip searches is built at the first hover, not for every panel drawn.
    let built: LineSource[] | undefined;
    return { inputs, sources: () => (built ??= tooltipSources.map((source) => source())) };
  }, [current, stableLines]);
  const data = useMemo(() => {
    const chart = chartDataOf(inputs, smoothing);
    return logY ? forLogScale(chart) : chart;
  }, [inputs, smoothing, logY]);
  const hasPoints = data.xExtent !== undefined;
  // A legend of many lines shows its first entries with the chart; the rest follow in idle
  // time (its box shows three rows at a time: the others are scrolled to).
  const [legendWhole, setLegendWhole] = useState(false);
  const legendCut = hasPoints && !legendWhole && stableLines.length > LEGEND_FIRST;
  useEffect(() => (legendCut ? drawQueue.add({ urgent: () => false, run: () => setLegendWhole(true) }) : undefined), [legendCut]);
  /** Lines to draw and no answer for them yet: the panel keeps room for its legend (styles.css). */
  const waiting = lines.length > 0 && current === undefined && error === undefined;
  const chartWanted = hasPoints && width > 0 && chartModule !== undefined;
  useEffect(() => {
    if (!chartWanted || chartTurn) return;
    return drawQueue.add({ urgent: () => onScreenNow.current, draws: () => true, run: () => flushSync(() => setChartTurn(true)) });
  }, [chartWanted, chartTurn]);

  useEffect(() => {
    if (!enlarged) return;
    frame.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setEnlarged(false);
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      enlargeButton.current?.focus();
    };
  }, [enlarged]);

  const chooseAxis = (axis: string) => setSearchParams({ [axisParam(spec.key)]: axis === spec.defaultX ? null : axis });
  const setZoom = (range: [number, number] | null) => setSearchParams({ [zoomParam(x)]: range ? formatZoom(range) : null });
  const toggleLog = () => {
    const next = toggled(logPanels, spec.key);
    setSearchParams({ [LOG_PARAM]: next.length > 0 ? writeList(next) : null });
  };
  const options = axes.includes(x) ? axes : [...axes, x];
  const xLabel = axisLabel(x);

  const tooltipLines = useMemo<TooltipLine[]>(() => {
    if (!cursor || !hasPoints) return [];
    const first = zoom?.[0] ?? data.xExtent![0];
    const last = zoom?.[1] ?? data.xExtent![1];
    // A few pixels either side of the cursor still count as "at" it.
    const tolerance = (Math.max(last - first, 1e-9) / Math.max(1, plotWidth(width))) * 3;
    const out: TooltipLine[] = [];
    const lineSources = sources();
    stableLines.forEach((line, i) => {
      const value = tooltipValue(lineSources[i]!, cursor.x, tolerance);
      if (!value) return;
      const strong = data.lines[data.mainLine[i]!];
      const smoothed = smoothing > 0 && strong ? valueNear(strong, cursor.x) : undefined;
      out.push({ line, value, smoothed });
    });
    return out;
  }, [cursor, hasPoints, zoom, data, width, stableLines, sources, smoothing]);

  return (
    <>
      {enlarged && <div className="panel-backdrop" onClick={() => setEnlarged(false)} />}
      <figure
        ref={frame}
        className={`panel${enlarged ? ' enlarged' : ''}${cursor ? ' pointed' : ''}${waiting ? ' waiting' : ''}`}
        data-testid="panel"
        data-key={spec.key}
        data-x={x}
        data-zoom={zoom ? formatZoom(zoom) : undefined}
        data-log={logY ? 'true' : undefined}
        data-grouped={grouped ? 'true' : undefined}
        {...(enlarged ? { role: 'dialog', 'aria-modal': true, 'aria-label': `${spec.key}, enlarged`, tabIndex: -1 } : {})}
      >
        <figcaption className="panel-head">
          <h3 className="panel-title" title={spec.key}>
            {spec.key}
          </h3>
          {zoom && (
            <button type="button" className="chip-button" onClick={() => setZoom(null)} title="Double-click the chart to reset, too">
              Reset zoom
            </button>
          )}
          <button type="button" className={`chip-button${logY ? ' on' : ''}`} aria-pressed={logY} aria-label={`Logarithmic y-axis for ${spec.key}`} title="Logarithmic y-axis" onClick={toggleLog}>
            log
          </button>
          <label className="axis-select">
            <span className="visually-hidden">x-axis of {spec.key}</span>
            <select value={x} onChange={(event) => chooseAxis(event.target.value)}>
              {options.map((axis) => (
                <option key={axis} value={axis}>
                  {axisLabel(axis)}
                </option>
              ))}
            </select>
          </label>
          {enlarged ? (
            <button type="button" className="chip-button" aria-label="Close the enlarged panel" title="Close (Escape)" onClick={() => setEnlarged(false)}>
              ✕
            </button>
          ) : (
            <button ref={enlargeButton} type="button" className="chip-button" aria-label={`Enlarge ${spec.key}`} title="Enlarge" onClick={() => setEnlarged(true)}>
              ⤢
            </button>
          )}
        </figcaption>
        <div ref={chartBox} className="chart-box" style={{ height }} onMouseLeave={() => setCursor(null)}>
          {hasPoints && width > 0 ? (
            <>
              {chartModule && chartTurn ? (
                <chartModule.LineChart
                  data={data}
                  runs={stableLines}
                  axis={x}
                  width={width}
                  height={height}
                  theme={theme}
                  logY={logY}
                  xRange={zoom}
                  label={`${spec.key} against ${xLabel} for ${lines.length} ${grouped ? 'group' : 'run'}${lines.length === 1 ? '' : 's'}${zoom ? `, zoomed to ${formatAxisValue(x, zoom[0])}–${formatAxisValue(x, zoom[1])}` : ''}`}
                  onCursor={onCursor}
                  onZoom={setZoom}
                  onResetZoom={() => setZoom(null)}
                />
              ) : (
                <div className="chart-placeholder">Loading…</div>
              )}
              {cursor && tooltipLines.length > 0 && (
                <ChartTooltip left={cursor.left} boxWidth={width} heading={`${xLabel.toLowerCase()} ${formatAxisValue(x, cursor.x)}`} lines={tooltipLines} />
              )}
            </>
          ) : (
            <div className="chart-placeholder">
              {error ? (
                <span className="error-text">
                  {error}{' '}
                  <button type="button" className="button" onClick={() => setSettled((n) => n + 1)}>
                    Retry
                  </button>
                </span>
              ) : current ? (
                `No ${spec.key} against ${xLabel.toLowerCase()}${zoom ? ' in the zoomed range' : ''} for the runs shown`
              ) : lines.length === 0 ? (
                'No runs shown'
              ) : (
                'Loading…'
              )}
            </div>
          )}
        </div>
        {hasPoints && (
          <div className="legend" data-testid="legend">
            <span className="legend-x">{cursor === null ? 'last' : `${xLabel.toLowerCase()} ${formatAxisValue(x, cursor.x)}`}</span>
            {(legendWhole ? stableLines : stableLines.slice(0, LEGEND_FIRST)).map((line, i) => {
              const strong = data.lines[data.mainLine[i]!];
              const value = strong ? (cursor !== null ? valueNear(strong, cursor.x) : lastValue(strong)) : undefined;
              if (value === undefined) return null;
              return (
                <span key={line.id} className="legend-item" {...(line.runIds ? { 'data-group': line.id } : { 'data-run': line.id })}>
                  <span className="swatch" style={{ background: line.color }} aria-hidden="true" />
                  <span className="legend-name">{line.name}</span>
                  <span className="legend-value">{formatNumber(value)}</span>
                </span>
              );
            })}
          </div>
        )}
      </figure>
    </>
  );
});

function enlargedHeight(): number {
  return Math.max(260, Math.min(640, window.innerHeight - 190));
}

/** An x value as its axis shows it. */
export function formatAxisValue(axis: string, value: number): string {
  if (axis === '_runtime') return formatDuration(value);
  if (axis === '_timestamp') return formatDateTime(value);
  // Steps are whole; the cursor between two pixels is not.
  if (axis === '_step') return formatNumber(Math.round(value));
  return formatNumber(value);
}
