/**
 * One chart panel: a key of several runs against a chosen x-axis. It fetches only while on
 * screen, asks for as many M4 buckets as its plot is wide, and refetches — itself only —
 * when the live stream reports new points for one of its runs.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { SeriesResponse } from '@cairn/protocol';
import { api, errorMessage } from '../lib/api.js';
import { lastPoint } from '../lib/buckets.js';
import { buildChartData, nearestValue } from '../lib/chart-data.js';
import { formatDateTime, formatDuration, formatNumber } from '../lib/format.js';
import { axisLabel, type PanelSpec } from '../lib/panels.js';
import { useOnScreen, useWidth } from '../hooks.js';
import { useLiveEvents, type LiveFeed } from '../live.js';
import { setSearchParams, useLocation } from '../navigation.js';
import type { Theme } from '../theme.js';
import { LineChart, plotWidth, type ChartRun } from './line-chart.js';

export interface PanelProps {
  entity: string;
  project: string;
  spec: PanelSpec;
  runs: readonly ChartRun[];
  axes: readonly string[];
  smoothing: number;
  feed: LiveFeed;
  theme: Theme;
}

const CHART_HEIGHT = 190;
/** Live refetches of one panel are at least this far apart. */
const LIVE_REFETCH_MS = 1000;

/** The URL parameter holding a panel's chosen x-axis (absent: its default). */
export function axisParam(key: string): string {
  return `x:${key}`;
}

export function Panel(props: PanelProps) {
  const { entity, project, spec, runs, axes, smoothing, feed, theme } = props;
  const { search } = useLocation();
  const x = new URLSearchParams(search).get(axisParam(spec.key)) ?? spec.defaultX;
  const frame = useRef<HTMLElement>(null);
  const chartBox = useRef<HTMLDivElement>(null);
  const onScreen = useOnScreen(frame);
  const width = useWidth(chartBox);
  const buckets = Math.min(10_000, Math.max(8, Math.round(plotWidth(width))));

  // Stable while the same runs are shown, whatever array the parent passes.
  const runIdsText = runs.map((run) => run.id).join('\n');
  const runIds = useMemo(() => (runIdsText === '' ? [] : runIdsText.split('\n')), [runIdsText]);
  const requestKey = JSON.stringify([entity, project, runIds, spec.key, x, buckets]);
  const request = useRef({ entity, project, runIds, key: spec.key, x, buckets });
  request.current = { entity, project, runIds, key: spec.key, x, buckets };
  const [liveVersion, setLiveVersion] = useState(0);
  const [response, setResponse] = useState<{ x: string; series: SeriesResponse } | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [cursor, setCursor] = useState<number | null>(null);
  /** The request whose answer is on screen (`requestKey#liveVersion`). */
  const done = useRef('');
  const inflight = useRef<{ key: string; controller: AbortController } | null>(null);
  const lastFetchAt = useRef(0);
  // Bumped when an answer arrives (or on Retry), so the fetch effect looks again.
  const [settled, setSettled] = useState(0);

  useLiveEvents(feed, (event) => {
    if (runIds.includes(event.run.id)) setLiveVersion((v) => v + 1);
  });

  useEffect(() => {
    const { entity, project, runIds, key, x, buckets } = request.current;
    if (!onScreen || width === 0 || runIds.length === 0) return;
    const token = `${requestKey}#${liveVersion}`;
    if (done.current === token) return;
    // A live refetch never cuts the one in flight (a busy server would starve the panel):
    // it goes after it; a changed request (axis, width, runs) replaces it at once.
    if (inflight.current?.key === requestKey) return;
    inflight.current?.controller.abort();
    inflight.current = null;
    const liveOnly = done.current.startsWith(`${requestKey}#`);
    const wait = liveOnly ? Math.max(0, lastFetchAt.current + LIVE_REFETCH_MS - Date.now()) : 0;
    const timer = setTimeout(() => {
      const controller = new AbortController();
      inflight.current = { key: requestKey, controller };
      lastFetchAt.current = Date.now();
      api.series({ runs: runIds.map((id) => ({ entity, project, id })), keys: [key], x, buckets }, controller.signal).then(
        (series) => {
          if (inflight.current?.controller !== controller) return;
          inflight.current = null;
          done.current = token;
          setResponse({ x, series });
          setError(undefined);
          setSettled((n) => n + 1);
        },
        (reason: unknown) => {
          if (inflight.current?.controller !== controller) return;
          inflight.current = null;
          setError(errorMessage(reason));
        },
      );
    }, wait);
    return () => clearTimeout(timer);
  }, [onScreen, width, requestKey, liveVersion, settled]);

  useEffect(() => () => inflight.current?.controller.abort(), []);

  // Data for another x-axis is not drawn against this one (while the new axis loads).
  const current = response?.x === x ? response.series : undefined;
  const bucketsByRun = useMemo(() => {
    const byId = new Map(current?.series.map((s) => [s.run.id, s.buckets]));
    return runIds.map((id) => byId.get(id) ?? []);
  }, [current, runIds]);
  const data = useMemo(() => buildChartData(bucketsByRun, smoothing), [bucketsByRun, smoothing]);
  const hasPoints = data.xs.length > 0;
  const cursorX = cursor !== null ? data.xs[cursor] : undefined;

  const chooseAxis = (axis: string) => setSearchParams({ [axisParam(spec.key)]: axis === spec.defaultX ? null : axis });
  const options = axes.includes(x) ? axes : [...axes, x];

  return (
    <figure ref={frame} className="panel" data-testid="panel" data-key={spec.key} data-x={x}>
      <figcaption className="panel-head">
        <h3 className="panel-title" title={spec.key}>
          {spec.key}
        </h3>
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
      </figcaption>
      <div ref={chartBox} className="chart-box" style={{ height: CHART_HEIGHT }}>
        {hasPoints && width > 0 ? (
          <LineChart
            data={data}
            runs={runs}
            axis={x}
            width={width}
            height={CHART_HEIGHT}
            theme={theme}
            label={`${spec.key} against ${axisLabel(x)} for ${runs.length} run${runs.length === 1 ? '' : 's'}`}
            onCursor={setCursor}
          />
        ) : (
          <div className="chart-placeholder">
            {error ? (
              <span className="error-text">
                {error}{' '}
                <button type="button" className="button" onClick={() => setSettled((n) => n + 1)}>
                  Retry
                </button>
              </span>
            ) : current ? `No ${spec.key} against ${axisLabel(x).toLowerCase()} for the runs shown` : runs.length === 0 ? 'No runs shown' : 'Loading…'}
          </div>
        )}
      </div>
      {hasPoints && (
        <div className="legend" data-testid="legend">
          <span className="legend-x">{cursorX === undefined ? 'last' : `${axisLabel(x).toLowerCase()} ${formatAxisValue(x, cursorX)}`}</span>
          {runs.map((run, i) => {
            const column = data.columns[data.mainColumn[i]!];
            const value = cursor !== null && column ? nearestValue(column, cursor) : lastPoint(bucketsByRun[i] ?? [])?.[1];
            if (value === undefined) return null;
            return (
              <span key={run.id} className="legend-item" data-run={run.id}>
                <span className="swatch" style={{ background: run.color }} aria-hidden="true" />
                <span className="legend-name">{run.name}</span>
                <span className="legend-value">{formatNumber(value)}</span>
              </span>
            );
          })}
        </div>
      )}
    </figure>
  );
}

function formatAxisValue(axis: string, value: number): string {
  if (axis === '_runtime') return formatDuration(value);
  if (axis === '_timestamp') return formatDateTime(value);
  return formatNumber(value);
}
