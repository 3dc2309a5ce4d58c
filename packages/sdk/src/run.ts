/**
 * The Run: a unit of computation being tracked. Create one with `init()`; every call on it
 * becomes a record in the run directory's log.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type {
  MetricRegistry,
  SummaryState} from '@cairn/protocol';
import {
  CairnError,
  normaliseLogData,
  parseMetricDefinition,
  type DefineMetricOptions,
  type Goal,
  type MetricDefinition,
  type RunMode,
  type RunUpdateRecord,
  type SummaryOp,
} from '@cairn/protocol';
import { alertRecord, type AlertArguments, type AlertLevel, type AlertOptions } from './alert.js';
import { camelCaseOptions, installAliases } from './aliases.js';
import { createConfig, type Config } from './config.js';
import { formatConfigYaml } from './config-yaml.js';
import type { RunMetadata } from './metadata.js';
import type { RecordWriter } from './record-writer.js';
import { hookExitCode } from './exit-hooks.js';
import type { LiveUploader } from './live-upload.js';
import { cairnDir, CONFIG_FILE, deleteResumeFile, LOG_EXTENSION, METADATA_FILE, SUMMARY_FILE, writeFileAtomic } from './run-dir.js';
import { writeSyncedMarker } from './upload.js';
import { uploadRunFiles } from './upload-files.js';
import type { Settings } from './settings.js';
import { openRun } from './read.js';
import { createSummaryView, type Summary } from './summary-view.js';
import type { Console } from './console.js';
import type { ConsoleCapture } from './console-capture.js';

export interface LogOptions {
  /** The global step of this data; a larger step first commits the pending row. */
  step?: number;
  /** Commit the row now (default: true without `step`, false with it). */
  commit?: boolean;
  /** Accepted for compatibility and ignored, as in the reference. */
  sync?: boolean;
}

export interface FinishOptions {
  /** Print only the closing line. */
  quiet?: boolean;
}

/** The read-only result of `defineMetric()`. */
export interface Metric {
  readonly name: string;
  readonly stepMetric: string | null;
  readonly stepSync: boolean | null;
  readonly hidden: boolean | null;
  readonly summary: readonly SummaryOp[] | null;
  readonly goal: Goal | null;
}

/** Everything a Run is made from; assembled by `init()`. */
export interface RunParts {
  settings: Settings;
  id: string;
  name: string | null;
  project: string;
  entity: string | null;
  group: string | null;
  jobType: string | null;
  tags: string[];
  notes: string | null;
  mode: RunMode;
  sweepId: string | null;
  /** Unix seconds at which `_runtime` is zero. */
  startTime: number;
  startingStep: number;
  resumed: boolean;
  /** files/ of the run directory (run.dir). */
  filesDir: string;
  /** The run directory holding the log, or null for a disabled run. */
  runDir: string | null;
  writer: RecordWriter | null;
  metrics: MetricRegistry;
  summary: SummaryState;
  metadata: RunMetadata | null;
  console: Console;
  /** Records the process's stdout and stderr in files/output.log while the run is active (none: `console: 'off'`, disabled). */
  consoleCapture?: ConsoleCapture;
  /** Called once, when the run has finished. */
  onFinish: (run: Run, exitCode: number) => void;
}

const METRIC_OPTION_KEYS = new Set(['stepMetric', 'stepSync', 'hidden', 'summary', 'goal', 'overwrite']);

export class Run {
  readonly id: string;
  readonly project: string;
  readonly entity: string | null;
  readonly group: string | null;
  readonly jobType: string | null;
  readonly mode: RunMode;
  readonly sweepId: string | null;
  /** Unix time in seconds when the run started (shifted back by earlier runtime on resume). */
  readonly startTime: number;
  readonly startingStep: number;
  readonly resumed: boolean;
  /** The run's files directory: saved files and media go here. */
  readonly dir: string;
  readonly settings: Settings;
  readonly config: Config;
  readonly summary: Summary;
  /** The directory holding the record log, or null for a disabled run. */
  readonly runDir: string | null;

  private _name: string | null;
  private _notes: string | null;
  private _tags: readonly string[];
  private _step: number;
  private pending: Record<string, unknown> | null = null;
  private finished = false;
  private summaryDirty = false;
  private configDirty = false;
  private readonly writer: RecordWriter | null;
  private readonly metrics: MetricRegistry;
  private readonly summaryState: SummaryState;
  private readonly metadata: RunMetadata | null;
  private readonly console: Console;
  private readonly consoleCapture: ConsoleCapture | undefined;
  private readonly onFinish: RunParts['onFinish'];
  private uploader: LiveUploader | undefined;
  private appUrl: string | undefined;
  private draining = false;
  /** Stopped from the server: logging goes on in the script until the interrupt lands, and is ignored. */
  private stoppedByServer = false;

  /** @internal Use `init()`. */
  constructor(parts: RunParts) {
    this.settings = parts.settings;
    this.id = parts.id;
    this._name = parts.name;
    this.project = parts.project;
    this.entity = parts.entity;
    this.group = parts.group;
    this.jobType = parts.jobType;
    this._tags = Object.freeze([...parts.tags]);
    this._notes = parts.notes;
    this.mode = parts.mode;
    this.sweepId = parts.sweepId;
    this.startTime = parts.startTime;
    this.startingStep = parts.startingStep;
    this._step = parts.startingStep;
    this.resumed = parts.resumed;
    this.dir = parts.filesDir;
    this.runDir = parts.runDir;
    this.writer = parts.writer;
    this.metrics = parts.metrics;
    this.summaryState = parts.summary;
    this.metadata = parts.metadata;
    this.console = parts.console;
    this.consoleCapture = parts.consoleCapture;
    this.onFinish = parts.onFinish;
    this.writer?.onFlush(() => this.writeFiles());
    this.config = createConfig({
      allowValChange: parts.settings.allowValChange,
      warn: (message) => this.console.warn(message),
      runLabel: `run ${this.id}`,
      onChange: (change) => {
        this.assertActive('config');
        this.writer?.append({ t: 'config', ...change });
        this.configDirty = true;
      },
    });
    const summaryState = this.summaryState;
    this.summary = createSummaryView({
      readSummary: (keys) => summaryState.get(keys),
      summaryKeys: (keys) => {
        const value = keys.length === 0 ? summaryState.toJSON() : summaryState.get(keys);
        return value !== null && typeof value === 'object' ? Object.keys(value) : [];
      },
      writeSummary: (keys, value) => this.writeSummary(keys, value),
      removeSummary: (keys) => this.removeSummary(keys),
    });
  }

  // ── attributes ──────────────────────────────────────────────────────────

  /** The display name; generated (`adjective-noun-N`) when not given. Assignable. */
  get name(): string | null {
    return this._name;
  }
  set name(name: string | null) {
    this.updateRun({ name });
    this._name = name;
  }

  get notes(): string | null {
    return this._notes;
  }
  set notes(notes: string | null) {
    this.updateRun({ notes });
    this._notes = notes;
  }

  get tags(): readonly string[] {
    return this._tags;
  }
  set tags(tags: readonly string[]) {
    if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string' || t.length === 0 || t.length > 64)) {
      throw new CairnError('invalid_argument', 'run.tags must be an array of strings of 1–64 characters');
    }
    this.updateRun({ tags: [...tags] });
    this._tags = Object.freeze([...tags]);
  }

  /** The step the next committed row gets. */
  get step(): number {
    return this._step;
  }

  /** `entity/project/id`, leaving out what is unknown. */
  get path(): string {
    return [this.entity, this.project, this.id].filter((part) => part).join('/');
  }

  get disabled(): boolean {
    return this.mode === 'disabled';
  }

  get offline(): boolean {
    return this.mode !== 'online';
  }

  /** The run's rows so far, read back from its log. */
  get history(): History {
    return new History(this);
  }

  /** The dashboard URL of the run; null while it is not connected to a server. */
  get url(): string | null {
    return this.getUrl();
  }

  /** `<server>/<entity>/<project>/runs/<id>`; null for a run that is not online. */
  getUrl(): string | null {
    const project = this.getProjectUrl();
    return project === null ? null : `${project}/runs/${encodeURIComponent(this.id)}`;
  }

  getProjectUrl(): string | null {
    if (this.appUrl === undefined) {
      this.warnNoUrl();
      return null;
    }
    return `${this.appUrl}/${encodeURIComponent(this.entity ?? '')}/${encodeURIComponent(this.project)}`;
  }

  /** The sweep's URL; '' for an online run outside a sweep, null offline (as the reference). */
  getSweepUrl(): string | null {
    const project = this.getProjectUrl();
    if (project === null) return null;
    return this.sweepId ? `${project}/sweeps/${encodeURIComponent(this.sweepId)}` : '';
  }

  /** @internal Streams the log to the server at `appUrl` while the run lives. */
  attachUploader(uploader: LiveUploader, appUrl: string): void {
    this.uploader = uploader;
    this.appUrl = appUrl.replace(/\/+$/, '');
  }

  projectName(): string {
    return this.project ?? '';
  }

  private warnNoUrl(): void {
    this.console.warnOnce('url', `run ${this.id} is offline, so it has no URL; its data is in ${this.runDir ?? this.dir} (upload it with \`npx cairn sync\`)`);
  }

  // ── log ─────────────────────────────────────────────────────────────────

  /**
   * Logs a row of data at the current step.
   *
   * @example
   * run.log({ loss: 0.5, acc: 0.9 });           // one row, step advances
   * run.log({ loss: 0.2 }, { commit: false });  // accumulate into the pending row
   * run.log({ acc: 0.8 });                      // commits { loss, acc } as one row
   * run.log({ val: 1 }, { step: 10 });          // opens the row for step 10
   */
  log(data: Record<string, unknown>, options?: LogOptions): void {
    if (this.finished) {
      if (this.stoppedByServer) return this.console.warnOnce('stopped', `run ${this.id} was stopped from the server; log() calls are ignored`);
      this.assertActive('log');
    }
    const row = normaliseLogData(data);
    let commit = options?.commit;
    const step = options?.step;
    if (this.writer === null) {
      // A disabled run keeps only the summary, as the reference's does.
      this.summaryState.applyRow(row);
      return;
    }
    if (step !== undefined) {
      if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0) {
        throw new TypeError(`log(): step must be a non-negative integer, got ${typeof step === 'number' ? step : typeof step}`);
      }
      if (step < this._step) {
        this.console.warn(
          `log(): step ${step} is smaller than the current step ${this._step}; steps must increase, so this data was dropped: ` +
            `${preview(row)}. To plot against your own x-axis, use defineMetric(key, { stepMetric }).`,
        );
        return;
      }
      if (step > this._step) {
        this.commitPending();
        this._step = step;
      }
    } else if (commit === undefined) {
      commit = true;
    }
    if (this.pending === null) this.pending = row;
    else Object.assign(this.pending, row);
    if (commit) {
      this.commitPending();
      this._step++;
    }
  }

  /** Emits the pending row at the current step (behaviour.md 2.2 `flush`). */
  private commitPending(): void {
    const row = this.pending;
    if (row === null) return;
    this.pending = null;
    if (Object.keys(row).length === 0) return;
    const nowMs = Date.now();
    const now = nowMs / 1000;
    row._step = this._step;
    if (typeof row._runtime !== 'number') row._runtime = now - this.startTime;
    if (typeof row._timestamp !== 'number') row._timestamp = now;
    this.summaryState.syncStepMetrics(row);
    this.writer!.append({ t: 'history', row }, nowMs);
    this.summaryState.applyRow(row);
    this.summaryDirty = true;
  }

  // ── summary ─────────────────────────────────────────────────────────────

  private writeSummary(keys: readonly string[], value: unknown): void {
    this.assertActive('summary');
    const key = keys[keys.length - 1]!;
    const stored = normaliseLogData({ [key]: value }, 'summary')[key];
    if (stored === undefined) return this.removeSummary(keys);
    this.summaryState.set(keys, stored);
    this.writer?.append({ t: 'summary', update: [{ path: [...keys], value: stored }] });
    this.summaryDirty = true;
  }

  private removeSummary(keys: readonly string[]): void {
    this.assertActive('summary');
    this.summaryState.remove(keys);
    this.writer?.append({ t: 'summary', remove: [[...keys]] });
    this.summaryDirty = true;
  }

  // ── defineMetric ────────────────────────────────────────────────────────

  /**
   * Defines how a metric is summarised and plotted.
   *
   * @example
   * run.defineMetric('epoch');
   * run.defineMetric('val/*', { stepMetric: 'epoch' });
   * run.defineMetric('loss', { summary: 'min,last' });
   * run.defineMetric('acc', { summary: 'best', goal: 'maximize' });
   */
  defineMetric(name: string, options?: DefineMetricOptions & { [key: string]: unknown }): Metric {
    this.assertActive('defineMetric');
    const camel = camelCaseOptions(options, 'defineMetric');
    for (const key of Object.keys(camel)) {
      if (!METRIC_OPTION_KEYS.has(key)) this.console.warn(`defineMetric(): unknown option '${key}' is ignored`);
    }
    const { definition, overwrite } = parseMetricDefinition(name, camel);
    if (this.writer !== null) {
      this.metrics.define(definition, overwrite);
      this.writer.append({ t: 'metric', definition, overwrite });
    }
    return toMetric(definition);
  }

  // ── lifecycle ───────────────────────────────────────────────────────────

  /** Marks the run as about to be preempted, so that losing it reads as preempted, not crashed. */
  markPreempting(): void {
    this.assertActive('markPreempting');
    if (!this.writer) return;
    this.writer.append({ t: 'preempting', time: Date.now() / 1000 });
    this.writer.flush();
  }

  /**
   * Finishes the run: commits the pending row, records the exit code and closes the log.
   * Idempotent. A falsy `exitCode` keeps a code captured from the process (uncaught
   * exception → 1, SIGINT → 255), else 0.
   */
  async finish(exitCode?: number, options?: FinishOptions): Promise<void> {
    if (this.finished) return;
    if (exitCode !== undefined && exitCode !== null && !Number.isInteger(exitCode)) {
      throw new TypeError(`finish(): exitCode must be an integer, got ${String(exitCode)}`);
    }
    const quiet = camelCaseOptions(options, 'finish').quiet === true;
    this.draining = this.uploader !== undefined;
    this.finishNow(exitCode || hookExitCode() || 0, quiet);
    if (this.uploader) await this.finishUpload();
  }

  /**
   * @internal The server asked the run to stop: finish it (exit code 255, as an interrupt),
   * upload the end, then interrupt the script with SIGINT, as the reference raises
   * KeyboardInterrupt. The run then reads as killed.
   */
  async stopFromServer(): Promise<void> {
    if (this.finished) return;
    this.console.warn(`run ${this.id} was stopped from the Cairn server; finishing it and interrupting the script`);
    this.stoppedByServer = true;
    await this.finish(255);
    process.kill(process.pid, 'SIGINT');
  }

  /** Waits (bounded) for the server to have every record, then says where the run is. */
  private async finishUpload(): Promise<void> {
    const uploader = this.uploader!;
    const deadline = Date.now() + this.settings.finishTimeout * 1000;
    const drained = await uploader.drain(this.settings.finishTimeout * 1000);
    // The run's files follow its records, within what is left of the same timeout.
    const filesError = drained
      ? await uploadRunFiles(this.runDir!, {
          baseUrl: this.appUrl!,
          apiKey: this.settings.apiKey ?? undefined,
          entity: this.entity!,
          project: this.project,
          id: this.id,
          signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
        }).then(
          () => undefined,
          (error: unknown) => `files: ${(error as Error).message}`,
        )
      : undefined;
    const uploaded = drained && filesError === undefined;
    const logFile = path.join(this.runDir!, `run-${this.id}${LOG_EXTENSION}`);
    if (uploaded) {
      const { records, bytes } = uploader.uploaded;
      writeSyncedMarker(logFile, { baseUrl: this.appUrl!, entity: this.entity!, project: this.project, id: this.id, records, bytes });
      this.console.info(`run ${this._name ?? this.id} synced: ${this.getUrl()}`);
    } else {
      this.console.warn(
        `the upload did not finish within ${this.settings.finishTimeout}s${(filesError ?? uploader.error) ? ` (${filesError ?? uploader.error})` : ''}; ` +
          `the run is safe on disk: upload the rest with \`npx cairn sync ${this.runDir}\``,
      );
    }
  }

  /** Deprecated alias of finish(), kept for ported code. */
  async join(exitCode?: number): Promise<void> {
    this.console.warnOnce('join', 'run.join() is deprecated; use run.finish()');
    await this.finish(exitCode);
  }

  /** @internal Finishes synchronously: safe inside process exit and signal handlers. */
  finishNow(exitCode: number, quiet = false): void {
    if (this.finished) return;
    try {
      this.commitPending();
      const now = Date.now() / 1000;
      const runtime = now - this.startTime;
      this.writer?.append({ t: 'exit', exitCode, runtime, time: now });
      this.writer?.close();
      this.finished = true;
      this.writeFiles();
      if (this.metadata) {
        this.metadata.state = exitCode === 0 ? 'finished' : 'failed';
        this.metadata.exitCode = exitCode;
        this.metadata.finishedAt = new Date(now * 1000).toISOString();
        this.writeMetadata();
      }
      // A clean exit ends the 'auto' resume chain; after a failure the next run resumes this one.
      if (exitCode === 0 && this.settings.resume === 'auto' && this.runDir !== null) deleteResumeFile(cairnDir(this.settings.rootDir));
      this.onFinish(this, exitCode);
      this.consoleCapture?.endUnfinishedLines();
      this.printFooter(exitCode, runtime, quiet);
    } finally {
      // After the footer, so output.log ends with the run's last line; on every path, so the streams are restored.
      this.consoleCapture?.stop();
    }
    // Exit hooks finish synchronously and cannot wait for the network.
    if (this.uploader && !this.draining) {
      this.console.warn(`the process is exiting before the upload finished; upload the rest with \`npx cairn sync ${this.runDir}\``);
    }
  }

  /** Writes what the log holds to the disk now (the log itself, summary and config files). */
  flush(): void {
    if (this.finished) return;
    this.writer?.flush();
    this.consoleCapture?.flush();
    this.writeFiles();
  }

  /** @internal The process is dying of an uncaught exception: output.log gets it (Node prints it past process.stderr). */
  noteUncaught(error: unknown): void {
    this.consoleCapture?.noteUncaught(error);
  }

  /** @internal The writer's after-flush hook keeps the summary and config files current. */
  writeFiles(): void {
    if (this.runDir === null) return;
    this.uploader?.poke();
    if (this.summaryDirty) {
      this.summaryDirty = false;
      writeFileAtomic(path.join(this.dir, SUMMARY_FILE), `${stringifyJsonSafe(this.summaryState.toJSON())}\n`);
    }
    if (this.configDirty) {
      this.configDirty = false;
      writeFileAtomic(path.join(this.dir, CONFIG_FILE), formatConfigYaml(this.config.asDict()));
    }
  }

  /** @internal */
  writeMetadata(): void {
    if (this.runDir === null || !this.metadata) return;
    writeFileSync(path.join(this.dir, METADATA_FILE), `${JSON.stringify(this.metadata, null, 2)}\n`);
  }

  /** @internal Appends a record (used by init for the header, run and metadata records). */
  appendRecord(record: object): void {
    this.writer?.append(record);
  }

  get isFinished(): boolean {
    return this.finished;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.finish();
  }

  private printFooter(exitCode: number, runtime: number, quiet: boolean): void {
    if (this.writer === null) return;
    const label = `${this._name ?? this.id} (${this.id})`;
    const status = exitCode === 0 ? 'finished' : `failed with exit code ${exitCode}`;
    if (!quiet) {
      const summary = this.summaryState.toJSON();
      const shown = Object.entries(summary)
        .filter(([key, value]) => !key.startsWith('_') && (typeof value === 'number' || (typeof value === 'string' && value.length <= 20)))
        .slice(0, 12)
        .map(([key, value]) => `${key}=${typeof value === 'number' ? formatNumber(value) : value}`);
      if (shown.length > 0) this.console.info(`summary: ${shown.join(' ')}`);
    }
    this.console.info(
      `run ${label} ${status} after ${runtime.toFixed(1)}s, ${this._step - this.startingStep} steps. ` +
        `Read it back with openRun(${JSON.stringify(this.runDir)})`,
    );
  }

  // ── parts that arrive with later Cairn releases ──────────────────────────

  /**
   * Raises an alert: `alert(title, text, level?, waitDuration?)`, `alert(title, text,
   * { level, waitDuration })` or `alert({ title, text, level, waitDuration })` (see alert.ts).
   * The server keeps it with the run, suppresses a repeat of the title inside the wait
   * (default 60 s) and notifies people when it has a webhook. Offline, it goes with the run
   * at sync. Returns nothing; never waits on the network.
   */
  alert(args: AlertArguments): void;
  alert(title: string, text: string, level?: AlertLevel, waitDuration?: number): void;
  alert(title: string, text: string, options?: AlertOptions): void;
  alert(...args: unknown[]): void {
    this.assertActive('alert');
    const record = alertRecord(args);
    if (!this.writer) return;
    this.writer.append({ ...record, time: Date.now() / 1000 });
  }

  save(_globStr?: string, _basePath?: string, _policy?: 'live' | 'now' | 'end'): boolean | string[] {
    this.assertActive('save');
    throw notAvailable('save', 'saving files with the run');
  }
  restore(_name: string, _runPath?: string, _replace?: boolean, _root?: string): unknown {
    this.assertActive('restore');
    throw notAvailable('restore', 'restoring saved files');
  }
  logCode(_root?: string, _options?: { name?: string; includeFn?: (p: string) => boolean; excludeFn?: (p: string) => boolean }): unknown {
    this.assertActive('logCode');
    throw notAvailable('logCode', 'code artifacts');
  }
  logArtifact(_artifactOrPath: unknown, _name?: string, _type?: string, _aliases?: string[]): unknown {
    this.assertActive('logArtifact');
    throw notAvailable('logArtifact', 'artifacts');
  }
  useArtifact(_artifactOrName: unknown, _type?: string, _aliases?: string[], _useAs?: string): unknown {
    this.assertActive('useArtifact');
    throw notAvailable('useArtifact', 'artifacts');
  }
  upsertArtifact(_artifactOrPath: unknown, _name?: string, _type?: string, _aliases?: string[], _distributedId?: string): unknown {
    this.assertActive('upsertArtifact');
    throw notAvailable('upsertArtifact', 'artifacts');
  }
  finishArtifact(_artifactOrPath: unknown, _name?: string, _type?: string, _aliases?: string[], _distributedId?: string): unknown {
    this.assertActive('finishArtifact');
    throw notAvailable('finishArtifact', 'artifacts');
  }
  watch(_models: unknown, _criterion?: unknown, _log?: string, _logFreq?: number, _idx?: number, _logGraph?: boolean): void {
    this.assertActive('watch');
    throw notAvailable('watch', 'model watching');
  }
  unwatch(_models?: unknown): void {
    this.assertActive('unwatch');
    throw notAvailable('unwatch', 'model watching');
  }
  plotTable(_vegaSpecName: string, _dataTable: unknown, _fields: Record<string, string>, _stringFields?: Record<string, string>): unknown {
    this.assertActive('plotTable');
    throw notAvailable('plotTable', 'custom charts');
  }
  display(_height = 420, _hidden = false): boolean {
    this.assertActive('display');
    throw notAvailable('display', 'notebook display');
  }
  toHtml(_height = 420, _hidden = false): string {
    this.assertActive('toHtml');
    throw notAvailable('toHtml', 'notebook display');
  }

  // ── helpers ─────────────────────────────────────────────────────────────

  private updateRun(change: Omit<RunUpdateRecord, 't'>): void {
    this.assertActive('update');
    this.writer?.append({ t: 'run_update', ...change });
  }

  private assertActive(method: string): void {
    if (this.finished) {
      throw new CairnError(
        'run_finished',
        `run ${this.id}${this._name ? ` (${this._name})` : ''} is finished; ${method}() cannot be used after finish(). Start a new run with init().`,
      );
    }
  }
}
installAliases(Run.prototype, ['startTime', 'startingStep', 'sweepId', 'jobType']);

/** `run.history`: the committed rows, read back from the run's log. */
export class History {
  constructor(private readonly run: Run) {}

  /** The step the next committed row gets. */
  get step(): number {
    return this.run.step;
  }

  /** Every committed row so far (the pending row is not committed yet), in `_step` order. */
  rows(): Array<Record<string, unknown>> {
    if (this.run.runDir === null) return [];
    this.run.flush();
    return openRun(this.run.runDir).history;
  }
}

function notAvailable(method: string, feature: string): CairnError {
  return new CairnError('not_available', `run.${method}() is not available yet: ${feature} will come in a later Cairn release. Nothing was recorded.`);
}

function toMetric(definition: MetricDefinition): Metric {
  return Object.freeze({
    name: definition.name,
    stepMetric: definition.stepMetric ?? null,
    stepSync: definition.stepSync ?? null,
    hidden: definition.hidden ?? null,
    summary: definition.summary ? Object.freeze([...definition.summary]) : null,
    goal: definition.goal ?? null,
  });
}

function preview(row: Record<string, unknown>): string {
  const text = stringifyJsonSafe(row);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) || !Number.isFinite(value) ? String(value) : String(Number(value.toPrecision(5)));
}

/** JSON for human-readable files: NaN and ±Infinity as their names, bigint as digits. */
export function stringifyJsonSafe(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
      if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
      return v;
    },
    indent,
  );
}
