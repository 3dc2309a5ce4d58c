/**
 * Replays a run's records into its current state: attributes, config, metric definitions,
 * summary, last step and exit. The SDK (resume, openRun) and the server's ingest reduce
 * records with this one class, so a run reads the same wherever it is read.
 */
import { MetricRegistry, type MetricDefinition } from './metric.js';
import type { ExitRecord, HeaderRecord, RunRecord, RunUpdateRecord } from './records.js';
import { SummaryState, type SummarySnapshot } from './summary.js';

/** Everything a RunReplay holds, as plain data (see {@link RunReplay.snapshot}). */
export interface RunReplaySnapshot {
  run: RunRecord | undefined;
  config: Record<string, unknown>;
  metrics: MetricDefinition[];
  summary: SummarySnapshot;
  lastStep: number;
  lastRuntime: number;
  historyRows: number;
  exit: ExitRecord | undefined;
  preempting: boolean;
  metadata: Record<string, unknown> | undefined;
  header: HeaderRecord | undefined;
  writerId: string | undefined;
}

/** Lifecycle states (ARCHITECTURE.md "Run lifecycle"). */
export type RunState = 'running' | 'finished' | 'failed' | 'crashed' | 'killed' | 'preempted';

export class RunReplay {
  run: RunRecord | undefined;
  readonly config: Record<string, unknown> = {};
  readonly metrics: MetricRegistry;
  readonly summary: SummaryState;
  /** `_step` of the last history row, -1 when there is none. */
  lastStep = -1;
  /** `_runtime` of the last history row or exit, whichever came last. */
  lastRuntime = 0;
  historyRows = 0;
  exit: ExitRecord | undefined;
  preempting = false;
  metadata: Record<string, unknown> | undefined;
  /** The header of the last writer session. */
  header: HeaderRecord | undefined;
  /** The writer id of the log (from its first header). */
  writerId: string | undefined;

  constructor(snapshot?: RunReplaySnapshot) {
    this.metrics = new MetricRegistry();
    if (!snapshot) {
      this.summary = new SummaryState(this.metrics);
      return;
    }
    // Merged definitions re-applied in order, each replacing, rebuild the same registry.
    for (const definition of snapshot.metrics) this.metrics.define(definition, true);
    this.summary = SummaryState.restore(this.metrics, snapshot.summary);
    this.run = snapshot.run && { ...snapshot.run };
    Object.assign(this.config, snapshot.config);
    this.lastStep = snapshot.lastStep;
    this.lastRuntime = snapshot.lastRuntime;
    this.historyRows = snapshot.historyRows;
    this.exit = snapshot.exit;
    this.preempting = snapshot.preempting;
    this.metadata = snapshot.metadata;
    this.header = snapshot.header;
    this.writerId = snapshot.writerId;
  }

  /** The whole state as plain data; `new RunReplay(snapshot)` continues from it. */
  snapshot(): RunReplaySnapshot {
    return {
      run: this.run && { ...this.run },
      config: { ...this.config },
      metrics: this.metrics.explicit(),
      summary: this.summary.snapshot(),
      lastStep: this.lastStep,
      lastRuntime: this.lastRuntime,
      historyRows: this.historyRows,
      exit: this.exit,
      preempting: this.preempting,
      metadata: this.metadata,
      header: this.header,
      writerId: this.writerId,
    };
  }

  /** Applies one record; unknown record types are ignored so older readers keep working. */
  apply(record: Record<string, unknown>): void {
    switch (record.t) {
      case 'header':
        this.header = record as unknown as HeaderRecord;
        this.writerId ??= this.header.writerId;
        return;
      case 'run':
        this.run = { ...(record as unknown as RunRecord) };
        // A new writer session on the same run: it is running again until its own exit.
        this.exit = undefined;
        this.preempting = false;
        return;
      case 'run_update': {
        if (!this.run) return;
        const { t: _t, ...changes } = record as unknown as RunUpdateRecord;
        Object.assign(this.run, changes);
        return;
      }
      case 'config': {
        const update = record.update as Record<string, unknown> | undefined;
        if (update) Object.assign(this.config, update);
        for (const key of (record.remove as string[] | undefined) ?? []) delete this.config[key];
        return;
      }
      case 'metric':
        this.metrics.define(record.definition as MetricDefinition, record.overwrite === true);
        return;
      case 'history': {
        const row = record.row as Record<string, unknown>;
        this.summary.applyRow(row);
        if (typeof row._step === 'number') this.lastStep = row._step;
        if (typeof row._runtime === 'number') this.lastRuntime = row._runtime;
        this.historyRows++;
        return;
      }
      case 'summary': {
        for (const { path, value } of (record.update as Array<{ path: string[]; value: unknown }> | undefined) ?? []) {
          this.summary.set(path, value);
        }
        for (const path of (record.remove as string[][] | undefined) ?? []) this.summary.remove(path);
        return;
      }
      case 'metadata':
        this.metadata = record.metadata as Record<string, unknown>;
        return;
      case 'preempting':
        this.preempting = true;
        return;
      case 'exit':
        this.exit = record as unknown as ExitRecord;
        if (this.exit.runtime > this.lastRuntime) this.lastRuntime = this.exit.runtime;
        return;
    }
  }

  /**
   * The state the records alone imply. Without an exit record a run is running while its
   * writer is alive; `writerAlive` answers that (a reader on another machine cannot know).
   */
  state(writerAlive: boolean): RunState {
    if (this.exit) return this.exit.exitCode === 0 ? 'finished' : 'failed';
    if (writerAlive) return 'running';
    return this.preempting ? 'preempted' : 'crashed';
  }
}
