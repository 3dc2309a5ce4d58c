/**
 * `init()` and the module-level API. At most one run is active per process: `run` is it
 * (null when none), and `log`, `config`, `summary`, `defineMetric`, `finish`… act on it.
 */
import { CairnError, type DefineMetricOptions } from '@cairn/protocol';
import type { AlertArguments, AlertLevel, AlertOptions } from './alert.js';
import { camelCaseOptions } from './aliases.js';
import type { Config } from './config.js';
import { Console } from './console.js';
import { attachExitHooks, detachExitHooks, hookExitCode } from './exit-hooks.js';
import type { FinishOptions, LogOptions, Metric, Run } from './run.js';
import { DEFAULT_BASE_URL, probeServer, type Connection } from './connect.js';
import { resolveInit, type InitOptions, type ResolvedInit } from './settings.js';
import { startRun } from './start-run.js';
import type { Summary } from './summary-view.js';

function noRun(what: string): CairnError {
  return new CairnError('no_active_run', `${what} needs an active run: call init() first`);
}

/** Stands in for `config` / `summary` while no run is active: any use says to call init(). */
function inactive<T extends object>(what: string): T {
  const fail = (): never => {
    throw noRun(what);
  };
  return new Proxy({} as T, {
    get: (_t, prop) => (prop === Symbol.toStringTag ? `inactive ${what}` : typeof prop === 'symbol' ? undefined : fail()),
    set: fail,
    has: fail,
    deleteProperty: fail,
    ownKeys: fail,
  });
}

const INACTIVE_CONFIG = inactive<Config>('config');
const INACTIVE_SUMMARY = inactive<Summary>('summary');

/** The active run, or null. */
export let run: Run | null = null;
/** The active run's config (using it before init() is an error). */
export let config: Config = INACTIVE_CONFIG;
/** The active run's summary (using it before init() is an error). */
export let summary: Summary = INACTIVE_SUMMARY;

function setActive(active: Run | null): void {
  run = active;
  config = active ? active.config : INACTIVE_CONFIG;
  summary = active ? active.summary : INACTIVE_SUMMARY;
}

function onRunFinished(finished: Run): void {
  detachExitHooks(finished);
  if (run === finished) setActive(null);
}

/**
 * Starts a run (or returns the active one, unless `reinit` is set) and makes it the
 * process's active run.
 *
 * @example
 * const run = await init({ project: 'mnist', config: { lr: 0.01 } });
 * run.log({ loss: 0.3 });
 * await run.finish();
 */
export async function init(options?: InitOptions): Promise<Run> {
  const opts = camelCaseOptions(options, 'init');
  if (run !== null && !run.isFinished) {
    if (opts.reinit !== true) {
      new Console(run.settings.silent).warnOnce(
        'reinit',
        `init(): run ${run.id} is still active, so it was returned and these options were ignored; finish it first or pass { reinit: true }`,
      );
      return run;
    }
    await run.finish();
  }
  const warnings = new Console(opts.silent === true);
  const resolved = resolveInit(opts, process.env, (message) => warnings.warn(message));
  const connection = resolved.settings.mode === 'online' ? await connectOrFallBack(resolved, warnings) : undefined;
  const started = await startRun(resolved, { onFinish: onRunFinished }, connection);
  setActive(started);
  if (!started.disabled) attachExitHooks(started);
  return started;
}

/**
 * Online runs need a server. One named by the user is kept even while it does not answer
 * (uploads catch up later); with none named and none at the default local URL, the run
 * goes offline (resolved.settings is replaced) and says how to sync it later.
 */
async function connectOrFallBack(resolved: ResolvedInit, console: Console): Promise<Connection | undefined> {
  const named = resolved.settings.baseUrl;
  const connection = await probeServer(named ?? DEFAULT_BASE_URL, resolved.settings.apiKey ?? undefined, named ? 3000 : 500);
  if (connection.viewer) return connection;
  if (named) {
    console.warn(`the Cairn server at ${connection.baseUrl} does not answer (${connection.error}); logging locally, and uploading when it does`);
    return connection;
  }
  resolved.settings = Object.freeze({ ...resolved.settings, mode: 'offline' as const });
  resolved.fellBackOffline = true;
  return undefined;
}

function active(method: string): Run {
  if (run === null) throw noRun(`${method}()`);
  return run;
}

/** Logs to the active run; see Run.log. */
export function log(data: Record<string, unknown>, options?: LogOptions): void {
  active('log').log(data, options);
}

/** Defines a metric on the active run; see Run.defineMetric. */
export function defineMetric(name: string, options?: DefineMetricOptions & { [key: string]: unknown }): Metric {
  return active('defineMetric').defineMetric(name, options);
}

/** Raises an alert on the active run; see Run.alert. */
export function alert(args: AlertArguments): void;
export function alert(title: string, text: string, level?: AlertLevel, waitDuration?: number): void;
export function alert(title: string, text: string, options?: AlertOptions): void;
export function alert(...args: unknown[]): void {
  (active('alert').alert as (...given: unknown[]) => void)(...args);
}

/** Marks the active run as preempting. */
export function markPreempting(): void {
  active('markPreempting').markPreempting();
}

/** Finishes the active run; does nothing when there is none. */
export async function finish(exitCode?: number, options?: FinishOptions): Promise<void> {
  await run?.finish(exitCode || hookExitCode() || undefined, options);
}

/**
 * The run as a context: finishes it with exit code 0 when `body` resolves, or with 1 when
 * it throws (and rethrows). `await using run = await init()` finishes with 0 either way,
 * since a disposer cannot see the error; prefer withRun when the exit code matters.
 *
 * @example
 * await withRun({ project: 'demo' }, async (run) => {
 *   run.log({ loss: 0.1 });
 * });
 */
export async function withRun<T>(options: InitOptions | undefined, body: (run: Run) => T | Promise<T>): Promise<T> {
  const started = await init(options);
  let result: T;
  try {
    result = await body(started);
  } catch (error) {
    await started.finish(1);
    throw error;
  }
  await started.finish(0);
  return result;
}
