/**
 * Alerts raised by run.alert(): every one is kept; a repeat of a title within the wait of
 * the last unsuppressed alert of that title (same run) is marked suppressed, so that
 * whoever is notified hears it once (behaviour.md §7). The decision uses the records' own
 * times, not the time of arrival: an offline run synced a day later suppresses exactly
 * what it would have suppressed live. Rows go with their run (the foreign key cascades).
 */
import { ALERT_LEVELS, CairnError, type AlertInfo, type AlertLevel } from '@cairn/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { RunKey, Store } from './store.js';

/** The wait when a record carries none: the reference's one minute. */
export const DEFAULT_ALERT_WAIT_MS = 60_000;

/**
 * Inserts the alert records of one batch (in record order) inside the ingest transaction
 * `tx`. Returns them as stored, suppressed ones included.
 */
export async function appendAlerts(tx: Kysely<Database>, runPk: number, records: ReadonlyArray<Record<string, unknown>>, time: number): Promise<AlertInfo[]> {
  const alerts = records.map((record) => toAlert(record, time));
  const titles = [...new Set(alerts.map((alert) => alert.title))];
  // The last unsuppressed alert of each title before this batch.
  const lastSent = new Map<string, number>();
  for (let start = 0; start < titles.length; start += 200) {
    const rows = await tx
      .selectFrom('alerts')
      .select(['title', (eb) => eb.fn.max('time').as('time')])
      .where('run_pk', '=', runPk)
      .where('suppressed', '=', 0)
      .where('title', 'in', titles.slice(start, start + 200))
      .groupBy('title')
      .execute();
    for (const row of rows) lastSent.set(row.title, Number(row.time));
  }
  for (const alert of alerts) {
    const last = lastSent.get(alert.title);
    alert.suppressed = last !== undefined && (alert.time - last) * 1000 < alert.waitMs;
    if (!alert.suppressed) lastSent.set(alert.title, alert.time);
  }
  for (let start = 0; start < alerts.length; start += 200) {
    await tx
      .insertInto('alerts')
      .values(
        alerts.slice(start, start + 200).map((alert) => ({
          run_pk: runPk,
          title: alert.title,
          text: alert.text,
          level: alert.level,
          wait_ms: alert.waitMs,
          time: alert.time,
          suppressed: alert.suppressed ? 1 : 0,
        })),
      )
      .execute();
  }
  return alerts;
}

/** The run's alerts, oldest first. Throws run_not_found for an unknown run. */
export async function listAlerts(store: Store, key: RunKey): Promise<AlertInfo[]> {
  const runPk = await store.runPk(key);
  if (runPk === undefined) throw new CairnError('run_not_found', `no run ${key.entity}/${key.project}/${key.id}`);
  const rows = await store.db
    .selectFrom('alerts')
    .select(['title', 'text', 'level', 'wait_ms', 'time', 'suppressed'])
    .where('run_pk', '=', runPk)
    .orderBy('time')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    title: row.title,
    text: row.text,
    level: row.level as AlertLevel,
    waitMs: Number(row.wait_ms),
    time: row.time,
    suppressed: row.suppressed === 1,
  }));
}

/**
 * An alert record as stored. The SDK validates what it writes; a record from another writer
 * with odd fields is kept rather than refused, with each odd field made sensible.
 */
function toAlert(record: Record<string, unknown>, arrival: number): AlertInfo {
  const level = ALERT_LEVELS.includes(record.level as AlertLevel) ? (record.level as AlertLevel) : 'INFO';
  const waitMs = typeof record.waitMs === 'number' && Number.isFinite(record.waitMs) && record.waitMs > 0 ? Math.round(record.waitMs) : DEFAULT_ALERT_WAIT_MS;
  const time = typeof record.time === 'number' && Number.isFinite(record.time) ? record.time : arrival;
  return { title: String(record.title ?? ''), text: String(record.text ?? ''), level, waitMs, time, suppressed: false };
}
