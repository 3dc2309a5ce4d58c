/**
 * Sending alerts to people: each alert a run raises (and the server did not suppress) is
 * POSTed as JSON to a webhook URL (`cairn server --alert-webhook URL`). The body's `text` is
 * a one-line message, which is what a Slack or Mattermost incoming webhook shows; the
 * structured fields beside it are for any other receiver:
 *
 *     { "text": "[WARN] loss diverged: loss is NaN at step 1200 (local/mnist/abc123) http://…",
 *       "level": "WARN", "title": "loss diverged", "body": "loss is NaN at step 1200",
 *       "time": 1764201600.5, "run": { "entity": "local", "project": "mnist", "id": "abc123" },
 *       "url": "http://127.0.0.1:8080/local/mnist/runs/abc123" }
 *
 * Delivery is fire-and-forget with a timeout: ingest never waits on it, and a receiver that
 * is down loses those notifications (the alerts stay in the store and on the run page). A
 * failure is reported once, then again only after a delivery has succeeded.
 */
import type { AlertInfo } from '@cairn/protocol';
import type { RunKey } from './store/store.js';

const TIMEOUT_MS = 10_000;

export interface AlertWebhookOptions {
  /** The dashboard's base URL, for the run link in each message. */
  dashboardUrl: string;
  warn?(message: string): void;
}

/** Returns the function that delivers one alert; it never throws and never blocks. */
export function alertWebhook(url: string, options: AlertWebhookOptions): (run: RunKey, alert: AlertInfo) => void {
  const warn = options.warn ?? ((message: string) => console.warn(message));
  let failing = false;
  return (run, alert) => {
    const runUrl = `${options.dashboardUrl}/${encodeURIComponent(run.entity)}/${encodeURIComponent(run.project)}/runs/${encodeURIComponent(run.id)}`;
    const text = `[${alert.level}] ${alert.title}${alert.text ? `: ${alert.text}` : ''} (${run.entity}/${run.project}/${run.id}) ${runUrl}`;
    const body = { text, level: alert.level, title: alert.title, body: alert.text, time: alert.time, run, url: runUrl };
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(TIMEOUT_MS) })
      .then(async (response) => {
        await response.arrayBuffer().catch(() => undefined);
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        failing = false;
      })
      .catch((error: unknown) => {
        if (!failing) warn(`cairn server: could not send an alert to the webhook (${error instanceof Error ? error.message : String(error)}); alerts stay on the run page`);
        failing = true;
      });
  };
}
