/**
 * `run.summary`: item access, attribute access and methods over the run's summary, e.g.
 * `run.summary.best_acc = 0.93`, `run.summary['val']['loss']`, `delete run.summary.tmp`,
 * `run.summary.update({ a: 1 })`. Reads see values derived from `log()`; a nested object
 * is returned as a live view, so `run.summary.val.loss = 1` writes the nested key.
 * Keys named like a method (`update`, `get`, …) are reachable through `get()`.
 */
import { isPlainObject } from '@cairn/protocol';

export interface SummaryHost {
  readSummary(path: readonly string[]): unknown;
  writeSummary(path: readonly string[], value: unknown): void;
  removeSummary(path: readonly string[]): void;
  summaryKeys(path: readonly string[]): string[];
}

export interface SummaryMethods {
  /** The value at `key` (a live view for nested objects), or `fallback` when absent. */
  get(key: string, fallback?: unknown): unknown;
  has(key: string): boolean;
  /** Sets several keys at once; values replace, nested objects are not merged. */
  update(values: Record<string, unknown>): void;
  delete(key: string): void;
  keys(): string[];
  items(): Array<[string, unknown]>;
  /** A plain deep copy. */
  toJSON(): Record<string, unknown>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- ported code reads summary.acc as a number without casts
export type Summary = SummaryMethods & { [key: string]: any };

const METHOD_NAMES = new Set<PropertyKey>(['get', 'has', 'update', 'delete', 'keys', 'items', 'toJSON']);

export function createSummaryView(host: SummaryHost, path: readonly string[] = []): Summary {
  const at = (key: string) => [...path, key];
  const wrap = (key: string, value: unknown): unknown => (isPlainObject(value) ? createSummaryView(host, at(key)) : value);
  const methods: SummaryMethods = {
    get(key, fallback) {
      const value = host.readSummary(at(key));
      return value === undefined ? fallback : wrap(key, value);
    },
    has: (key) => host.readSummary(at(key)) !== undefined,
    update(values) {
      if (!isPlainObject(values)) throw new TypeError('summary.update() takes an object of key/value pairs');
      for (const [key, value] of Object.entries(values)) host.writeSummary(at(key), value);
    },
    delete: (key) => host.removeSummary(at(key)),
    keys: () => host.summaryKeys(path),
    items: () => host.summaryKeys(path).map((key) => [key, wrap(key, host.readSummary(at(key)))]),
    toJSON: () => {
      const value = host.readSummary(path);
      return isPlainObject(value) ? structuredClone(value) : {};
    },
  };
  return new Proxy({} as Summary, {
    get(_target, prop) {
      if (typeof prop === 'symbol') {
        if (prop === Symbol.toStringTag) return 'Summary';
        return undefined;
      }
      if (METHOD_NAMES.has(prop)) return methods[prop as keyof SummaryMethods];
      return wrap(prop, host.readSummary(at(prop)));
    },
    set(_target, prop, value) {
      if (typeof prop === 'symbol' || METHOD_NAMES.has(prop)) {
        throw new TypeError(`summary.${String(prop)} is a method; write that key with summary.update({ ${String(prop)}: … })`);
      }
      host.writeSummary(at(prop), value);
      return true;
    },
    deleteProperty(_target, prop) {
      if (typeof prop !== 'symbol') host.removeSummary(at(prop));
      return true;
    },
    has: (_target, prop) => typeof prop === 'string' && host.readSummary(at(prop)) !== undefined,
    ownKeys: () => host.summaryKeys(path),
    getOwnPropertyDescriptor(_target, prop) {
      if (typeof prop === 'symbol') return undefined;
      const value = host.readSummary(at(prop));
      if (value === undefined) return undefined;
      return { value: wrap(prop, value), writable: true, enumerable: true, configurable: true };
    },
  });
}
