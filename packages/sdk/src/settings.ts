/**
 * init() options, the CAIRN_* environment variables, and how they resolve into the frozen
 * settings of a run. Precedence: init options > environment > defaults.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { CairnError, type RunMode } from '@cairn/protocol';
import { DEFAULT_BASE_URL } from './connect.js';
import { readStoredApiKey } from './credentials.js';

export type ResumeMode = 'never' | 'allow' | 'must' | 'auto';

/**
 * Whether a run records its console output in `files/output.log`: 'auto' (the default) and
 * 'wrap' capture process.stdout and process.stderr by wrapping their `write`; 'off' records nothing.
 */
export type ConsoleMode = 'auto' | 'wrap' | 'off';

/** Options of init(). The reference's snake_case spellings (`job_type`, …) work too. */
export interface InitOptions {
  project?: string;
  entity?: string;
  name?: string;
  id?: string;
  group?: string;
  jobType?: string;
  tags?: string[];
  notes?: string;
  /** A plain object of hyperparameters, or the path of a YAML file in config.yaml format. */
  config?: Record<string, unknown> | string;
  configIncludeKeys?: string[];
  configExcludeKeys?: string[];
  /** A sweep's parameters: applied first and locked (later writes are ignored with a warning). */
  sweepConfig?: Record<string, unknown>;
  /** Let config writes change existing values without passing allowValChange each time. */
  allowValChange?: boolean;
  /** 'online' (default), 'offline' or 'disabled'; 'dryrun' and 'run' are legacy spellings. */
  mode?: RunMode | 'dryrun' | 'run';
  /** 'never', 'allow', 'must' or 'auto' (true means 'auto'). */
  resume?: ResumeMode | boolean | string;
  /** The directory under which `cairn/` holds run directories (default: the working directory). */
  dir?: string;
  /** Finish an active run and start a new one instead of returning the active run. */
  reinit?: boolean;
  /** Print nothing. */
  silent?: boolean;
  /** Record what the process prints in `files/output.log`: 'auto' (default) or 'wrap' to record, 'off' not to. */
  console?: ConsoleMode | string;
  /** The tracking server (default: CAIRN_BASE_URL, else a server at http://127.0.0.1:8080 if one answers). */
  baseUrl?: string;
  apiKey?: string;
  /** Seconds finish() waits for the upload before leaving the rest to `cairn sync` (default 60). */
  finishTimeout?: number;
  settings?: Record<string, unknown>;
}

/** The resolved, frozen settings of a run (`run.settings`). */
export interface Settings {
  readonly project: string;
  readonly entity: string | null;
  readonly name: string | null;
  readonly id: string | null;
  readonly group: string | null;
  readonly jobType: string | null;
  readonly tags: readonly string[];
  readonly notes: string | null;
  readonly mode: RunMode;
  readonly resume: ResumeMode | null;
  readonly rootDir: string;
  readonly silent: boolean;
  readonly console: ConsoleMode;
  readonly baseUrl: string | null;
  readonly apiKey: string | null;
  readonly allowValChange: boolean;
  readonly finishTimeout: number;
  readonly program: string | null;
  readonly extra: Readonly<Record<string, unknown>>;
}

const KNOWN_OPTIONS = new Set([
  'project', 'entity', 'name', 'id', 'group', 'jobType', 'tags', 'notes', 'config', 'configIncludeKeys',
  'configExcludeKeys', 'sweepConfig', 'allowValChange', 'mode', 'resume', 'dir', 'reinit', 'silent', 'console',
  'baseUrl', 'apiKey', 'finishTimeout', 'settings',
]);

/** Options the reference has that Cairn accepts and does not act on (yet). */
const IGNORED_OPTIONS = new Set(['magic', 'anonymous', 'force', 'saveCode', 'syncTensorboard', 'tensorboard', 'monitorGym', 'sync']);

const FORBIDDEN_PROJECT_CHARS = /[/\\#?%:]/;
const FORBIDDEN_ID_CHARS = /[:;,#?/'\\]/;

function envString(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

function envBool(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const value = envString(env, name);
  if (value === undefined) return undefined;
  return ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
}

/** Reads the CAIRN_* environment variables as init options. */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): InitOptions {
  const tags = envString(env, 'CAIRN_TAGS');
  const options: InitOptions = {
    project: envString(env, 'CAIRN_PROJECT'),
    entity: envString(env, 'CAIRN_ENTITY'),
    name: envString(env, 'CAIRN_NAME'),
    id: envString(env, 'CAIRN_RUN_ID'),
    group: envString(env, 'CAIRN_RUN_GROUP'),
    jobType: envString(env, 'CAIRN_JOB_TYPE'),
    tags: tags === undefined ? undefined : tags.split(',').map((t) => t.trim()).filter((t) => t.length > 0),
    notes: envString(env, 'CAIRN_NOTES'),
    mode: envString(env, 'CAIRN_MODE') as InitOptions['mode'],
    resume: envString(env, 'CAIRN_RESUME'),
    dir: envString(env, 'CAIRN_DIR'),
    silent: envBool(env, 'CAIRN_SILENT'),
    console: envString(env, 'CAIRN_CONSOLE'),
    baseUrl: envString(env, 'CAIRN_BASE_URL'),
    apiKey: envString(env, 'CAIRN_API_KEY'),
  };
  for (const key of Object.keys(options) as Array<keyof InitOptions>) if (options[key] === undefined) delete options[key];
  return options;
}

export function parseMode(mode: unknown): RunMode {
  if (mode === undefined || mode === null || mode === 'online' || mode === 'run') return 'online';
  if (mode === 'offline' || mode === 'dryrun') return 'offline';
  if (mode === 'disabled') return 'disabled';
  throw new CairnError('usage', `init(): mode must be 'online', 'offline' or 'disabled'; got ${JSON.stringify(mode)}`);
}

/** The reference's other ways to capture the console; Cairn has one, wrapping `write`. */
const WRAP_SPELLINGS = new Set(['redirect', 'wrap_raw', 'wrap_emu']);

export function parseConsole(value: unknown, warn: (m: string) => void): ConsoleMode {
  if (value === undefined || value === null || value === 'auto') return 'auto';
  if (value === 'wrap' || value === 'off') return value;
  if (typeof value === 'string' && WRAP_SPELLINGS.has(value)) {
    warn(`init(): console '${value}' is recorded by wrapping process.stdout and process.stderr in Cairn (as 'wrap')`);
    return 'wrap';
  }
  throw new CairnError('usage', `init(): console must be 'auto', 'wrap' or 'off'; got ${JSON.stringify(value)}`);
}

/**
 * Resume modes. As in the reference, a string that is not a mode is taken as the id of the
 * run to resume with 'allow' (said in a warning, since it is usually a typo).
 */
export function parseResume(resume: unknown, warn: (m: string) => void): { resume: ResumeMode | null; id?: string } {
  if (resume === undefined || resume === null || resume === false) return { resume: null };
  if (resume === true) return { resume: 'auto' };
  if (resume === 'never' || resume === 'allow' || resume === 'must' || resume === 'auto') return { resume };
  if (typeof resume === 'string' && resume.length > 0) {
    warn(`init(): resume '${resume}' is not one of never, allow, must, auto; resuming the run with id '${resume}' (resume: 'allow')`);
    return { resume: 'allow', id: resume };
  }
  throw new CairnError('usage', `init(): resume must be 'never', 'allow', 'must', 'auto' or a boolean; got ${JSON.stringify(resume)}`);
}

function optionalString(options: Record<string, unknown>, key: string): string | null {
  const value = options[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new CairnError('usage', `init(): ${key} must be a string, got ${typeof value}`);
  return value;
}

export function validateRunId(id: string): string {
  if (id.length === 0 || id.trim() !== id || FORBIDDEN_ID_CHARS.test(id) || id.length > 128) {
    throw new CairnError(
      'usage',
      `init(): invalid run id ${JSON.stringify(id)}: ids are 1–128 characters without surrounding spaces or any of : ; , # ? / ' \\`,
    );
  }
  return id;
}

function validateTimeout(value: unknown): number {
  if (value === undefined || value === null) return 60;
  if (typeof value !== 'number' || !(value >= 0)) throw new CairnError('usage', `init(): finishTimeout must be a number of seconds ≥ 0, got ${JSON.stringify(value)}`);
  return value;
}

export function validateProject(project: string): string {
  if (project.length === 0 || project.length > 128 || FORBIDDEN_PROJECT_CHARS.test(project)) {
    throw new CairnError('usage', `init(): invalid project name ${JSON.stringify(project)}: use 1–128 characters without / \\ # ? % :`);
  }
  return project;
}

export function validateTags(tags: unknown): string[] {
  if (tags === undefined || tags === null) return [];
  if (!Array.isArray(tags)) throw new CairnError('usage', `init(): tags must be an array of strings, got ${typeof tags}`);
  for (const tag of tags) {
    if (typeof tag !== 'string' || tag.length === 0 || tag.length > 64) {
      throw new CairnError('usage', `init(): every tag must be a string of 1–64 characters; got ${JSON.stringify(tag)}`);
    }
  }
  return [...new Set(tags as string[])];
}

/** The git work tree that contains `dir`, or undefined. Walks up looking for `.git`; spawns nothing. */
export function findGitRoot(dir: string): string | undefined {
  let current = path.resolve(dir);
  for (;;) {
    if (existsSync(path.join(current, '.git'))) return current;
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/**
 * The default project name: the git repository's folder name, plus the program's folder
 * inside the repository (separators → '_'); outside a repository, 'uncategorized'.
 */
export function defaultProject(program: string | null, cwd: string): string {
  const from = program ? path.dirname(path.resolve(cwd, program)) : cwd;
  const root = findGitRoot(from);
  if (!root) return 'uncategorized';
  const rel = path.relative(root, from);
  const base = path.basename(root) || 'uncategorized';
  const name = rel && !rel.startsWith('..') ? `${base}-${rel.split(path.sep).join('_')}` : base;
  return name.replace(/[/\\#?%:]/g, '_').slice(0, 128);
}

function isDirectoryWritable(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

export interface ResolvedInit {
  settings: Settings;
  /** Online was asked for, but no server answered: the run is offline (init says so). */
  fellBackOffline?: boolean;
  reinit: boolean;
  config: Record<string, unknown> | string | undefined;
  configIncludeKeys: string[] | undefined;
  configExcludeKeys: string[] | undefined;
  sweepConfig: Record<string, unknown> | undefined;
}

/** Merges init options over the environment and validates everything once. */
export function resolveInit(options: InitOptions, env: NodeJS.ProcessEnv, warn: (m: string) => void): ResolvedInit {
  for (const key of Object.keys(options)) {
    if (KNOWN_OPTIONS.has(key)) continue;
    if (IGNORED_OPTIONS.has(key)) warn(`init(): option '${key}' is not supported by Cairn yet and is ignored`);
    else throw new CairnError('usage', `init(): unknown option '${key}'`);
  }
  const fromEnv = optionsFromEnv(env);
  const merged: Record<string, unknown> = { ...fromEnv };
  for (const [key, value] of Object.entries(options)) if (value !== undefined && value !== null) merged[key] = value;

  const mode = parseMode(merged.mode);
  const { resume, id: resumeId } = parseResume(merged.resume, warn);
  let id = optionalString(merged, 'id');
  if (resumeId !== undefined) id ??= resumeId;
  if (id !== null) validateRunId(id);

  const program = process.argv[1] ? path.relative(process.cwd(), process.argv[1]) || process.argv[1] : null;
  const project = validateProject(optionalString(merged, 'project') ?? defaultProject(program, process.cwd()));
  const rootDir = path.resolve(optionalString(merged, 'dir') ?? process.cwd());
  if (merged.dir !== undefined && !isDirectoryWritable(rootDir)) {
    throw new CairnError('usage', `init(): dir ${JSON.stringify(rootDir)} does not exist or is not a directory`);
  }
  const extra = merged.settings ?? {};
  if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) {
    throw new CairnError('usage', 'init(): settings must be an object');
  }

  const settings: Settings = Object.freeze({
    project,
    entity: optionalString(merged, 'entity'),
    name: optionalString(merged, 'name'),
    id,
    group: optionalString(merged, 'group'),
    jobType: optionalString(merged, 'jobType'),
    tags: Object.freeze(validateTags(merged.tags)),
    notes: optionalString(merged, 'notes'),
    mode,
    resume,
    rootDir,
    silent: merged.silent === true,
    console: parseConsole(merged.console, warn),
    baseUrl: optionalString(merged, 'baseUrl'),
    apiKey: optionalString(merged, 'apiKey') ?? readStoredApiKey(optionalString(merged, 'baseUrl') ?? DEFAULT_BASE_URL, env) ?? null,
    allowValChange: merged.allowValChange === true,
    finishTimeout: validateTimeout(merged.finishTimeout),
    program,
    extra: Object.freeze({ ...(extra as Record<string, unknown>) }),
  });
  const config = merged.config;
  if (config !== undefined && typeof config !== 'string' && (typeof config !== 'object' || Array.isArray(config))) {
    throw new CairnError('usage', 'init(): config must be an object or the path of a YAML file');
  }
  return {
    settings,
    reinit: merged.reinit === true,
    config: config as ResolvedInit['config'],
    configIncludeKeys: merged.configIncludeKeys as string[] | undefined,
    configExcludeKeys: merged.configExcludeKeys as string[] | undefined,
    sweepConfig: merged.sweepConfig as Record<string, unknown> | undefined,
  };
}
