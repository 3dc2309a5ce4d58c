/**
 * Where `cairn login` keeps API keys: `credentials.json` in CAIRN_CONFIG_DIR (default
 * `~/.cairn`), readable by its owner only, with one entry per server:
 *
 * { "servers": { "http://127.0.0.1:8080": { "apiKey": "cairn_…", "entity": "ana", "savedAt": 1714567890 } } }
 *
 * Servers are keyed by their base URL without trailing slashes. Reading never throws, so a
 * damaged file can never stop a training script; writing replaces the file atomically.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CairnError } from '@cairn/protocol';

/** One server's entry in the credentials file. */
export interface StoredCredential {
  apiKey: string;
  /** Who the server said the key belongs to when it was saved. */
  entity: string;
  /** Unix seconds. */
  savedAt: number;
}

/** What {@link storeApiKey} did. */
export interface StoreResult {
  /** The credentials file. */
  file: string;
  /** Where an unreadable credentials file was moved before a new one was written, if it was. */
  movedAside: string | undefined;
}

type Servers = Record<string, unknown>;

const FILE_NAME = 'credentials.json';

/** The credentials file: `$CAIRN_CONFIG_DIR/credentials.json`, else `~/.cairn/credentials.json`. */
export function credentialsFile(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.CAIRN_CONFIG_DIR === undefined || env.CAIRN_CONFIG_DIR === '' ? path.join(os.homedir(), '.cairn') : env.CAIRN_CONFIG_DIR;
  return path.resolve(dir, FILE_NAME);
}

/**
 * The key saved by `cairn login` for `baseUrl`, or undefined when there is none. Never
 * throws: a missing, unreadable or corrupt file reads as no key.
 *
 * @example
 * const apiKey = options.apiKey ?? process.env.CAIRN_API_KEY ?? readStoredApiKey(baseUrl);
 */
export function readStoredApiKey(baseUrl: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  try {
    const servers = parseFile(readFileSync(credentialsFile(env), 'utf8'))?.servers;
    const entry = servers === undefined ? undefined : entryFor(servers, baseUrl);
    return typeof entry?.apiKey === 'string' && entry.apiKey !== '' ? entry.apiKey : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Saves `apiKey` for `baseUrl`, keeping every other server's entry, and makes the file
 * readable by its owner only (0600; its directory is created 0700). A file that is not a
 * credentials file is moved to `credentials.json.corrupt-<time>` first, never overwritten.
 * Throws a CairnError when the file cannot be read or written.
 */
export function storeApiKey(baseUrl: string, apiKey: string, entity: string, env: NodeJS.ProcessEnv = process.env): StoreResult {
  if (apiKey === '') throw new CairnError('invalid_argument', 'storeApiKey(): the API key is empty');
  const file = credentialsFile(env);
  const existing = readForUpdate(file);
  let servers = existing.servers;
  let movedAside: string | undefined;
  if (servers === undefined) {
    movedAside = `${file}.corrupt-${new Date().toISOString().replace(/[-:]/g, '')}`;
    try {
      renameSync(file, movedAside);
    } catch (error) {
      throw new CairnError('not_available', `${file} is not a credentials file and cannot be moved aside (${(error as Error).message}); move or delete it, then try again`);
    }
    servers = {};
  }
  const entry: StoredCredential = { apiKey, entity, savedAt: Math.floor(Date.now() / 1000) };
  servers[normalizeBaseUrl(baseUrl)] = entry;
  writeAtomically(file, { ...existing.rest, servers });
  return { file, movedAside };
}

/**
 * Forgets the key saved for `baseUrl`. Returns whether there was one. A missing or corrupt
 * file is left as it is (there is nothing to remove from it).
 */
export function removeStoredApiKey(baseUrl: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const file = credentialsFile(env);
  const { servers, rest } = readForUpdate(file);
  const key = normalizeBaseUrl(baseUrl);
  if (servers === undefined || !Object.hasOwn(servers, key)) return false;
  delete servers[key];
  writeAtomically(file, { ...rest, servers });
  return true;
}

function normalizeBaseUrl(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

function entryFor(servers: Servers, baseUrl: string): Partial<StoredCredential> | undefined {
  const key = normalizeBaseUrl(baseUrl);
  const entry = Object.hasOwn(servers, key) ? servers[key] : undefined;
  return typeof entry === 'object' && entry !== null ? (entry as Partial<StoredCredential>) : undefined;
}

/** The entries and other top-level fields of a credentials file's text; undefined when the text is not one. */
function parseFile(text: string): { servers: Servers; rest: Record<string, unknown> } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isPlainObject(parsed)) return undefined;
  const { servers = {}, ...rest } = parsed;
  return isPlainObject(servers) ? { servers, rest } : undefined;
}

/**
 * The file's entries and other top-level fields (kept for forward compatibility); `servers`
 * is undefined when the file exists but is not a credentials file. A missing file is empty.
 */
function readForUpdate(file: string): { servers: Servers | undefined; rest: Record<string, unknown> } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { servers: {}, rest: {} };
    throw new CairnError('not_available', `cannot read the credentials file ${file} (${(error as Error).message}); fix its permissions or set CAIRN_CONFIG_DIR to another directory`);
  }
  return parseFile(text) ?? { servers: undefined, rest: {} };
}

/** Writes a temp file beside `file` (0600, flushed) and renames it over: readers see the old file or the new one. */
function writeAtomically(file: string, content: Record<string, unknown>): void {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${FILE_NAME}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(content, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // The mode given to open is narrowed by the umask, never widened; chmod makes it exact.
    chmodSync(temp, 0o600);
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new CairnError('not_available', `cannot write the credentials file ${file} (${(error as Error).message}); fix its permissions or set CAIRN_CONFIG_DIR to another directory`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
