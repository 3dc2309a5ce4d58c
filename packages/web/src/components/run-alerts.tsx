/**
 * A run's alerts (`run.alert(title, text, level)` in the script): newest first, the level as a
 * coloured badge, each suppressed repeat of a title folded under the alert people were
 * notified of ("+3 repeats suppressed", expandable). The page fetches them once and again on
 * the run's live events (throttled); {@link useRunAlerts} holds them, so the page can place
 * the section at the top when there are some and keep the empty one out of the way.
 */
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { AlertInfo, AlertLevel, AlertList } from '@cairn/protocol';
import { alertThreads, sameAlerts, suppressedCount, type AlertThread } from '../lib/alerts.js';
import { formatAgo, formatCount, formatDateTime, formatDuration } from '../lib/format.js';
import { runRequests } from '../lib/run-requests.js';
import { throttle } from '../lib/throttle.js';
import { useNow, useResource, type Resource } from '../hooks.js';
import { useLiveEvents, type LiveFeed } from '../live.js';

const LIVE_REFRESH_MS = 2000;
/** Alerts listed before "Show all": the section stays compact at the top of the page. */
const NEWEST_SHOWN = 5;
/** Repeats listed under an alert when expanded; a script alerting in a loop can raise thousands. */
const REPEATS_SHOWN = 50;

/** The run's alerts, fetched again on its live events (at most every 2 s; unchanged answers keep the old list). */
export function useRunAlerts(entity: string, project: string, id: string, feed: LiveFeed): Resource<AlertList> {
  const alerts = useResource((signal) => runRequests.alerts(entity, project, id, signal), [entity, project, id]);
  const latest = useRef({ entity, project, id, update: alerts.update });
  useEffect(() => {
    latest.current = { entity, project, id, update: alerts.update };
  });
  const refresh = useMemo(
    () =>
      throttle(() => {
        const asked = latest.current;
        runRequests.alerts(asked.entity, asked.project, asked.id).then(
          (fresh) => {
            const current = latest.current;
            // The page may have moved to another run meanwhile.
            if (current.entity !== asked.entity || current.project !== asked.project || current.id !== asked.id) return;
            current.update((known) => (known && sameAlerts(known.alerts, fresh.alerts) ? known : fresh));
          },
          () => {},
        );
      }, LIVE_REFRESH_MS),
    [],
  );
  useEffect(() => () => refresh.cancel(), [refresh]);
  useLiveEvents(feed, (event) => {
    if (event.run.id === id) refresh();
  });
  return alerts;
}

export function RunAlerts({ alerts }: { alerts: Resource<AlertList> }) {
  const headingId = useId();
  const now = useNow();
  const list = alerts.data?.alerts;
  const threads = useMemo(() => alertThreads(list ?? []), [list]);
  const [showAll, setShowAll] = useState(false);

  if (alerts.error && !list) {
    return (
      <section className="card run-alerts" aria-labelledby={headingId} data-testid="alerts">
        <h2 id={headingId} className="section-title">
          Alerts
        </h2>
        <p className="error-text" role="alert">
          Could not load the alerts: {alerts.error}
        </p>
      </section>
    );
  }
  if (!list) return null;
  if (list.length === 0) {
    return (
      <section className="card run-alerts alerts-none" aria-labelledby={headingId} data-testid="alerts">
        <h2 id={headingId} className="section-title">
          Alerts
        </h2>
        <p className="muted alerts-empty" data-testid="alerts-empty">
          None. Raise one with <code>run.alert('loss diverged', 'loss is NaN at step 1200', 'WARN')</code>;{' '}
          <code>cairn server --alert-webhook URL</code> sends them to Slack or any webhook.
        </p>
      </section>
    );
  }

  const suppressed = suppressedCount(list);
  const shown = showAll ? threads : threads.slice(0, NEWEST_SHOWN);
  return (
    <section className="card run-alerts" aria-labelledby={headingId} data-testid="alerts">
      <div className="toolbar">
        <h2 id={headingId} className="section-title">
          Alerts <span className="count">{threads.length}</span>
        </h2>
        {suppressed > 0 && (
          <span className="muted alerts-meta" title="A repeat of a title within its wait is kept here but not sent to the webhook.">
            {formatCount(suppressed)} {suppressed === 1 ? 'repeat' : 'repeats'} suppressed
          </span>
        )}
      </div>
      <ol className="alert-list" aria-label="Alerts, newest first">
        {shown.map((thread) => (
          <AlertItem key={thread.key} thread={thread} now={now} />
        ))}
      </ol>
      {threads.length > NEWEST_SHOWN && (
        <button type="button" className="link-button alerts-more" onClick={() => setShowAll(!showAll)}>
          {showAll ? `Show the newest ${NEWEST_SHOWN}` : `Show all ${formatCount(threads.length)} alerts`}
        </button>
      )}
    </section>
  );
}

function AlertItem({ thread, now }: { thread: AlertThread; now: number }) {
  const { alert, repeats } = thread;
  const [open, setOpen] = useState(false);
  const repeatsId = useId();
  const count = repeats.length;
  return (
    <li className="alert-item" data-level={alert.level} data-suppressed={alert.suppressed || undefined} data-testid="alert">
      <LevelBadge level={alert.level} />
      <div className="alert-body">
        <div className="alert-head">
          <span className="alert-title">{alert.title}</span>
          {alert.suppressed && (
            <span className="alert-label" title="A repeat of this title within its wait, whose first alert is not listed: kept, not notified.">
              suppressed repeat
            </span>
          )}
          <AlertTime time={alert.time} now={now} />
        </div>
        {alert.text !== '' && <p className="alert-text">{alert.text}</p>}
        {count > 0 && (
          <div className="alert-repeats-row">
            <button
              type="button"
              className="link-button alert-repeats-toggle"
              aria-expanded={open}
              aria-controls={open ? repeatsId : undefined}
              onClick={() => setOpen(!open)}
              data-testid="alert-repeats-toggle"
            >
              <span className="disclosure" aria-hidden="true">
                {open ? '▾' : '▸'}
              </span>
              +{formatCount(count)} {count === 1 ? 'repeat' : 'repeats'} suppressed
            </button>
            <span className="muted alert-wait">same title within {formatDuration(alert.waitMs / 1000)}: kept, not notified</span>
          </div>
        )}
        {open && (
          <ol id={repeatsId} className="alert-repeats" tabIndex={0} aria-label={`Suppressed repeats of ${alert.title}, newest first`}>
            {repeats.slice(0, REPEATS_SHOWN).map((repeat, i) => (
              <RepeatItem key={i} repeat={repeat} level={alert.level} now={now} />
            ))}
            {count > REPEATS_SHOWN && <li className="muted alert-repeat">…and {formatCount(count - REPEATS_SHOWN)} earlier</li>}
          </ol>
        )}
      </div>
    </li>
  );
}

function RepeatItem({ repeat, level, now }: { repeat: AlertInfo; level: AlertLevel; now: number }) {
  return (
    <li className="alert-repeat" data-testid="alert-repeat">
      <AlertTime time={repeat.time} now={now} />
      {/* A repeat shares its alert's title; its level is shown only when it differs. */}
      {repeat.level !== level && <LevelBadge level={repeat.level} />}
      <span className="alert-text">{repeat.text}</span>
    </li>
  );
}

function LevelBadge({ level }: { level: AlertLevel }) {
  return (
    <span className="badge alert-level" data-level={level}>
      {level}
    </span>
  );
}

/** Relative, with the date and time (the script's clock) on hover and for screen readers. */
function AlertTime({ time, now }: { time: number; now: number }) {
  const absolute = formatDateTime(time);
  return (
    <time className="alert-time" dateTime={new Date(time * 1000).toISOString()} title={`${absolute} (the script's clock)`}>
      {formatAgo(time, now)}
      <span className="visually-hidden"> ({absolute})</span>
    </time>
  );
}
