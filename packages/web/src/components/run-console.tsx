/**
 * A run's console: the `output.log` the SDK records (what the program printed to stdout and
 * stderr), from the run's files. The tail is shown (the last 1,000 lines; all up to 50,000 on
 * request), stderr lines marked, ANSI codes stripped, with a filter box and the file to
 * download. While the run lives the SDK re-uploads the file every few seconds, and the page
 * fetches it again on the run's live events (throttled; only when its hash changed). Files
 * over 8 MiB load on request, since the whole file comes each time.
 */
import { useDeferredValue, useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { RunInfo } from '@cairn/protocol';
import { ApiError } from '../lib/api.js';
import { CONSOLE_FILE, consoleView } from '../lib/console-log.js';
import { formatAgo, formatCount, formatDateTime } from '../lib/format.js';
import { formatBytes } from '../lib/run-details.js';
import { fileUrl, runRequests } from '../lib/run-requests.js';
import { throttle } from '../lib/throttle.js';
import { useNow, useResource } from '../hooks.js';
import { useLiveEvents, type LiveFeed } from '../live.js';

const LIVE_REFRESH_MS = 3000;
const TAIL_LINES = 1000;
const MOST_LINES = 50_000;
const AUTO_LOAD_BYTES = 8 * 1024 * 1024;
/** How close to the bottom (px) counts as following the output. */
const FOLLOW_SLACK_PX = 24;

async function fetchText(url: string, signal: AbortSignal): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { signal, cache: 'no-cache' });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'unreachable', 'cannot reach the Cairn server; is it running?');
  }
  if (!response.ok) throw new ApiError(response.status, 'http', `${response.status} ${response.statusText}`);
  return response.text();
}

export function RunConsole({ run, feed }: { run: RunInfo; feed: LiveFeed }) {
  const { entity, project, id, state } = run;
  const headingId = useId();
  const now = useNow();
  const files = useResource((signal) => runRequests.files(entity, project, id, signal), [entity, project, id, state]);
  const reload = useRef(files.reload);
  useEffect(() => {
    reload.current = files.reload;
  });
  const refresh = useMemo(() => throttle(() => reload.current(), LIVE_REFRESH_MS), []);
  useEffect(() => () => refresh.cancel(), [refresh]);
  useLiveEvents(feed, (event) => {
    if (event.run.id === id) refresh();
  });

  const info = files.data?.files.find((file) => file.path === CONSOLE_FILE);
  const url = fileUrl(entity, project, id, CONSOLE_FILE);
  const [loadLarge, setLoadLarge] = useState(false);
  // Keyed by the content's hash: an unchanged file is not fetched again.
  const wanted = info && (info.size <= AUTO_LOAD_BYTES || loadLarge) ? info.sha256 : undefined;
  const text = useResource((signal) => (wanted === undefined ? Promise.resolve(undefined) : fetchText(url, signal)), [url, wanted]);

  const [filter, setFilter] = useState('');
  const [showAll, setShowAll] = useState(false);
  const deferredFilter = useDeferredValue(filter);
  const view = useMemo(
    () => (text.data === undefined ? undefined : consoleView(text.data, { limit: showAll ? MOST_LINES : TAIL_LINES, filter: deferredFilter })),
    [text.data, showAll, deferredFilter],
  );

  // Follow the output like a terminal: stay at the bottom unless the reader scrolled up.
  const scroller = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  useLayoutEffect(() => {
    const element = scroller.current;
    if (element && following.current) element.scrollTop = element.scrollHeight;
  }, [view]);

  let body: ReactNode;
  if (files.error && !files.data) {
    body = (
      <p className="error-text" role="alert">
        Could not list the run’s files: {files.error}
      </p>
    );
  } else if (!files.data) {
    body = <p className="muted">Loading console output…</p>;
  } else if (!info) {
    body = <EmptyConsole running={state === 'running'} />;
  } else if (wanted === undefined) {
    body = (
      <p className="muted" data-testid="console-large">
        {CONSOLE_FILE} is {formatBytes(info.size)}: showing it here downloads the whole file (again each time it changes).{' '}
        <button type="button" className="button compact" onClick={() => setLoadLarge(true)}>
          Show it
        </button>
      </p>
    );
  } else if (text.error && text.data === undefined) {
    body = (
      <p className="error-text" role="alert">
        Could not load {CONSOLE_FILE}: {text.error}
      </p>
    );
  } else if (!view) {
    body = <p className="muted">Loading console output…</p>;
  } else {
    const filtered = deferredFilter.trim() !== '';
    const hidden = view.matched - view.lines.length;
    body = (
      <>
        <p className="muted console-status" data-testid="console-status">
          {filtered
            ? `${formatCount(view.matched)} of ${formatCount(view.total)} ${view.total === 1 ? 'line matches' : 'lines match'}`
            : `${formatCount(view.total)} ${view.total === 1 ? 'line' : 'lines'}`}
          {hidden > 0 && (
            <>
              {'; showing the last '}
              {formatCount(view.lines.length)}.{' '}
              {showAll ? (
                <a href={url} download={CONSOLE_FILE}>
                  Download the file for every line
                </a>
              ) : (
                <button type="button" className="link-button" onClick={() => setShowAll(true)}>
                  Show {view.matched > MOST_LINES ? `the last ${formatCount(MOST_LINES)}` : 'all'}
                </button>
              )}
            </>
          )}
          {showAll && view.total > TAIL_LINES && (
            <>
              {' '}
              <button type="button" className="link-button" onClick={() => setShowAll(false)}>
                Show the tail only
              </button>
            </>
          )}
        </p>
        {view.lines.length === 0 ? (
          <p className="muted">{filtered ? `No line matches “${deferredFilter.trim()}”.` : `${CONSOLE_FILE} is empty.`}</p>
        ) : (
          <div
            className="console-lines"
            ref={scroller}
            role="log"
            aria-label="Console output"
            tabIndex={0}
            onScroll={(event) => {
              const element = event.currentTarget;
              following.current = element.scrollTop + element.clientHeight >= element.scrollHeight - FOLLOW_SLACK_PX;
            }}
          >
            {view.lines.map((line) => (
              <div key={line.number} className={line.stderr ? 'console-line stderr' : 'console-line'} data-stderr={line.stderr || undefined}>
                <span className="console-number" aria-hidden="true">
                  {line.number}
                </span>
                <span className="console-text">
                  {line.stderr && <span className="visually-hidden">stderr: </span>}
                  {line.text}
                </span>
              </div>
            ))}
          </div>
        )}
      </>
    );
  }

  return (
    <section className="card run-console" aria-labelledby={headingId} data-testid="console">
      <div className="toolbar">
        <h2 id={headingId} className="section-title">
          Console
        </h2>
        {info && (
          <span className="muted console-meta" title={`${info.size} bytes, updated ${formatDateTime(info.updatedAt)}`}>
            {formatBytes(info.size)} · updated {formatAgo(info.updatedAt, now)}
          </span>
        )}
        {info && (
          <label className="control grow">
            <span className="visually-hidden">Filter console lines</span>
            <input type="search" placeholder="Filter lines" value={filter} onChange={(event) => setFilter(event.target.value)} />
          </label>
        )}
        <span className="spacer" />
        {info && (
          <>
            <a className="button compact" href={url} target="_blank" rel="noopener noreferrer">
              Raw
            </a>
            <a className="button compact" href={url} download={CONSOLE_FILE}>
              Download
            </a>
          </>
        )}
      </div>
      {body}
    </section>
  );
}

function EmptyConsole({ running }: { running: boolean }) {
  return (
    <p className="muted" data-testid="console-empty">
      {running ? 'Nothing printed yet. ' : 'This run recorded no console output. '}
      The SDK records what a run prints to stdout and stderr in <code>{CONSOLE_FILE}</code> (unless it is started with{' '}
      <code>init(&#123; console: 'off' &#125;)</code> or <code>CAIRN_CONSOLE=off</code>) and uploads it every few seconds while the run is live.
    </p>
  );
}
