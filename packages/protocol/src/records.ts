/**
 * Records: every call on a Run becomes one, and records are the only thing that crosses a
 * boundary (run directory log, upload batches, sync). Fields are camelCase JSON.
 */
import type { MetricDefinition } from './metric.js';

/** Version of the record log line format written in the header record. */
export const RECORD_LOG_VERSION = 1;

export type RunMode = 'online' | 'offline' | 'disabled';

/** First record of every writer session appended to a log. */
export interface HeaderRecord {
  t: 'header';
  version: number;
  /** The SDK that wrote the following records, e.g. `@cairn/sdk 0.1.0`. */
  writer: string;
  /**
   * Identifies the log file's index sequence: chosen when the log is created, kept when a
   * resumed run appends to it. Several writers of one run (distributed training) each
   * have their own, so the server can apply each (writerId, index) once.
   */
  writerId: string;
  pid: number;
  /** Unix time in seconds. */
  time: number;
}

/** The run's identity and attributes, written at init (again on resume). */
export interface RunRecord {
  t: 'run';
  id: string;
  project: string;
  entity: string | null;
  name: string | null;
  group: string | null;
  jobType: string | null;
  tags: string[];
  notes: string | null;
  /** Unix time in seconds at which the run's `_runtime` is zero (shifted back on resume). */
  startTime: number;
  startingStep: number;
  resumed: boolean;
  sweepId: string | null;
  mode: RunMode;
}

/** Edits of run attributes after init (`run.name = …`, `run.tags = …`). */
export interface RunUpdateRecord {
  t: 'run_update';
  name?: string | null;
  notes?: string | null;
  tags?: string[];
  group?: string | null;
  jobType?: string | null;
}

/** Shallow config changes: top-level keys set and removed. */
export interface ConfigRecord {
  t: 'config';
  update?: Record<string, unknown>;
  remove?: string[];
}

/** One committed history row, with `_step`, `_runtime` and `_timestamp` assigned. */
export interface HistoryRecord {
  t: 'history';
  row: Record<string, unknown>;
}

/** Explicit summary writes (`run.summary.x = …`); derived summary values are never logged. */
export interface SummaryRecord {
  t: 'summary';
  update?: Array<{ path: string[]; value: unknown }>;
  remove?: string[][];
}

export interface MetricRecord {
  t: 'metric';
  definition: MetricDefinition;
  overwrite: boolean;
}

export interface PreemptingRecord {
  t: 'preempting';
  time: number;
}

export interface ExitRecord {
  t: 'exit';
  exitCode: number;
  /** Seconds from the run's start time to the exit. */
  runtime: number;
  time: number;
}

/** Where and how the run was started (host, OS, runtime, program, git); see cairn-metadata.json. */
export interface MetadataRecord {
  t: 'metadata';
  metadata: Record<string, unknown>;
}

/** The levels of run.alert(), least severe first. */
export const ALERT_LEVELS = ['INFO', 'WARN', 'ERROR'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];

/**
 * run.alert(): a notification for people watching the run. The server keeps every one and
 * marks a repeat of a title within `waitMs` of the last unsuppressed one as suppressed
 * (behaviour.md §7), judged by the records' own times, so a later sync decides the same.
 */
export interface AlertRecord {
  t: 'alert';
  title: string;
  text: string;
  level: AlertLevel;
  waitMs: number;
  /** Unix seconds. */
  time: number;
}

export type RunLogRecord =
  | HeaderRecord
  | RunRecord
  | RunUpdateRecord
  | ConfigRecord
  | HistoryRecord
  | SummaryRecord
  | MetricRecord
  | MetadataRecord
  | PreemptingRecord
  | AlertRecord
  | ExitRecord;

export type RecordType = RunLogRecord['t'];
