/**
 * `/:entity/:project/runs/:id`: one run — overview with editable tags and notes, alerts,
 * config, summary, environment, files, console output and its charts — kept current by the
 * live stream while it runs, with a Stop button. Alerts come right after the overview when the
 * run raised any (an alert is what a person opens the page for); otherwise their empty section,
 * which says how to raise one, waits below the console.
 */
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { RunInfo } from '@cairn/protocol';
import { api, errorMessage } from '../lib/api.js';
import { projectColorMemory, rememberedColor } from '../lib/colors.js';
import { formatDateTime, formatDuration } from '../lib/format.js';
import { readEnvironment } from '../lib/run-details.js';
import { axisChoices, planPanels } from '../lib/panels.js';
import { readNumber } from '../lib/routes.js';
import { MAX_SMOOTHING } from '../lib/smoothing.js';
import { throttle } from '../lib/throttle.js';
import { useResource } from '../hooks.js';
import { useLiveEvents, type LiveFeed } from '../live.js';
import { useLocation } from '../navigation.js';
import type { Theme } from '../theme.js';
import { SMOOTHING_PARAM } from './chart-controls.js';
import { KeyValueTable } from './kv-table.js';
import { Notice } from './layout.js';
import { ChartsArea } from './panel-sections.js';
import { RunAlerts, useRunAlerts } from './run-alerts.js';
import { RunConsole } from './run-console.js';
import { RunNotes, RunTags } from './run-edits.js';
import { RunEnvironment } from './run-environment.js';
import { RunFiles } from './run-files.js';
import { runLabel } from './runs-table.js';
import { StateBadge } from './state-badge.js';
import './run-page.css';

const LIVE_REFRESH_MS = 1000;

export function RunPage(props: { entity: string; project: string; runId: string; feed: LiveFeed; theme: Theme }) {
  const { entity, project, runId, feed, theme } = props;
  const { search } = useLocation();
  const smoothing = readNumber(search, SMOOTHING_PARAM, 0, 0, MAX_SMOOTHING);
  const panelSearch = new URLSearchParams(search).get('panels') ?? '';
  const run = useResource((signal) => api.run(entity, project, runId, signal), [entity, project, runId]);
  const keys = useResource((signal) => api.keys(entity, project, [runId], signal), [entity, project, runId]);
  const alerts = useRunAlerts(entity, project, runId, feed);
  const hasAlerts = (alerts.data?.alerts.length ?? 0) > 0;

  // Live: refresh the overview and the keys (throttled); the panels refetch themselves.
  const latest = useRef({ entity, project, runId, updateRun: run.update, updateKeys: keys.update });
  useEffect(() => {
    latest.current = { entity, project, runId, updateRun: run.update, updateKeys: keys.update };
  });
  const refresh = useMemo(
    () =>
      throttle(() => {
        const { entity, project, runId, updateRun, updateKeys } = latest.current;
        api.run(entity, project, runId).then((fresh) => updateRun(() => fresh), () => {});
        api.keys(entity, project, [runId]).then((fresh) => updateKeys((current) => (JSON.stringify(current) === JSON.stringify(fresh) ? current : fresh)), () => {});
      }, LIVE_REFRESH_MS),
    [],
  );
  useEffect(() => () => refresh.cancel(), [refresh]);
  useLiveEvents(feed, (event) => {
    if (event.run.id === runId) refresh();
  });

  const sections = useMemo(() => planPanels(keys.data?.keys ?? [], keys.data?.metrics ?? []), [keys.data]);
  const axes = useMemo(() => axisChoices(keys.data?.keys ?? [], keys.data?.metrics ?? []), [keys.data]);
  const info = run.data;
  // The colour the workspace gave the run (it may have been displaced from its own).
  const color = useMemo(() => rememberedColor(projectColorMemory(entity, project), runId), [entity, project, runId]);
  const chartRuns = useMemo(() => (info ? [{ id: info.id, name: runLabel(info), color }] : []), [info, color]);

  if (run.error && !info) return <Notice kind="error">{run.error.startsWith('no run') ? `There is no run ${runId} in ${entity}/${project}.` : `Could not load the run: ${run.error}`}</Notice>;
  if (!info) return <Notice>Loading run…</Notice>;

  return (
    <div className="run-page">
      <section className="card" aria-labelledby="run-heading">
        <div className="run-head">
          <span className="swatch big" data-testid="run-swatch" style={{ background: color }} aria-hidden="true" />
          <h1 id="run-heading" className="page-title">
            {runLabel(info)}
          </h1>
          <StateBadge state={info.state} />
          <span className="muted mono">{info.id}</span>
          <span className="spacer" />
          {info.state === 'running' && <StopButton run={info} onStopped={(stopped) => run.update(() => stopped)} />}
        </div>
        <Overview run={info} onSaved={(saved) => run.update(() => saved)} />
      </section>
      {hasAlerts && <RunAlerts alerts={alerts} />}
      <div className="kv-pair">
        <KeyValueTable title="Config" value={info.config} testId="config" />
        <KeyValueTable title="Summary" value={info.summary} testId="summary" sorted />
      </div>
      <div className="kv-pair">
        <RunEnvironment run={info} />
        <RunFiles run={info} feed={feed} />
      </div>
      <RunConsole run={info} feed={feed} />
      {!hasAlerts && <RunAlerts alerts={alerts} />}
      <ChartsArea title="Charts" keys={keys} entity={entity} project={project} sections={sections} runs={chartRuns} axes={axes} smoothing={smoothing} feed={feed} theme={theme} search={panelSearch} />
    </div>
  );
}

function StopButton(props: { run: RunInfo; onStopped: (run: RunInfo) => void }) {
  const { run, onStopped } = props;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const stop = async () => {
    if (!window.confirm(`Stop run ${runLabel(run)}? Its script is interrupted and the run ends as killed.`)) return;
    setBusy(true);
    try {
      onStopped(await api.stop(run.entity, run.project, run.id));
      setError(undefined);
    } catch (reason) {
      setError(errorMessage(reason));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      {error && <span className="error-text" role="alert">{error}</span>}
      <button type="button" className="button danger" onClick={() => void stop()} disabled={busy}>
        {busy ? 'Stopping…' : 'Stop run'}
      </button>
    </>
  );
}

/** A path-like text that may wrap after its slashes rather than inside a name. */
function breakAfterSlashes(text: string): ReactNode[] {
  return text.split(/(?<=\/)/).flatMap((part, i) => (i === 0 ? [part] : [<wbr key={i} />, part]));
}

function Overview({ run, onSaved }: { run: RunInfo; onSaved: (run: RunInfo) => void }) {
  const env = readEnvironment(run.metadata);
  const commit = env.gitCommit;
  const rows: Array<[string, ReactNode]> = [
    ['State', <StateBadge key="s" state={run.state} />],
    ['Start time', formatDateTime(run.startTime)],
    ['Duration', formatDuration(run.runtime)],
    ['Steps', run.lastStep < 0 ? 'none logged' : run.historyRows === run.lastStep + 1 ? String(run.historyRows) : `${run.lastStep + 1} steps, ${run.historyRows} rows`],
    ['Host', env.host],
    ['Command', env.command && <code>{breakAfterSlashes(env.command)}</code>],
    ['Git commit', commit && <code title={[commit, env.gitBranch, env.gitRemote].filter(Boolean).join(' · ')}>{commit.slice(0, 12)}{env.gitBranch ? ` (${env.gitBranch})` : ''}</code>],
    ['Exit code', run.exitCode === null ? undefined : String(run.exitCode)],
    ['Group', run.group ?? undefined],
    ['Job type', run.jobType ?? undefined],
  ];
  return (
    <dl className="overview" data-testid="overview">
      {rows.map(([label, value]) => (
        <div key={label} className="overview-item">
          <dt>{label}</dt>
          <dd>{value === undefined || value === false || value === '' ? <span className="muted">—</span> : value}</dd>
        </div>
      ))}
      <div className="overview-item wide">
        <dt>Tags</dt>
        <dd>
          <RunTags run={run} onSaved={onSaved} />
        </dd>
      </div>
      <div className="overview-item wide">
        <dt>Notes</dt>
        <dd>
          <RunNotes run={run} onSaved={onSaved} />
        </dd>
      </div>
    </dl>
  );
}
