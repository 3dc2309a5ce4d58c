/**
 * @cairn/sdk — track runs from TypeScript. `import cairn from '@cairn/sdk'` gives the same
 * API as the named exports, with the reference's snake_case names as aliases.
 */
import { installAliases } from './aliases.js';
import * as api from './init.js';
import { openRun } from './read.js';
import { AlertLevel } from './alert.js';

export { init, log, defineMetric, finish, markPreempting, alert, withRun, run, config, summary } from './init.js';
export { AlertLevel, type AlertOptions, type AlertArguments } from './alert.js';
export { openRun, type LocalRun } from './read.js';
export { Api, ApiRun, ApiFile } from './api-client.js';
export { uploadRunDirectory, findRunDirectories, isSynced } from './upload.js';
export { uploadRunFiles } from './upload-files.js';
export { Run, History, type LogOptions, type FinishOptions, type Metric } from './run.js';
export type { Config, ConfigChange } from './config.js';
export type { Summary } from './summary-view.js';
export type { InitOptions, Settings, ResumeMode, ConsoleMode } from './settings.js';
export { SNAKE_CASE_ALIASES } from './aliases.js';
export { credentialsFile, readStoredApiKey, storeApiKey, removeStoredApiKey, type StoredCredential, type StoreResult } from './credentials.js';
export { SDK_VERSION } from './version.js';
export {
  CairnError,
  isCairnError,
  type ErrorCode,
  type DefineMetricOptions,
  type MetricDefinition,
  type RunMode,
  type RunState,
  type SummaryOp,
  type Goal,
} from '@cairn/protocol';

/** The default export: the module API as one object, `cairn.init()`, `cairn.run`, `cairn.define_metric()`… */
const cairn = {
  init: api.init,
  log: api.log,
  defineMetric: api.defineMetric,
  finish: api.finish,
  join: api.finish,
  markPreempting: api.markPreempting,
  alert: api.alert,
  AlertLevel,
  withRun: api.withRun,
  openRun,
  get run() {
    return api.run;
  },
  get config() {
    return api.config;
  },
  get summary() {
    return api.summary;
  },
};
installAliases(cairn);

export default cairn;
