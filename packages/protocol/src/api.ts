/**
 * The tracking server's HTTP API, version 1: paths, parameters and response shapes shared
 * by the server, the SDK's uploader and Api client, the CLI and the dashboard.
 *
 * Errors are JSON `{ "error": { "code": ErrorCode, "message": string, ...details } }` with the
 * status given by HTTP_STATUS.
 */
import type { ErrorCode } from './errors.js';
import type { MetricDefinition } from './metric.js';
import type { AlertLevel } from './records.js';
import type { RunState } from './run-state.js';

export const API_PREFIX = '/api/v1';

/** The content type of an ingest body: record log lines, exactly as in a run's .cairn file. */
export const RECORDS_CONTENT_TYPE = 'application/x-cairn-records';

/** Largest ingest body the server accepts; uploaders split their batches below it. */
export const MAX_BATCH_BYTES = 8 * 1024 * 1024;

/** Largest run file the server accepts in one PUT (100 MiB). */
export const MAX_FILE_BYTES = 100 * 1024 * 1024;

/** Longest path of a run file, in characters. */
export const MAX_FILE_PATH_LENGTH = 1024;

/** The entity used for runs that name none, in single-user mode. */
export const DEFAULT_ENTITY = 'local';

/** HTTP status for each error code: the one place they are mapped. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_argument: 400,
  usage: 400,
  corrupt_log: 400,
  config_value_locked: 409,
  run_finished: 409,
  run_exists: 409,
  out_of_order: 409,
  no_active_run: 409,
  run_not_found: 404,
  not_available: 501,
  payload_too_large: 413,
  unauthorized: 401,
  internal: 500,
};

export type ApiErrorCode = ErrorCode;

export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string; nextIndex?: number };
}

export const apiPaths = {
  /** GET → {@link Viewer}. */
  viewer: () => `${API_PREFIX}/viewer`,
  /** GET → {@link ProjectSummary}[]. */
  projects: () => `${API_PREFIX}/projects`,
  /** GET (query: filter, sort, order, limit, cursor) → {@link RunPage}. */
  runs: (entity: string, project: string) => `${API_PREFIX}/projects/${enc(entity)}/${enc(project)}/runs`,
  /** GET → {@link RunInfo}; PATCH {@link RunEdit} → RunInfo; DELETE → 204. */
  run: (entity: string, project: string, id: string) => `${API_PREFIX}/projects/${enc(entity)}/${enc(project)}/runs/${enc(id)}`,
  /**
   * POST ?writer=<writerId>&first=<index> with a {@link RECORDS_CONTENT_TYPE} body → {@link IngestResult}.
   * Records whose index is below the writer's next index were applied before and are skipped;
   * `first` above it is 409 out_of_order with `nextIndex`. Creates entity, project and run.
   */
  records: (entity: string, project: string, id: string) => `${run(entity, project, id)}/records`,
  /** GET → {@link WriterPosition}: where a writer's upload resumes. */
  writer: (entity: string, project: string, id: string, writerId: string) => `${run(entity, project, id)}/writers/${enc(writerId)}`,
  /** GET (query: cursor, limit) → {@link HistoryPage}: full-fidelity rows in _step order. */
  history: (entity: string, project: string, id: string) => `${run(entity, project, id)}/history`,
  /** POST {@link SeriesRequest} → {@link SeriesResponse}. */
  series: () => `${API_PREFIX}/series`,
  /** POST (no body) → {@link HeartbeatResult}: the run is alive; answers whether it should stop. */
  heartbeat: (entity: string, project: string, id: string) => `${run(entity, project, id)}/heartbeat`,
  /** POST (no body) → {@link RunInfo}: asks a running run to stop; it ends as `killed`. */
  stop: (entity: string, project: string, id: string) => `${run(entity, project, id)}/stop`,
  /** GET (query: entity, project) → text/event-stream of {@link LiveEvent} as `data:` JSON lines. */
  events: () => `${API_PREFIX}/events`,
  /** GET → {@link FileList}: the run's files (everything in its run directory's `files/`), by path. */
  files: (entity: string, project: string, id: string) => `${run(entity, project, id)}/files`,
  /** GET → {@link AlertList}: the alerts the run raised, oldest first, suppressed repeats included. */
  alerts: (entity: string, project: string, id: string) => `${run(entity, project, id)}/alerts`,
  /**
   * One file of a run, `path` relative to the run's `files/` with forward slashes (see
   * {@link filePathProblem}). PUT raw bytes (at most {@link MAX_FILE_BYTES}) → {@link FileInfo},
   * creating or replacing the file (404 run_not_found for an unknown run); GET → the bytes, with
   * a content type guessed from the extension.
   *
   * @example
   * apiPaths.file('local', 'mnist', 'abc123', 'media/images/sample 1.png');
   * // → '/api/v1/projects/local/mnist/runs/abc123/files/media/images/sample%201.png'
   */
  file: (entity: string, project: string, id: string, path: string) => `${run(entity, project, id)}/files/${path.split('/').map(enc).join('/')}`,
} as const;

function enc(part: string): string {
  return encodeURIComponent(part);
}

/**
 * Why `path` cannot name a run file, or undefined when it can: a run file's path is relative
 * to the run's `files/`, uses forward slashes, has no empty, `.` or `..` segment and no control
 * characters, and is at most {@link MAX_FILE_PATH_LENGTH} characters.
 *
 * @example
 * filePathProblem('media/images/a.png');   // undefined
 * filePathProblem('../secrets');           // "the path … must not contain '..' segments"
 */
export function filePathProblem(path: string): string | undefined {
  const shown = JSON.stringify(path.length > 80 ? `${path.slice(0, 80)}…` : path);
  if (path.length === 0) return 'the file path is empty';
  if (path.length > MAX_FILE_PATH_LENGTH) return `the file path ${shown} is ${path.length} characters, more than ${MAX_FILE_PATH_LENGTH}`;
  if (path.startsWith('/')) return `the file path ${shown} must be relative to the run's files/ (no leading '/')`;
  if (path.includes('\\')) return `the file path ${shown} must use forward slashes, not '\\'`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) return `the file path ${shown} contains control characters`;
  const segments = path.split('/');
  if (segments.includes('..')) return `the file path ${shown} must not contain '..' segments`;
  if (segments.some((segment) => segment === '' || segment === '.')) return `the file path ${shown} has an empty or '.' segment`;
  return undefined;
}

function run(entity: string, project: string, id: string): string {
  return apiPaths.run(entity, project, id);
}

const CONTENT_TYPES: Record<string, string> = {
  json: 'application/json',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  txt: 'text/plain; charset=utf-8',
  log: 'text/plain; charset=utf-8',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  html: 'text/html; charset=utf-8',
};

/**
 * The content type a run file is served with, from its extension (json, yaml, txt, png, jpg,
 * html); anything else is `application/octet-stream`.
 */
export function fileContentType(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return (dot > 0 && CONTENT_TYPES[name.slice(dot + 1).toLowerCase()]) || 'application/octet-stream';
}

export interface Viewer {
  entity: string;
  serverVersion: string;
}

export interface IngestResult {
  /** The index the writer's next record must have. */
  nextIndex: number;
  /** Records applied by this request (the rest were already applied). */
  applied: number;
}

export interface HeartbeatResult {
  /** Somebody asked the run to stop (dashboard or API): the SDK interrupts the script. */
  stopRequested: boolean;
}

/** Sent on the live stream when records were applied to a run: fetch only what is new. */
export interface LiveEvent {
  run: { entity: string; project: string; id: string };
  /** The first step that changed (history from this step on is new). */
  fromStep: number;
  state: RunState;
}

export interface WriterPosition {
  nextIndex: number;
}

export interface ProjectSummary {
  entity: string;
  name: string;
  runCount: number;
  /** Unix seconds of the last ingest into any of its runs. */
  lastActivity: number;
}

/** A file of a run as the server holds it: content-addressed by its sha256. */
export interface FileInfo {
  /** Relative to the run's `files/`, with forward slashes: `config.yaml`, `media/images/a.png`. */
  path: string;
  /** Bytes. */
  size: number;
  /** Hex sha256 of the content. */
  sha256: string;
  /** Unix seconds of the last change of content. */
  updatedAt: number;
}

export interface FileList {
  /** By path. */
  files: FileInfo[];
}

/** One run.alert(), as the server keeps it. */
export interface AlertInfo {
  title: string;
  text: string;
  level: AlertLevel;
  /** Milliseconds during which a repeat of this title is suppressed. */
  waitMs: number;
  /** Unix seconds, the script's clock. */
  time: number;
  /** A repeat of the title within the wait of the last unsuppressed one: kept, not notified. */
  suppressed: boolean;
}

export interface AlertList {
  alerts: AlertInfo[];
}

export interface RunInfo {
  entity: string;
  project: string;
  id: string;
  name: string | null;
  group: string | null;
  jobType: string | null;
  tags: string[];
  notes: string | null;
  state: RunState;
  exitCode: number | null;
  /** Unix seconds. */
  createdAt: number;
  updatedAt: number;
  heartbeatAt: number;
  startTime: number;
  runtime: number;
  lastStep: number;
  historyRows: number;
  config: Record<string, unknown>;
  summary: Record<string, unknown>;
  metadata: Record<string, unknown> | null;
  metrics: MetricDefinition[];
}

export type RunEdit = Partial<Pick<RunInfo, 'name' | 'notes' | 'tags' | 'group' | 'jobType'>>;

export interface RunPage {
  runs: RunInfo[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
  /** Runs matching the filters, on all pages: enough to size a table from the first page. */
  total: number;
}

export interface HistoryPage {
  rows: Array<Record<string, unknown>>;
  nextCursor: string | null;
}

/** The x-axes a series can be drawn against; any other name is a step metric key. */
export type SeriesAxis = '_step' | '_runtime' | '_timestamp' | (string & {});

export interface SeriesRequest {
  /**
   * The runs, each answered for every key. A run may carry its own `range` and `buckets`,
   * which replace the request's for its series, and may be listed more than once: the live
   * dashboard asks, in one request, for a running run's newest points (its own range) and
   * for its whole extent in one bucket (to check that nothing else changed).
   */
  runs: Array<{ entity: string; project: string; id: string; range?: [number, number]; buckets?: number }>;
  keys: string[];
  x?: SeriesAxis;
  /** Inclusive range on the x-axis; the whole series when absent. */
  range?: [number, number];
  /** Number of buckets (pixel columns), 1–10,000. */
  buckets: number;
  /**
   * 'json' (default) answers a {@link SeriesResponse}; 'binary' answers the same numbers in
   * a compact binary layout (series-binary.ts; read it with `decodeSeriesBinary`): 40–60% of
   * the bytes of float64s, and no objects to build or parse, for charts of many runs.
   */
  format?: 'json' | 'binary';
}

/** One M4 bucket: the first, last, smallest and largest point in it, with their x. */
export interface M4Bucket {
  count: number;
  first: [number, number];
  last: [number, number];
  min: [number, number];
  max: [number, number];
}

export interface SeriesResponse {
  x: SeriesAxis;
  /** Per run entry × key (runs outer): the entry's `buckets` slots, null where a bucket holds no point; empty when the series has none. */
  series: Array<{ run: { entity: string; project: string; id: string }; key: string; buckets: Array<M4Bucket | null> }>;
}
