/**
 * run.alert(): the arguments, as the reference takes them (behaviour.md §7). A port of
 * `run.alert(title="x", text="y", level=AlertLevel.WARN, wait_duration=300)` works as
 *
 *     run.alert('x', 'y', AlertLevel.WARN, 300)                   // positional
 *     run.alert('x', 'y', { level: 'WARN', waitDuration: 300 })   // options, like log()
 *     run.alert({ title: 'x', text: 'y', level: 'WARN', wait_duration: 300 })  // keywords
 *
 * The record goes into the run's log like every other; the server keeps it, suppresses a
 * repeat of the title inside the wait, and notifies people (`cairn server --alert-webhook`).
 */
import { ALERT_LEVELS, CairnError, type AlertLevel as Level, type AlertRecord } from '@cairn/protocol';
import { camelCaseOptions } from './aliases.js';

/** The levels, as the reference's `AlertLevel.INFO | WARN | ERROR`. */
export const AlertLevel = { INFO: 'INFO', WARN: 'WARN', ERROR: 'ERROR' } as const satisfies Record<Level, Level>;
export type AlertLevel = Level;

export interface AlertOptions {
  /** Default INFO. */
  level?: AlertLevel;
  /**
   * Seconds during which another alert with this title is suppressed (the reference's
   * `wait_duration`; its timedelta is a number of seconds here); 0 or absent mean 60.
   */
  waitDuration?: number;
}

export interface AlertArguments extends AlertOptions {
  title: string;
  text: string;
}

/** The reference's default wait: one minute (also what 0 means). */
const DEFAULT_WAIT_SECONDS = 60;

/** Reads the three call forms into a record (without its time). Throws on bad arguments. */
export function alertRecord(args: readonly unknown[]): Omit<AlertRecord, 'time'> {
  let given: Record<string, unknown>;
  const [first, second, third, fourth] = args;
  if (typeof first === 'object' && first !== null && args.length === 1) {
    given = camelCaseOptions(first as Record<string, unknown>, 'alert');
  } else if (typeof third === 'object' && third !== null) {
    given = { ...camelCaseOptions(third as Record<string, unknown>, 'alert'), title: first, text: second };
  } else {
    given = { title: first, text: second, level: third, waitDuration: fourth };
  }
  const { title, text, level, waitDuration } = given;
  if (typeof title !== 'string') throw new TypeError(`alert(): title must be a string, got ${describe(title)}`);
  if (typeof text !== 'string') throw new TypeError(`alert(): text must be a string, got ${describe(text)}`);
  return { t: 'alert', title, text, level: alertLevel(level), waitMs: Math.round(waitSeconds(waitDuration) * 1000) };
}

function alertLevel(level: unknown): AlertLevel {
  if (level === undefined || level === null) return 'INFO';
  if (ALERT_LEVELS.includes(level as AlertLevel)) return level as AlertLevel;
  throw new CairnError('invalid_argument', `alert(): level must be one of ${ALERT_LEVELS.join(', ')}, got ${describe(level)}`);
}

function waitSeconds(wait: unknown): number {
  // Falsy waits (absent, null, 0) mean one minute, as in the reference.
  if (wait === undefined || wait === null || wait === 0) return DEFAULT_WAIT_SECONDS;
  if (typeof wait === 'number' && Number.isFinite(wait) && wait > 0) return wait;
  throw new TypeError(`alert(): waitDuration must be a positive number of seconds, got ${describe(wait)}`);
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : value === null ? 'null' : typeof value === 'object' ? 'an object' : String(value);
}
