/**
 * A run's alerts as the run page lists them: newest first, each suppressed repeat folded
 * under the alert it repeats (the one people were notified of), so a script that raises the
 * same title in a loop shows as one alert with "+N repeats suppressed".
 */
import type { AlertInfo } from '@cairn/protocol';

export interface AlertThread {
  /**
   * The alert people were notified of; a suppressed one only when the alert it repeats is not
   * in the list (then it stands alone, marked as suppressed).
   */
  alert: AlertInfo;
  /** Its suppressed repeats, newest first. */
  repeats: AlertInfo[];
  /** The position of `alert` in the server's list. */
  index: number;
  /**
   * A key that stays as alerts arrive, even one synced late into the middle of the list: the
   * server notifies a title at most once per time, so time and title name a notified alert.
   */
  key: string;
}

/**
 * Threads of the server's list (oldest first, as `GET …/alerts` answers), newest first. A
 * suppressed alert belongs to the last unsuppressed alert of its title before it, which is
 * what the server measured its wait from; a suppressed alert listed before any alert of its
 * title (its script's clock went back) joins the next one.
 *
 * @example
 * alertThreads([warn('loss', 0), warn('loss', 5, { suppressed: true }), error('oom', 9)]);
 * // → [{ alert: oom, repeats: [] }, { alert: loss@0, repeats: [loss@5] }]
 */
export function alertThreads(alerts: readonly AlertInfo[]): AlertThread[] {
  const threads: AlertThread[] = [];
  const latest = new Map<string, AlertThread>();
  const waiting = new Map<string, Array<{ alert: AlertInfo; index: number }>>();
  alerts.forEach((alert, index) => {
    if (!alert.suppressed) {
      const thread: AlertThread = { alert, repeats: (waiting.get(alert.title) ?? []).map((early) => early.alert), index, key: `${alert.time} ${alert.title}` };
      waiting.delete(alert.title);
      latest.set(alert.title, thread);
      threads.push(thread);
      return;
    }
    const head = latest.get(alert.title);
    const early = waiting.get(alert.title);
    if (head) head.repeats.push(alert);
    else if (early) early.push({ alert, index });
    else waiting.set(alert.title, [{ alert, index }]);
  });
  for (const early of waiting.values()) for (const { alert, index } of early) threads.push({ alert, repeats: [], index, key: `${alert.time} ${alert.title} #${index}` });
  for (const thread of threads) thread.repeats = newestFirst(thread.repeats.map((alert, index) => ({ alert, index }))).map((entry) => entry.alert);
  return newestFirst(threads);
}

/** By time, newest first; equal times in reverse list order (the later one was raised last). */
function newestFirst<T extends { alert: AlertInfo; index: number }>(items: T[]): T[] {
  return items.sort((a, b) => b.alert.time - a.alert.time || b.index - a.index);
}

/** How many alerts of the list were suppressed repeats. */
export function suppressedCount(alerts: readonly AlertInfo[]): number {
  return alerts.reduce((count, alert) => count + (alert.suppressed ? 1 : 0), 0);
}

/** Whether two answers list the same alerts (a live refresh that changed nothing keeps the old one). */
export function sameAlerts(a: readonly AlertInfo[], b: readonly AlertInfo[]): boolean {
  return a.length === b.length && a.every((alert, i) => sameAlert(alert, b[i]!));
}

function sameAlert(a: AlertInfo, b: AlertInfo): boolean {
  return a.title === b.title && a.text === b.text && a.level === b.level && a.time === b.time && a.waitMs === b.waitMs && a.suppressed === b.suppressed;
}
