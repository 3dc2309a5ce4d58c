/**
 * `run.config`: the hyperparameters of a run. Reads and writes work like a plain object
 * (`config.lr`, `config['lr'] = 0.1`, `'lr' in config`, `{ ...config }`), with the
 * reference's methods on top and its change protection: changing a value that is already
 * set throws unless `allowValChange` is given.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { CairnError, isPlainObject } from '@cairn/protocol';
import { camelCaseOptions, SNAKE_CASE_ALIASES, type WithSnakeCaseAliases } from './aliases.js';
import { CONFIG_VERSION_KEYS, readConfigYamlFile } from './config-yaml.js';

/** One effective change; the run turns each into a 'config' record in its log and rewrites config.yaml. */
export interface ConfigChange {
  /** Top-level keys whose value actually changed, with their new sanitised values. */
  update: Record<string, unknown>;
  /** Top-level keys that were deleted. */
  remove?: string[];
}

/** Options of {@link createConfig}. */
export interface ConfigOptions {
  /** Called once per effective change (never for a write that changes nothing). */
  onChange?: (change: ConfigChange) => void;
  /** Default for every write; `init({ allowValChange })` sets it. */
  allowValChange?: boolean;
  /** Where lock warnings go; `console.warn` by default. */
  warn?: (message: string) => void;
  /** Names the run in messages, e.g. "run abc123". */
  runLabel?: string;
}

/**
 * Options of {@link ConfigMethods.update}. The reference's `allow_val_change` is accepted
 * too: the alias table (aliases.ts) renames it before the config sees it.
 */
export interface ConfigUpdateOptions {
  allowValChange?: boolean;
  /**
   * Warn when a write to a locked key is ignored (default true). The run passes false when
   * it applies init's config after a sweep's locked values, as the reference does.
   */
  warnLocked?: boolean;
}

/**
 * What `update`, `setDefaults` and `updateLocked` accept: a plain object, a Map, any object
 * with own enumerable properties (a parsed-arguments object), or the path of a YAML file in
 * config.yaml format (or a plain YAML mapping).
 */
export type ConfigSource = string | ReadonlyMap<string, unknown> | object;

/** The methods of a config. Their names are not reachable as keys through `config.name`. */
export interface ConfigMethods {
  /** Shallow update: each top-level key replaces the old value. Atomic: a rejected call changes nothing. */
  update(data: ConfigSource, options?: WithSnakeCaseAliases<ConfigUpdateOptions>): void;
  /** Adds only the keys that are not set yet. */
  setDefaults(data: ConfigSource): void;
  /**
   * Sets each key and locks it to `user` (sweeps use 'sweep'). Later plain writes to a locked
   * key are ignored with a warning; another `updateLocked` overrides.
   */
  updateLocked(data: ConfigSource, user: string): void;
  /** The value of `key`, or `defaultValue` (undefined) when it is not set. Works for every key, including method names. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- config values are untyped user data, read like Python's
  get(key: string, defaultValue?: unknown): any;
  /** True when `key` is set (also for keys starting with '_'). */
  has(key: string): boolean;
  /** The keys, without those starting with '_'. */
  keys(): string[];
  /** `[key, value]` pairs, without keys starting with '_'. */
  items(): [string, unknown][];
  /** A deep copy of every key and value, including keys starting with '_'. */
  asDict(): Record<string, unknown>;
  /** Same as {@link ConfigMethods.asDict}; makes `JSON.stringify(config)` work. */
  toJSON(): Record<string, unknown>;
}

/**
 * The config object: item access, attribute access and methods.
 *
 * - A missing key reads as `undefined` (JS convention; the reference raises KeyError).
 * - Stored values are frozen copies: to change a nested value, write the top-level key again.
 * - Keys are normalised on write only: `config['--lr'] = 1` stores `lr`.
 * - A key named like a method ('update', 'keys', …) can be written with `update()` and read
 *   with `get()`, but `config.update = …` throws, because `config.update` is the method.
 * - `Object.keys(config)`, spread and `JSON.stringify` see every key; `keys()` hides '_' keys.
 *
 * @example
 * const config = createConfig();
 * config.update({ lr: 0.01, layers: [64, 64] });
 * config.lr = 0.02; // throws: pass { allowValChange: true } to change it
 * config.update({ lr: 0.02 }, { allowValChange: true });
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- ported code reads config.lr as a number without casts
export type Config = ConfigMethods & { [key: string]: any };

/** Creates an empty config. The run applies init's config, the sweep's and config-defaults.yaml. */
export function createConfig(options: ConfigOptions = {}): Config {
  const store = new ConfigStore(options);
  const methods = store.boundMethods();
  // The reference's spellings (setdefaults, as_dict, update_locked) come from the one alias table.
  for (const [snake, camel] of Object.entries(SNAKE_CASE_ALIASES)) {
    if (Object.hasOwn(methods, camel)) (methods as unknown as Record<string, unknown>)[snake] = methods[camel as keyof ConfigMethods];
  }
  // The proxy target holds nothing: every trap answers from the store, so the proxy
  // invariants (which only concern the target's own non-configurable properties) always hold.
  const target = {
    [inspect.custom]: (depth: number, inspectOptions: { depth?: number | null }, inspectValue: typeof inspect) => {
      if (depth < 0) return '[Config]';
      const nextDepth = inspectOptions.depth === null || inspectOptions.depth === undefined ? inspectOptions.depth : inspectOptions.depth - 1;
      return `Config ${inspectValue(store.asDict(), { ...inspectOptions, depth: nextDepth })}`;
    },
  };
  const handler: ProxyHandler<object> = {
    get(_target, prop, receiver) {
      if (typeof prop === 'symbol') return undefined;
      if (Object.hasOwn(methods, prop)) return methods[prop as keyof ConfigMethods];
      if (store.has(prop)) return store.get(prop);
      // toString, hasOwnProperty, constructor…: behave like any plain object.
      if (prop in Object.prototype) return Reflect.get(Object.prototype, prop, receiver) as unknown;
      return undefined;
    },
    set(_target, prop, value) {
      store.setItem(assignableKey(prop, 'set'), value);
      return true;
    },
    defineProperty(_target, prop, descriptor) {
      if (!('value' in descriptor)) {
        throw new CairnError('invalid_argument', 'config values cannot be getters or setters; assign a value instead');
      }
      store.setItem(assignableKey(prop, 'set'), descriptor.value);
      return true;
    },
    has(_target, prop) {
      return typeof prop === 'string' && store.has(prop);
    },
    deleteProperty(_target, prop) {
      if (typeof prop === 'string') store.deleteKey(prop);
      return true;
    },
    ownKeys() {
      return store.allKeys();
    },
    getOwnPropertyDescriptor(_target, prop) {
      if (typeof prop !== 'string' || !store.has(prop)) return undefined;
      return { value: store.get(prop), writable: true, enumerable: true, configurable: true };
    },
    // Freezing or re-parenting the proxy would break the traps above.
    preventExtensions: () => false,
    setPrototypeOf: () => false,
  };
  return new Proxy(target, handler) as Config;
}

/**
 * Keeps the keys of `config` named in `include`, or drops those named in `exclude` (init's
 * `configIncludeKeys` / `configExcludeKeys`). An empty list counts as not given.
 */
export function filterConfigKeys(
  config: Record<string, unknown>,
  include?: readonly string[],
  exclude?: readonly string[],
): Record<string, unknown> {
  const hasInclude = include !== undefined && include.length > 0;
  const hasExclude = exclude !== undefined && exclude.length > 0;
  if (hasInclude && hasExclude) {
    throw new CairnError('usage', 'give either configIncludeKeys or configExcludeKeys, not both');
  }
  const filtered: Record<string, unknown> = {};
  for (const key of Object.keys(config)) {
    const keep = hasInclude ? include.includes(key) : !(hasExclude && exclude.includes(key));
    if (keep) setOwn(filtered, key, config[key]);
  }
  return filtered;
}

/** Reads `config-defaults.yaml` in `cwd` (config.yaml format or a plain mapping); undefined when there is none. */
export function loadConfigDefaults(cwd: string): Record<string, unknown> | undefined {
  const path = join(cwd, 'config-defaults.yaml');
  return existsSync(path) ? readConfigYamlFile(path) : undefined;
}

const METHOD_NAMES: readonly (keyof ConfigMethods)[] = [
  'update',
  'setDefaults',
  'updateLocked',
  'get',
  'has',
  'keys',
  'items',
  'asDict',
  'toJSON',
];

class ConfigStore implements ConfigMethods {
  readonly #values = new Map<string, unknown>();
  readonly #locks = new Map<string, string>();
  readonly #onChange: ((change: ConfigChange) => void) | undefined;
  readonly #allowValChange: boolean;
  readonly #warn: (message: string) => void;
  readonly #prefix: string;

  constructor(options: ConfigOptions) {
    this.#onChange = options.onChange;
    this.#allowValChange = options.allowValChange ?? false;
    this.#warn = options.warn ?? ((message) => console.warn(message));
    this.#prefix = options.runLabel ? `${options.runLabel}: ` : '';
  }

  boundMethods(): ConfigMethods {
    const methods = Object.create(null) as Record<string, unknown>;
    for (const name of METHOD_NAMES) methods[name] = (this[name] as (...args: unknown[]) => unknown).bind(this);
    return methods as unknown as ConfigMethods;
  }

  update(data: ConfigSource, options?: WithSnakeCaseAliases<ConfigUpdateOptions>): void {
    const { allowValChange, warnLocked }: ConfigUpdateOptions = camelCaseOptions(options, 'config.update');
    this.#write(this.#entries(data, 'update'), allowValChange ?? this.#allowValChange, warnLocked ?? true);
  }

  setItem(key: string, value: unknown): void {
    const sanitised = sanitizeValue(value);
    if (sanitised === SKIP) return;
    this.#write([[normalizeKey(key), sanitised]], this.#allowValChange, true);
  }

  setDefaults(data: ConfigSource): void {
    const added = new Map<string, unknown>();
    for (const [key, value] of this.#entries(data, 'setDefaults')) {
      // A locked key is always set, so it is skipped like any other present key.
      if (!this.#values.has(key) && !added.has(key)) added.set(key, value);
    }
    this.#apply(added);
  }

  updateLocked(data: ConfigSource, user: string): void {
    if (typeof user !== 'string' || user === '') {
      throw new CairnError('invalid_argument', `config.updateLocked() needs the name of the locking user, e.g. 'sweep'; got ${describeValue(user)}`);
    }
    const entries = this.#entries(data, 'updateLocked');
    const pending = new Map<string, unknown>();
    for (const [key, value] of entries) {
      pending.set(key, value);
      this.#locks.set(key, user);
    }
    this.#apply(pending);
  }

  deleteKey(rawKey: string): void {
    const key = stripDashes(rawKey);
    const locker = this.#locks.get(key);
    if (locker !== undefined) {
      this.#warnLocked(key, locker);
      return;
    }
    if (!this.#values.delete(key)) return;
    this.#onChange?.({ update: {}, remove: [key] });
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see ConfigMethods.get
  get(key: string, defaultValue?: unknown): any {
    return this.#values.has(key) ? this.#values.get(key) : defaultValue;
  }

  has(key: string): boolean {
    return this.#values.has(key);
  }

  keys(): string[] {
    return this.allKeys().filter((key) => !key.startsWith('_'));
  }

  items(): [string, unknown][] {
    return this.keys().map((key) => [key, this.#values.get(key)]);
  }

  allKeys(): string[] {
    return [...this.#values.keys()];
  }

  asDict(): Record<string, unknown> {
    const dict: Record<string, unknown> = {};
    for (const [key, value] of this.#values) setOwn(dict, key, copyValue(value));
    return dict;
  }

  toJSON(): Record<string, unknown> {
    return this.asDict();
  }

  /** Validates every entry first and applies nothing when one is rejected. */
  #write(entries: [string, unknown][], allowValChange: boolean, warnLocked: boolean): void {
    const pending = new Map<string, unknown>();
    const ignored = new Set<string>();
    for (const [key, value] of entries) {
      if (this.#locks.has(key)) {
        ignored.add(key);
        continue;
      }
      const isSet = pending.has(key) || this.#values.has(key);
      const current = pending.has(key) ? pending.get(key) : this.#values.get(key);
      if (isSet && !allowValChange && !valuesEqual(current, value)) {
        throw new CairnError(
          'config_value_locked',
          `${this.#prefix}config key '${key}' is already set to ${describeValue(current)}; ` +
            `pass { allowValChange: true } to config.update() to change it to ${describeValue(value)}`,
        );
      }
      pending.set(key, value);
    }
    if (warnLocked) {
      for (const key of ignored) this.#warnLocked(key, this.#locks.get(key) ?? '');
    }
    this.#apply(pending);
  }

  #apply(pending: Map<string, unknown>): void {
    const update: Record<string, unknown> = {};
    let changed = false;
    for (const [key, value] of pending) {
      if (this.#values.has(key) && valuesEqual(this.#values.get(key), value)) continue;
      this.#values.set(key, value);
      setOwn(update, key, value);
      changed = true;
    }
    if (changed) this.#onChange?.({ update });
  }

  #warnLocked(key: string, locker: string): void {
    this.#warn(`${this.#prefix}config key '${key}' is locked by '${locker}'; the write was ignored`);
  }

  /** Turns any accepted source into normalised keys with sanitised values; undefined values are dropped. */
  #entries(data: ConfigSource, method: string): [string, unknown][] {
    const raw = readSource(data, method);
    const entries: [string, unknown][] = [];
    for (const [key, value] of raw) {
      if (typeof key !== 'string') {
        throw new CairnError('invalid_argument', `config.${method}() needs string keys, got the ${typeof key} key ${describeValue(key)}`);
      }
      const sanitised = sanitizeValue(value);
      if (sanitised !== SKIP) entries.push([normalizeKey(key), sanitised]);
    }
    return entries;
  }
}

function readSource(data: ConfigSource, method: string): [unknown, unknown][] {
  if (typeof data === 'string') return Object.entries(readConfigYamlFile(data));
  if (data instanceof Map) return [...(data as Map<unknown, unknown>)];
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    const got = data === null ? 'null' : Array.isArray(data) ? 'an array' : typeof data;
    throw new CairnError('invalid_argument', `config.${method}() takes an object, a Map or the path of a YAML file; got ${got}`);
  }
  const record = data as Record<string, unknown>;
  return Object.keys(record).map((key) => [key, record[key]]);
}

function assignableKey(prop: string | symbol, action: string): string {
  if (typeof prop === 'symbol') {
    throw new CairnError('invalid_argument', `config keys must be strings; cannot ${action} ${String(prop)}`);
  }
  if ((METHOD_NAMES as readonly string[]).includes(prop) || Object.hasOwn(SNAKE_CASE_ALIASES, prop)) {
    throw new CairnError(
      'invalid_argument',
      `'${prop}' is a config method; store a key of that name with config.update({ ${prop}: … }) and read it with config.get('${prop}')`,
    );
  }
  return prop;
}

/** argparse-style names: '--lr' → 'lr'. */
function stripDashes(raw: string): string {
  return raw.replace(/^-+|-+$/g, '');
}

function normalizeKey(raw: string): string {
  const key = stripDashes(raw);
  if (key === '') {
    throw new CairnError('invalid_argument', `config key '${raw}' is empty once leading and trailing '-' are removed`);
  }
  if (CONFIG_VERSION_KEYS.includes(key)) {
    throw new CairnError('invalid_argument', `'${key}' is reserved for the config.yaml version line; choose another config key`);
  }
  return key;
}

const SKIP = Symbol('skip');
const TYPED_ARRAY_LIST_LIMIT = 32;

/**
 * Makes a frozen JSON-like copy of a config value. Config is forgiving: odd values become
 * strings instead of throwing (history values are the strict ones).
 */
function sanitizeValue(value: unknown): unknown {
  const sanitised = sanitize(value, new Set());
  return sanitised === SKIP ? SKIP : deepFreeze(sanitised);
}

function sanitize(value: unknown, ancestors: Set<object>): unknown {
  switch (typeof value) {
    case 'undefined':
      return SKIP;
    case 'string':
    case 'boolean':
    case 'number':
      return value;
    case 'bigint':
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
    case 'symbol':
      return value.toString();
    case 'function':
      return value.name || 'anonymous';
  }
  if (value === null) return null;
  const object = value as object;
  if (ancestors.has(object)) return '[Circular]';
  ancestors.add(object);
  try {
    return sanitizeObject(object, ancestors);
  } catch {
    // A throwing getter or toJSON(): keep the run going with the object's text.
    return safeString(object);
  } finally {
    ancestors.delete(object);
  }
}

function sanitizeObject(object: object, ancestors: Set<object>): unknown {
  if (Array.isArray(object)) {
    return Array.from(object as unknown[], (item) => orNull(sanitize(item, ancestors)));
  }
  if (ArrayBuffer.isView(object) && !(object instanceof DataView)) {
    const typed = object as unknown as ArrayLike<number | bigint>;
    if (typed.length > TYPED_ARRAY_LIST_LIMIT) return `${object.constructor.name}(${typed.length})`;
    return Array.from(typed, (item) => sanitize(item, ancestors));
  }
  if (object instanceof Date) {
    return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
  }
  if (object instanceof Number || object instanceof String || object instanceof Boolean) {
    return object.valueOf();
  }
  if (object instanceof Map) {
    const result: Record<string, unknown> = {};
    for (const [key, item] of object as Map<unknown, unknown>) {
      const sanitised = sanitize(item, ancestors);
      if (sanitised !== SKIP) setOwn(result, String(key), sanitised);
    }
    return result;
  }
  if (object instanceof Set) {
    return Array.from(object as Set<unknown>, (item) => orNull(sanitize(item, ancestors)));
  }
  const toJSON = (object as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    return orNull(sanitize(toJSON.call(object), ancestors));
  }
  if (isPlainObject(object)) {
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(object)) {
      const sanitised = sanitize(object[key], ancestors);
      if (sanitised !== SKIP) setOwn(result, key, sanitised);
    }
    return result;
  }
  return safeString(object);
}

function orNull(value: unknown): unknown {
  return value === SKIP ? null : value;
}

function safeString(value: object): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function deepFreeze(value: unknown): unknown {
  if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

/** Deep, unfrozen copy of a sanitised (JSON-like) value. */
function copyValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyValue);
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) setOwn(copy, key, copyValue(item));
    return copy;
  }
  return value;
}

/** Equality of sanitised values: deep, key order ignored, NaN equal to NaN. */
function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => valuesEqual(item, b[i]));
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  const aKeys = Object.keys(a);
  if (aKeys.length !== Object.keys(b).length) return false;
  const bRecord = b as Record<string, unknown>;
  return aKeys.every((key) => Object.hasOwn(bRecord, key) && valuesEqual((a as Record<string, unknown>)[key], bRecord[key]));
}

/** Short text of a value for messages: numbers as written, strings quoted, long values cut. */
function describeValue(value: unknown): string {
  const text = describeNested(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function describeNested(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(describeNested).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const parts = Object.entries(value).map(([key, item]) => `${key}: ${describeNested(item)}`);
    return parts.length === 0 ? '{}' : `{ ${parts.join(', ')} }`;
  }
  return String(value);
}

/** Assigns an own property, also for the key '__proto__', which plain assignment would not create. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
