/**
 * The reference's snake_case names, accepted everywhere as aliases of Cairn's camelCase ones.
 * This table is the only place they are defined: method aliases on Run, Config and the
 * module, and option keys in init(), log(), defineMetric(), config.update() and friends.
 * The code behind those calls (config.ts, protocol's metric.ts) sees only camelCase names.
 */
import { CairnError } from '@cairn/protocol';

export const SNAKE_CASE_ALIASES = {
  // Run methods and attributes
  define_metric: 'defineMetric',
  log_artifact: 'logArtifact',
  use_artifact: 'useArtifact',
  upsert_artifact: 'upsertArtifact',
  finish_artifact: 'finishArtifact',
  log_code: 'logCode',
  mark_preempting: 'markPreempting',
  plot_table: 'plotTable',
  to_html: 'toHtml',
  get_url: 'getUrl',
  get_project_url: 'getProjectUrl',
  get_sweep_url: 'getSweepUrl',
  project_name: 'projectName',
  start_time: 'startTime',
  starting_step: 'startingStep',
  sweep_id: 'sweepId',
  // Api and ApiRun (the reference's public API)
  scan_history: 'scanHistory',
  created_at: 'createdAt',
  updated_at: 'updatedAt',
  heartbeat_at: 'heartbeatAt',
  last_step: 'lastStep',
  history_rows: 'historyRows',
  per_page: 'perPage',
  page_size: 'pageSize',
  // Config methods
  as_dict: 'asDict',
  setdefaults: 'setDefaults',
  update_locked: 'updateLocked',
  // Option keys
  job_type: 'jobType',
  allow_val_change: 'allowValChange',
  config_include_keys: 'configIncludeKeys',
  config_exclude_keys: 'configExcludeKeys',
  sweep_config: 'sweepConfig',
  step_metric: 'stepMetric',
  step_sync: 'stepSync',
  exit_code: 'exitCode',
  wait_duration: 'waitDuration',
  base_path: 'basePath',
  glob_str: 'globStr',
  run_path: 'runPath',
  include_fn: 'includeFn',
  exclude_fn: 'excludeFn',
  distributed_id: 'distributedId',
  use_as: 'useAs',
  log_freq: 'logFreq',
  log_graph: 'logGraph',
  string_fields: 'stringFields',
  vega_spec_name: 'vegaSpecName',
  data_table: 'dataTable',
  save_code: 'saveCode',
  sync_tensorboard: 'syncTensorboard',
  monitor_gym: 'monitorGym',
  base_url: 'baseUrl',
  api_key: 'apiKey',
  finish_timeout: 'finishTimeout',
} as const;

type Aliases = typeof SNAKE_CASE_ALIASES;

/** The snake_case spellings the table gives for the camelCase name `Camel` (never when it has none). */
type SnakeCaseOf<Camel extends string> = { [Snake in keyof Aliases]: Aliases[Snake] extends Camel ? Snake : never }[keyof Aliases];

/**
 * An options type that also accepts the table's snake_case spelling of each of its keys,
 * for call sites that take the reference's names; {@link camelCaseOptions} turns the
 * snake_case keys into the camelCase ones.
 *
 * @example
 * type UpdateOptions = WithSnakeCaseAliases<{ allowValChange?: boolean }>;
 * const options: UpdateOptions = { allow_val_change: true };
 */
export type WithSnakeCaseAliases<T> = T & { [K in keyof T as SnakeCaseOf<K & string>]?: T[K] };

/**
 * Returns options with snake_case keys renamed to their camelCase names. Giving both
 * spellings of one option with different values is ambiguous and an error.
 */
export function camelCaseOptions<T extends object>(options: T | undefined, method: string): T {
  if (options === undefined || options === null) return {} as T;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${method}(): options must be an object, got ${Array.isArray(options) ? 'an array' : typeof options}`);
  }
  let renamed: Record<string, unknown> | undefined;
  for (const key of Object.keys(options)) {
    const camel = (SNAKE_CASE_ALIASES as Record<string, string>)[key];
    if (camel === undefined) continue;
    renamed ??= { ...(options as Record<string, unknown>) };
    const snakeValue = renamed[key];
    const camelValue = renamed[camel];
    if (snakeValue !== undefined && camelValue !== undefined && !Object.is(snakeValue, camelValue)) {
      throw new CairnError(
        'invalid_argument',
        `${method}(): '${key}' and '${camel}' are the same option and were given different values; pass only '${camel}'`,
      );
    }
    if (camelValue === undefined) renamed[camel] = snakeValue;
    delete renamed[key];
  }
  return (renamed ?? options) as T;
}

/**
 * Defines every snake_case alias whose camelCase target exists on `target` (a prototype or
 * an object) or is one of `instanceFields` (set in the constructor, so absent from a
 * prototype), as a non-enumerable property forwarding to it.
 */
export function installAliases(target: object, instanceFields: readonly string[] = []): void {
  for (const [snake, camel] of Object.entries(SNAKE_CASE_ALIASES) as Array<[keyof Aliases, string]>) {
    if (!(camel in target || instanceFields.includes(camel)) || Object.prototype.hasOwnProperty.call(target, snake)) continue;
    Object.defineProperty(target, snake, {
      configurable: true,
      enumerable: false,
      get(this: Record<string, unknown>) {
        const value = this[camel];
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(this) : value;
      },
      set(this: Record<string, unknown>, value: unknown) {
        this[camel] = value;
      },
    });
  }
}
