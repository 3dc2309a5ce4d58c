/**
 * The query client, modelled on the reference's public API (`wandb.Api`): list projects and
 * runs, read one run, its sampled or full history, edit and delete it, against a Cairn server.
 *
 * @example
 * const api = new Api();                                  // CAIRN_BASE_URL, CAIRN_API_KEY
 * for await (const run of api.runs('local/mnist', { filters: { state: 'finished' }, order: '-summary.acc' })) {
 *   console.log(run.id, run.summary.acc);
 * }
 * const run = await api.run('local/mnist/abc123');
 * const rows = await run.history({ keys: ['loss'], samples: 200 });
 * for (const file of await run.files()) await file.download('restored', { replace: true });
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  apiPaths,
  CairnError,
  ERROR_CODES,
  filePathProblem,
  type ErrorCode,
  type FileInfo,
  type FileList,
  type HistoryPage,
  type MetricDefinition,
  type ProjectSummary,
  type RunEdit,
  type RunInfo,
  type RunPage,
  type RunState,
  type Viewer,
} from '@cairn/protocol';
import { camelCaseOptions, installAliases } from './aliases.js';
import { readStoredApiKey } from './credentials.js';

const DEFAULT_BASE_URL = 'http://127.0.0.1:8080';
const DEFAULT_PER_PAGE = 50;
const DEFAULT_SAMPLES = 500;
const DEFAULT_PAGE_SIZE = 1000;

export interface ApiOptions {
  /** The server; default CAIRN_BASE_URL, else http://127.0.0.1:8080. */
  baseUrl?: string;
  /** Sent as `Authorization: Bearer <apiKey>`; default CAIRN_API_KEY, else the key `cairn login` stored for baseUrl. */
  apiKey?: string;
  fetch?: typeof fetch;
}

/** A condition on a config or summary value: `{ field: 'config.lr', op: '<', value: 0.01 }`. */
export interface RunCondition {
  field: string;
  op: '=' | '!=' | '<' | '<=' | '>' | '>=';
  value: unknown;
}

export interface RunFilters {
  /** One state, or any of several. */
  state?: RunState | RunState[];
  /** Runs carrying all of these tags. */
  tags?: string[];
  group?: string;
  jobType?: string;
  /** A part of the run's name or id, case-insensitive. */
  search?: string;
  /** All must hold. */
  where?: RunCondition[];
}

export interface RunsOptions {
  filters?: RunFilters;
  /**
   * `created` (default), `updated`, `runtime`, `name`, `config.<key>` or `summary.<key>`;
   * `+` ascending (the default), `-` descending. The reference's `created_at`, `heartbeat_at`
   * and `summary_metrics.<key>` are understood too.
   */
  order?: string;
  /** Runs fetched per request (default 50, at most 1000). */
  perPage?: number;
}

export interface HistoryOptions {
  /** Only `_step` and these columns; rows with none of them are left out. */
  keys?: string[];
  /** Most rows returned, spread evenly from the first row to the last (default 500). */
  samples?: number;
}

export interface ScanHistoryOptions {
  /** Only `_step` and these columns, and (as the reference) only rows that have all of them. */
  keys?: string[];
  /** Rows fetched per request (default 1000). */
  pageSize?: number;
}

export type HistoryRow = Record<string, unknown>;

export interface DownloadOptions {
  /** Overwrite a file already at the destination (default false: that is an error). */
  replace?: boolean;
}

/** An async iterable that fetches its pages as it is iterated; each iteration starts afresh. */
export class Paginated<T> implements AsyncIterable<T> {
  constructor(private readonly items: () => AsyncGenerator<T>) {}

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.items();
  }

  /** Every item, fetching all pages. */
  async toArray(): Promise<T[]> {
    const all: T[] = [];
    for await (const item of this) all.push(item);
    return all;
  }
}

/** Talks to one Cairn server. */
export class Api {
  readonly baseUrl: string;
  readonly #apiKey: string | undefined;
  readonly #fetch: typeof fetch;
  #viewer: Promise<Viewer> | undefined;

  constructor(options?: ApiOptions) {
    const opts = camelCaseOptions(options, 'Api');
    const env = (name: string): string | undefined => (process.env[name] === '' ? undefined : process.env[name]);
    this.baseUrl = (opts.baseUrl ?? env('CAIRN_BASE_URL') ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    if (!/^https?:\/\/[^/]/.test(this.baseUrl)) throw new CairnError('invalid_argument', `baseUrl must be an http(s) URL such as ${DEFAULT_BASE_URL}, got ${JSON.stringify(this.baseUrl)}`);
    this.#apiKey = opts.apiKey ?? env('CAIRN_API_KEY') ?? readStoredApiKey(this.baseUrl);
    this.#fetch = opts.fetch ?? globalThis.fetch;
  }

  /** Who the server takes this client for, and its version. */
  viewer(): Promise<Viewer> {
    this.#viewer ??= this.request<Viewer>('GET', apiPaths.viewer()).catch((error: unknown) => {
      this.#viewer = undefined;
      throw error;
    });
    return this.#viewer;
  }

  /** The projects on the server (those of `entity` when given), most recently active first. */
  async projects(entity?: string): Promise<ProjectSummary[]> {
    const projects = await this.request<ProjectSummary[]>('GET', apiPaths.projects());
    return entity === undefined ? projects : projects.filter((p) => p.entity === entity);
  }

  /**
   * The runs of a project (`'entity/project'`, or `'project'` for the server's default
   * entity), fetched a page at a time as they are iterated.
   *
   * @example
   * const best = await api.runs('local/mnist', { filters: { where: [{ field: 'config.lr', op: '<', value: 0.01 }] }, order: '-summary.acc' }).toArray();
   */
  runs(path: string, options?: RunsOptions): Paginated<ApiRun> {
    const opts = camelCaseOptions(options, 'runs');
    const parts = splitRunPath(path, 'runs', 2);
    const query = runsQuery(camelCaseOptions(opts.filters, 'runs'), opts.order, opts.perPage);
    return new Paginated(async function* (this: Api) {
      const [entity, project] = (await this.withEntity(parts, 2)) as [string, string];
      let cursor: string | null = null;
      do {
        if (cursor !== null) query.set('cursor', cursor);
        const page: RunPage = await this.request<RunPage>('GET', `${apiPaths.runs(entity, project)}?${query}`);
        for (const info of page.runs) yield new ApiRun(this, info);
        cursor = page.nextCursor;
      } while (cursor !== null);
    }.bind(this));
  }

  /**
   * One run by path: `'entity/project/id'`, `'entity/project/runs/id'`, `'project/id'`, or
   * its dashboard URL (`run.url`).
   */
  async run(path: string): Promise<ApiRun> {
    const [entity, project, id] = (await this.withEntity(splitRunPath(path, 'run', 3), 3)) as [string, string, string];
    return new ApiRun(this, await this.request<RunInfo>('GET', apiPaths.run(entity, project, id)));
  }

  /** @internal One request; answers become values, refusals and network failures CairnErrors. */
  async request<T>(method: string, route: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await this.send(method, route, headers, body === undefined ? undefined : JSON.stringify(body));
    const parsed = parseJson(await response.text());
    if (response.ok) return parsed as T;
    throw this.refusal(method, route, response.status, parsed);
  }

  /** @internal The raw bytes the server answers a GET of `route` with (a run file). */
  async requestBytes(route: string): Promise<Uint8Array> {
    const response = await this.send('GET', route, {});
    if (response.ok) return new Uint8Array(await response.arrayBuffer());
    throw this.refusal('GET', route, response.status, parseJson(await response.text()));
  }

  private async send(method: string, route: string, headers: Record<string, string>, body?: string): Promise<Response> {
    if (this.#apiKey) headers.authorization = `Bearer ${this.#apiKey}`;
    try {
      return await this.#fetch(this.baseUrl + route, { method, headers, body });
    } catch (error) {
      const cause = (error as { cause?: { message?: unknown } }).cause;
      const reason = typeof cause?.message === 'string' ? cause.message : (error as Error).message;
      throw new CairnError(
        'not_available',
        `cannot reach the Cairn server at ${this.baseUrl} (${reason}); start one with \`npx cairn server\`, or point CAIRN_BASE_URL (or new Api({ baseUrl })) at a running one`,
      );
    }
  }

  private refusal(method: string, route: string, status: number, body: unknown): CairnError {
    const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    if (typeof error?.code !== 'string') {
      return new CairnError('not_available', `the server at ${this.baseUrl} answered ${method} ${route} with status ${status} and no Cairn error; is it a Cairn server?`);
    }
    const message = typeof error.message === 'string' ? error.message : `status ${status}`;
    if ((ERROR_CODES as readonly string[]).includes(error.code)) return new CairnError(error.code as ErrorCode, message);
    // Codes that exist only on the wire (unauthorized, payload_too_large, …) stay in the message.
    const hint = error.code === 'unauthorized' ? '; pass an API key: new Api({ apiKey }) or CAIRN_API_KEY' : '';
    return new CairnError(status >= 500 ? 'internal' : 'invalid_argument', `${error.code}: ${message}${hint}`);
  }

  /** A full path's parts, with the server's default entity put in front of a path that lacks one. */
  private async withEntity(parts: string[], full: number): Promise<string[]> {
    return parts.length === full ? parts : [(await this.viewer()).entity, ...parts];
  }
}

/**
 * A run on the server: the fields of {@link RunInfo} as they were when fetched (`refresh()`
 * fetches them again), its `path` and dashboard `url`, its history, and edits.
 */
export class ApiRun implements RunInfo {
  entity!: string;
  project!: string;
  id!: string;
  name!: string | null;
  group!: string | null;
  jobType!: string | null;
  tags!: string[];
  notes!: string | null;
  state!: RunState;
  exitCode!: number | null;
  createdAt!: number;
  updatedAt!: number;
  heartbeatAt!: number;
  startTime!: number;
  runtime!: number;
  lastStep!: number;
  historyRows!: number;
  config!: Record<string, unknown>;
  summary!: Record<string, unknown>;
  metadata!: Record<string, unknown> | null;
  metrics!: MetricDefinition[];
  /** `[entity, project, id]`, as the reference. */
  path!: [string, string, string];
  /** The run's page on the dashboard: `<baseUrl>/<entity>/<project>/runs/<id>`. */
  url!: string;
  readonly #api: Api;

  constructor(api: Api, info: RunInfo) {
    this.#api = api;
    this.assign(info);
  }

  /**
   * Up to `samples` (default 500) rows in `_step` order, sampled by the server evenly from
   * the first row to the last.
   */
  async history(options?: HistoryOptions): Promise<HistoryRow[]> {
    const { keys, samples = DEFAULT_SAMPLES } = camelCaseOptions(options, 'history');
    if (!Number.isInteger(samples) || samples < 1 || samples > 100_000) throw new CairnError('invalid_argument', `history(): samples must be an integer from 1 to 100000, got ${samples}`);
    const query = new URLSearchParams({ samples: String(samples) });
    if (keys !== undefined) query.set('keys', keyList(keys, 'history'));
    return (await this.#api.request<HistoryPage>('GET', `${this.route('history')}?${query}`)).rows;
  }

  /**
   * Every history row once, in the order logged (`_step` order), fetched a page at a time.
   *
   * @example
   * for await (const row of run.scanHistory({ keys: ['loss'] })) console.log(row._step, row.loss);
   */
  scanHistory(options?: ScanHistoryOptions): Paginated<HistoryRow> {
    const { keys, pageSize = DEFAULT_PAGE_SIZE } = camelCaseOptions(options, 'scanHistory');
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100_000) throw new CairnError('invalid_argument', `scanHistory(): pageSize must be an integer from 1 to 100000, got ${pageSize}`);
    const query = new URLSearchParams({ limit: String(pageSize) });
    if (keys !== undefined) query.set('keys', keyList(keys, 'scanHistory'));
    const route = this.route('history');
    const api = this.#api;
    return new Paginated(async function* () {
      let cursor: string | null = '0';
      while (cursor !== null) {
        query.set('cursor', cursor);
        const page: HistoryPage = await api.request<HistoryPage>('GET', `${route}?${query}`);
        for (const row of page.rows) if (keys === undefined || keys.every((key) => key in row)) yield row;
        cursor = page.nextCursor;
      }
    });
  }

  /**
   * Edits the run on the server and refreshes this object. Without an argument, saves this
   * object's `name`, `notes`, `tags`, `group` and `jobType` (set them first, as the reference).
   */
  async update(edit?: RunEdit): Promise<this> {
    const changes = edit === undefined ? { name: this.name, notes: this.notes, tags: this.tags, group: this.group, jobType: this.jobType } : camelCaseOptions(edit, 'update');
    this.assign(await this.#api.request<RunInfo>('PATCH', this.route(), changes));
    return this;
  }

  /**
   * The run's files on the server (its run directory's `files/`: config.yaml,
   * cairn-summary.json, cairn-metadata.json, saved files, media), sorted by path.
   *
   * @example
   * for (const file of await run.files()) console.log(file.path, file.size);
   */
  async files(): Promise<ApiFile[]> {
    const list = await this.#api.request<FileList>('GET', apiPaths.files(this.entity, this.project, this.id));
    return list.files.map((info) => new ApiFile(this.#api, this, info));
  }

  /** One file of the run by its path under `files/`; run_not_found when the run has none there. */
  async file(path: string): Promise<ApiFile> {
    if (typeof path !== 'string') throw new CairnError('invalid_argument', `file(): the path must be a string, got ${typeof path}`);
    const found = (await this.files()).find((file) => file.path === path);
    if (!found) throw new CairnError('run_not_found', `run ${this.entity}/${this.project}/${this.id} has no file ${JSON.stringify(path)}; run.files() lists those it has`);
    return found;
  }

  /** Deletes the run with its history from the server. */
  async delete(): Promise<void> {
    await this.#api.request<void>('DELETE', this.route());
  }

  /** Fetches the run's fields again. */
  async refresh(): Promise<this> {
    this.assign(await this.#api.request<RunInfo>('GET', this.route()));
    return this;
  }

  private route(what?: 'history'): string {
    return what === 'history' ? apiPaths.history(this.entity, this.project, this.id) : apiPaths.run(this.entity, this.project, this.id);
  }

  private assign(info: RunInfo): void {
    this.entity = info.entity;
    this.project = info.project;
    this.id = info.id;
    this.name = info.name;
    this.group = info.group;
    this.jobType = info.jobType;
    this.tags = info.tags;
    this.notes = info.notes;
    this.state = info.state;
    this.exitCode = info.exitCode;
    this.createdAt = info.createdAt;
    this.updatedAt = info.updatedAt;
    this.heartbeatAt = info.heartbeatAt;
    this.startTime = info.startTime;
    this.runtime = info.runtime;
    this.lastStep = info.lastStep;
    this.historyRows = info.historyRows;
    this.config = info.config;
    this.summary = info.summary;
    this.metadata = info.metadata;
    this.metrics = info.metrics;
    this.path = [info.entity, info.project, info.id];
    this.url = `${this.#api.baseUrl}/${encodeURIComponent(info.entity)}/${encodeURIComponent(info.project)}/runs/${encodeURIComponent(info.id)}`;
  }
}

installAliases(ApiRun.prototype, ['jobType', 'createdAt', 'updatedAt', 'heartbeatAt', 'startTime', 'exitCode', 'lastStep', 'historyRows']);

/** A file of a run on the server, as listed by {@link ApiRun.files}. */
export class ApiFile implements FileInfo {
  /** Relative to the run's `files/`, with forward slashes. */
  readonly path: string;
  readonly size: number;
  /** Hex sha256 of the content. */
  readonly sha256: string;
  /** Unix seconds of the last change of content. */
  readonly updatedAt: number;
  /** Where the bytes are served (send the API key, if the server wants one). */
  readonly url: string;
  readonly #api: Api;
  readonly #route: string;

  constructor(api: Api, run: { entity: string; project: string; id: string }, info: FileInfo) {
    this.#api = api;
    this.path = info.path;
    this.size = info.size;
    this.sha256 = info.sha256;
    this.updatedAt = info.updatedAt;
    this.#route = apiPaths.file(run.entity, run.project, run.id, info.path);
    this.url = api.baseUrl + this.#route;
  }

  /** The content. */
  bytes(): Promise<Uint8Array> {
    return this.#api.requestBytes(this.#route);
  }

  /** The content as UTF-8 text. */
  async text(): Promise<string> {
    return new TextDecoder().decode(await this.bytes());
  }

  /**
   * Writes the file to `<root>/<path>` (creating directories) and answers that local path.
   * An existing file there is an error unless `{ replace: true }`, as the reference.
   *
   * @example
   * const local = await file.download('restored');   // 'restored/config.yaml'
   */
  async download(root = '.', options?: DownloadOptions): Promise<string> {
    const { replace = false } = camelCaseOptions(options, 'download');
    // The path comes from the server: never let it write outside `root`.
    const problem = filePathProblem(this.path);
    if (problem) throw new CairnError('invalid_argument', `download(): refusing to write ${JSON.stringify(this.path)}: ${problem}`);
    const target = join(root, ...this.path.split('/'));
    if (!replace && existsSync(target)) {
      throw new CairnError('invalid_argument', `download(): ${target} already exists; pass { replace: true } to overwrite it`);
    }
    const bytes = await this.bytes();
    await mkdir(dirname(target), { recursive: true });
    // Whole or not at all: written beside the target, then renamed over it.
    const temp = `${target}.${randomBytes(6).toString('hex')}.download`;
    try {
      await writeFile(temp, bytes);
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return target;
  }
}

installAliases(ApiFile.prototype, ['updatedAt']);

/**
 * `entity/project[/runs]/id` (or a dashboard URL) split into its parts; `want` is the number of
 * parts of a full path, one fewer means the server's default entity.
 */
function splitRunPath(path: string, method: string, want: 2 | 3): string[] {
  if (typeof path !== 'string') throw new CairnError('invalid_argument', `${method}(): the path must be a string, got ${typeof path}`);
  const local = /^https?:\/\//.test(path) ? new URL(path).pathname : path;
  let parts = local.split('/').filter((part) => part !== '').map(decodeURIComponent);
  if (want === 3 && parts.length === 4 && parts[2] === 'runs') parts = [parts[0]!, parts[1]!, parts[3]!];
  if (parts.length !== want && parts.length !== want - 1) {
    const shape = want === 3 ? "'entity/project/id' (or 'project/id')" : "'entity/project' (or 'project')";
    throw new CairnError('invalid_argument', `${method}(): expected a path like ${shape}, got ${JSON.stringify(path)}`);
  }
  return parts;
}

const ORDER_NAMES: Record<string, string> = { created_at: 'created', createdAt: 'created', updated_at: 'updated', updatedAt: 'updated', heartbeat_at: 'updated', display_name: 'name' };

function runsQuery(filters: RunFilters, order: string | undefined, perPage: number | undefined): URLSearchParams {
  const query = new URLSearchParams();
  const limit = perPage ?? DEFAULT_PER_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new CairnError('invalid_argument', `runs(): perPage must be an integer from 1 to 1000, got ${limit}`);
  query.set('limit', String(limit));

  const text = (order ?? '+created').trim();
  const direction = text.startsWith('-') ? 'desc' : 'asc';
  let field = text.replace(/^[+-]/, '');
  field = ORDER_NAMES[field] ?? field.replace(/^summary_metrics\./, 'summary.');
  query.set('sort', field);
  query.set('order', direction);

  const { state, tags, group, jobType, search, where } = filters;
  if (state !== undefined) query.set('state', (Array.isArray(state) ? state : [state]).join(','));
  if (tags !== undefined && tags.length > 0) query.set('tags', tags.join(','));
  if (group !== undefined) query.set('group', group);
  if (jobType !== undefined) query.set('jobType', jobType);
  if (search !== undefined) query.set('search', search);
  if (where !== undefined && where.length > 0) query.set('filter', JSON.stringify(where));
  return query;
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

function keyList(keys: string[], method: string): string {
  if (!Array.isArray(keys) || keys.length === 0 || keys.some((key) => typeof key !== 'string' || key === '' || key.includes(','))) {
    throw new CairnError('invalid_argument', `${method}(): keys must be a non-empty array of key names without commas, got ${JSON.stringify(keys)}`);
  }
  return keys.join(',');
}
