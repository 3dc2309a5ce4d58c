/**
 * A run's files (everything under its run directory's `files/`, as uploaded): path, size and
 * last change, each to open or download. While an online run lives, the SDK re-uploads its
 * console log (output.log) every few seconds; its other files (config.yaml, the summary,
 * saved files) go up right after its last records. So the list is fetched again when the
 * run's state changes and on the run's live events (at most every 3 s, quietly: an unchanged
 * list is kept); Refresh fetches it on demand.
 */
import { useEffect, useId, useMemo, useRef } from 'react';
import type { FileInfo, RunInfo } from '@cairn/protocol';
import { formatAgo, formatDateTime } from '../lib/format.js';
import { formatBytes } from '../lib/run-details.js';
import { fileUrl, runRequests } from '../lib/run-requests.js';
import { throttle } from '../lib/throttle.js';
import { useNow, useResource } from '../hooks.js';
import { useLiveEvents, type LiveFeed } from '../live.js';

const LIVE_REFRESH_MS = 3000;

function sameFiles(a: readonly FileInfo[], b: readonly FileInfo[]): boolean {
  return a.length === b.length && a.every((file, i) => file.path === b[i]!.path && file.sha256 === b[i]!.sha256 && file.size === b[i]!.size && file.updatedAt === b[i]!.updatedAt);
}

export function RunFiles({ run, feed }: { run: RunInfo; feed: LiveFeed }) {
  const { entity, project, id, state } = run;
  const headingId = useId();
  const now = useNow();
  const files = useResource((signal) => runRequests.files(entity, project, id, signal), [entity, project, id, state]);
  // A live refresh replaces the list without the Refresh button's "Refreshing…" every 3 s.
  const latest = useRef({ entity, project, id, update: files.update });
  useEffect(() => {
    latest.current = { entity, project, id, update: files.update };
  });
  const refresh = useMemo(
    () =>
      throttle(() => {
        const { entity, project, id, update } = latest.current;
        runRequests.files(entity, project, id).then((fresh) => update((known) => (known && sameFiles(known.files, fresh.files) ? known : fresh)), () => {});
      }, LIVE_REFRESH_MS),
    [],
  );
  useEffect(() => () => refresh.cancel(), [refresh]);
  useLiveEvents(feed, (event) => {
    if (event.run.id === id) refresh();
  });
  const list = files.data?.files;
  const total = list?.reduce((sum, file) => sum + file.size, 0) ?? 0;

  return (
    <section className="card run-files" aria-labelledby={headingId} data-testid="files">
      <div className="toolbar">
        <h2 id={headingId} className="section-title">
          Files {list && <span className="count">{list.length}</span>}
        </h2>
        {list && list.length > 0 && <span className="muted files-total">{formatBytes(total)} in all</span>}
        <span className="spacer" />
        <button type="button" className="button compact" onClick={files.reload} disabled={files.loading}>
          {files.loading && files.data ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      {files.error && !files.data ? (
        <p className="error-text" role="alert">
          Could not list the files: {files.error}
        </p>
      ) : !list ? (
        <p className="muted">Loading files…</p>
      ) : list.length === 0 ? (
        <p className="muted">
          {state === 'running'
            ? 'No files yet. While the run lives, the SDK uploads its console output (output.log) every few seconds; config.yaml, the summary and saved files follow when it finishes.'
            : 'This run has no files.'}
        </p>
      ) : (
        <div className="table-scroll files-scroll">
          <table className="table files-table">
            <thead>
              <tr>
                <th scope="col">Path</th>
                <th scope="col" className="num">
                  Size
                </th>
                <th scope="col">Updated</th>
                <th scope="col">
                  <span className="visually-hidden">Download</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((file) => {
                const url = fileUrl(entity, project, id, file.path);
                return (
                  <tr key={file.path} data-path={file.path}>
                    <td className="file-path">
                      <a href={url} target="_blank" rel="noopener noreferrer" title={`Open ${file.path} in a new tab (sha256 ${file.sha256})`}>
                        {file.path}
                      </a>
                    </td>
                    <td className="num" title={`${file.size} bytes`}>
                      {formatBytes(file.size)}
                    </td>
                    <td title={formatDateTime(file.updatedAt)}>{formatAgo(file.updatedAt, now)}</td>
                    <td className="file-download">
                      <a href={url} download={file.path.slice(file.path.lastIndexOf('/') + 1)} aria-label={`Download ${file.path}`}>
                        Download
                      </a>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
