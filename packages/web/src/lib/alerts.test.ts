import { describe, expect, it } from 'vitest';
import type { AlertInfo, AlertLevel } from '@cairn/protocol';
import { alertThreads, sameAlerts, suppressedCount } from './alerts.js';

function alert(title: string, time: number, options: { level?: AlertLevel; suppressed?: boolean; text?: string } = {}): AlertInfo {
  return { title, text: options.text ?? `${title} at ${time}`, level: options.level ?? 'WARN', waitMs: 60_000, time, suppressed: options.suppressed ?? false };
}

/** Each thread as `title@time` with its repeats' times, for readable expectations. */
function shape(alerts: AlertInfo[]): Array<[string, number[]]> {
  return alertThreads(alerts).map((thread) => [`${thread.alert.title}@${thread.alert.time}${thread.alert.suppressed ? ' (suppressed)' : ''}`, thread.repeats.map((repeat) => repeat.time)]);
}

describe('alertThreads', () => {
  it('lists alerts newest first', () => {
    expect(shape([alert('a', 1), alert('b', 2), alert('c', 3)])).toEqual([
      ['c@3', []],
      ['b@2', []],
      ['a@1', []],
    ]);
  });

  it('folds suppressed repeats under the alert they repeat, newest repeat first', () => {
    const list = [alert('loss', 10), alert('loss', 11, { suppressed: true }), alert('oom', 12, { level: 'ERROR' }), alert('loss', 13, { suppressed: true }), alert('loss', 14, { suppressed: true })];
    expect(shape(list)).toEqual([
      ['oom@12', []],
      ['loss@10', [14, 13, 11]],
    ]);
  });

  it('starts a new thread when the title is notified again after its wait', () => {
    const list = [alert('loss', 0), alert('loss', 30, { suppressed: true }), alert('loss', 100), alert('loss', 120, { suppressed: true })];
    expect(shape(list)).toEqual([
      ['loss@100', [120]],
      ['loss@0', [30]],
    ]);
  });

  it('keeps titles apart: a repeat belongs to its own title only', () => {
    const list = [alert('a', 1), alert('b', 2), alert('a', 3, { suppressed: true })];
    expect(shape(list)).toEqual([
      ['b@2', []],
      ['a@1', [3]],
    ]);
  });

  it('orders equal times by the list: the later one was raised last', () => {
    const list = [alert('first', 5), alert('second', 5), alert('second', 5, { suppressed: true, text: 'x' }), alert('second', 5, { suppressed: true, text: 'y' })];
    const threads = alertThreads(list);
    expect(threads.map((thread) => thread.alert.title)).toEqual(['second', 'first']);
    expect(threads[0]!.repeats.map((repeat) => repeat.text)).toEqual(['y', 'x']);
    expect(threads.map((thread) => thread.index)).toEqual([1, 0]);
    expect(threads.map((thread) => thread.key)).toEqual(['5 second', '5 first']);
  });

  it('joins a repeat listed before its first alert (the script clock went back) to the next alert of its title', () => {
    const list = [alert('loss', 5, { suppressed: true }), alert('loss', 8)];
    expect(shape(list)).toEqual([['loss@8', [5]]]);
  });

  it('shows a repeat whose alert is not in the list on its own, marked suppressed', () => {
    expect(shape([alert('a', 1), alert('lost', 2, { suppressed: true })])).toEqual([
      ['lost@2 (suppressed)', []],
      ['a@1', []],
    ]);
  });

  it('keeps an alert\'s key when an earlier alert is synced into the list late', () => {
    const before = alertThreads([alert('a', 10), alert('b', 20)]);
    const after = alertThreads([alert('late', 5), alert('a', 10), alert('b', 20)]);
    expect(after.slice(0, 2).map((thread) => thread.key)).toEqual(before.map((thread) => thread.key));
    expect(new Set(after.map((thread) => thread.key)).size).toBe(3);
  });

  it('answers nothing for no alerts, and leaves its input alone', () => {
    expect(alertThreads([])).toEqual([]);
    const list = [alert('a', 1), alert('a', 2, { suppressed: true })];
    const copy = structuredClone(list);
    alertThreads(list);
    expect(list).toEqual(copy);
  });
});

describe('suppressedCount and sameAlerts', () => {
  it('counts suppressed repeats', () => {
    expect(suppressedCount([alert('a', 1), alert('a', 2, { suppressed: true }), alert('a', 3, { suppressed: true })])).toBe(2);
  });

  it('tells a changed list from an unchanged one', () => {
    const list = [alert('a', 1), alert('b', 2)];
    expect(sameAlerts(list, structuredClone(list))).toBe(true);
    expect(sameAlerts(list, [...list, alert('c', 3)])).toBe(false);
    expect(sameAlerts(list, [list[0]!, { ...list[1]!, suppressed: true }])).toBe(false);
  });
});
