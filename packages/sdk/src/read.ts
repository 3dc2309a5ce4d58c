/**
 * Reading runs back from their run directories, with no server: for notebooks, scripts and
 * tests. `openRun('.')` opens the latest run under `./cairn`.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { CairnError, decodeRecordLog, RunReplay, type MetricDefinition, type RunMode, type RunState } from '@cairn/protocol';
import { CAIRN_DIR_NAME, LATEST_RUN_LINK, LOG_EXTENSION } from './run-dir.js';

/** A run as its directory records it. */
export interface LocalRun {
  id: string;
  name: string | null;
  project: string;
  entity: string | null;
  group: string | null;
  jobType: string | null;
  tags: string[];
  notes: string | null;
  mode: RunMode;
  resumed: boolean;
  /** Unix seconds at which `_runtime` is zero. */
  startTime: number;
  /** The run directory and its log file. */
  dir: string;
  logFile: string;
  /** Every committed row, in `_step` order, exactly as logged. */
  history: Array<Record<string, unknown>>;
  summary: Record<string, unknown>;
  config: Record<string, unknown>;
  /** The metric definitions made with defineMetric, in definition order. */
  metrics: MetricDefinition[];
  metadata: Record<string, unknown> | null;
  state: RunState;
  exitCode: number | null;
  /** Seconds from start to exit (or to the last row of a run without an exit). */
  runtime: number;
  /** Damaged lines skipped while reading (a torn last line is not counted). */
  corruptRecords: number;
}

/**
 * Opens a run directory, its log file, a `cairn/` directory (its `latest-run`), or a
 * directory containing `cairn/`.
 *
 * @example
 * const run = openRun('.');                  // the latest run under ./cairn
 * run.history.map((row) => row.loss);
 */
export function openRun(location: string): LocalRun {
  const logFile = findLogFile(path.resolve(location));
  const contents = decodeRecordLog(readFileSync(logFile), crc32);
  const replay = new RunReplay();
  const history: Array<Record<string, unknown>> = [];
  for (const { record } of contents.records) {
    replay.apply(record);
    if (record.t === 'history') history.push(record.row as Record<string, unknown>);
  }
  const run = replay.run;
  if (!run) throw new CairnError('corrupt_log', `${logFile} holds no run record; it is not a Cairn run log, or it is damaged at its start`);
  // Rows are in step order within one writer; a resumed run continues past the last step.
  // A stable sort keeps any out-of-order rows from damaged logs in log order per step.
  if (!isSortedByStep(history)) history.sort((a, b) => (a._step as number) - (b._step as number));
  const pid = typeof replay.header?.pid === 'number' ? replay.header.pid : undefined;
  return {
    id: run.id,
    name: run.name,
    project: run.project,
    entity: run.entity,
    group: run.group,
    jobType: run.jobType,
    tags: run.tags,
    notes: run.notes,
    mode: run.mode,
    resumed: run.resumed,
    startTime: run.startTime,
    dir: path.dirname(logFile),
    logFile,
    history,
    summary: replay.summary.toJSON(),
    config: { ...replay.config },
    metrics: replay.metrics.explicit(),
    metadata: replay.metadata ?? null,
    state: replay.state(pid !== undefined && isProcessAlive(pid)),
    exitCode: replay.exit?.exitCode ?? null,
    runtime: replay.lastRuntime,
    corruptRecords: contents.corrupt.length,
  };
}

function isSortedByStep(rows: Array<Record<string, unknown>>): boolean {
  for (let i = 1; i < rows.length; i++) if ((rows[i]!._step as number) < (rows[i - 1]!._step as number)) return false;
  return true;
}

function findLogFile(location: string): string {
  if (!existsSync(location)) throw new CairnError('run_not_found', `openRun(): ${location} does not exist`);
  if (statSync(location).isFile()) return location;
  const candidates = [location, path.join(location, LATEST_RUN_LINK), path.join(location, CAIRN_DIR_NAME, LATEST_RUN_LINK)];
  for (const dir of candidates) {
    if (!existsSync(dir)) continue;
    const real = realpathSync(dir);
    const log = readdirSync(real).find((f) => f.startsWith('run-') && f.endsWith(LOG_EXTENSION));
    if (log) return path.join(real, log);
  }
  throw new CairnError(
    'run_not_found',
    `openRun(): no run found at ${location}; pass a run directory (cairn/run-…), its .cairn log, or a directory that holds cairn/latest-run`,
  );
}

function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
