/**
 * The run summary reducer (behaviour.md §3, §4.3). The SDK (live), the log reader and the
 * server's ingest all feed rows through it, so they can never disagree about a summary.
 */
import { CairnError } from './errors.js';
import { escapeKey, isPlainObject, splitPath } from './keys.js';
import type { MetricDefinition, MetricRegistry, SummaryOp } from './metric.js';

type Tree = Record<string, unknown>;

/** See {@link SummaryState.snapshot}. */
export interface SummarySnapshot {
  summary: Record<string, unknown>;
  aggregates: Array<[string, Aggregate]>;
  lastLogged: Array<[string, unknown]>;
}

/** Running state of one aggregated leaf, over its numeric, non-NaN values. */
export interface Aggregate {
  count: number;
  sum: number;
  min: number;
  max: number;
  first: number;
  last: number;
}

/** What logging a value does to a defined leaf's summary entry. */
type Treatment =
  | { kind: 'plain' }
  | { kind: 'absent' }
  | { kind: 'aggregate'; ops: readonly SummaryOp[]; maximize: boolean };

const PLAIN: Treatment = { kind: 'plain' };
const ABSENT: Treatment = { kind: 'absent' };
const AGGREGATE_OPS: ReadonlySet<SummaryOp> = new Set<SummaryOp>(['min', 'max', 'mean', 'best', 'last', 'first']);

/** Definitions are frozen and replaced on change, so identity is a safe cache key. */
const treatments = new WeakMap<MetricDefinition, Treatment>();

function treatmentOf(definition: MetricDefinition | undefined): Treatment {
  if (definition?.summary === undefined || definition.summary.length === 0) return PLAIN;
  let treatment = treatments.get(definition);
  if (treatment === undefined) {
    const ops = definition.summary.filter((op) => AGGREGATE_OPS.has(op));
    if (ops.length > 0) treatment = { kind: 'aggregate', ops, maximize: definition.goal === 'maximize' };
    else treatment = definition.summary.includes('copy') ? PLAIN : ABSENT;
    treatments.set(definition, treatment);
  }
  return treatment;
}

/** The number an aggregate sees, or undefined for values that are not numeric. */
function numericValue(value: unknown): number | undefined {
  switch (typeof value) {
    case 'number':
      return value;
    case 'boolean':
      return value ? 1 : 0;
    case 'bigint':
      return Number(value);
    default:
      return undefined;
  }
}

/**
 * Internal objects have no prototype, so a `__proto__` key read from JSON is an ordinary
 * property there and can never reach `Object.prototype`.
 */
function emptyTree(): Tree {
  return Object.create(null) as Tree;
}

/** Merges `value` into `node[key]` leaf by leaf; only plain objects are walked into. */
function mergeLeaves(node: Tree, key: string, value: unknown): void {
  if (!isPlainObject(value)) {
    node[key] = value;
    return;
  }
  let target = node[key];
  if (!isPlainObject(target)) {
    target = emptyTree();
    node[key] = target;
  }
  for (const child in value) {
    if (Object.hasOwn(value, child)) mergeLeaves(target as Tree, child, value[child]);
  }
}

/** The object at `keys` (all of them), creating or replacing non-objects on the way. */
function branchAt(root: Tree, keys: readonly string[], depth: number): Tree {
  let node = root;
  for (let i = 0; i < depth; i++) {
    const key = keys[i]!;
    const child = node[key];
    if (isPlainObject(child)) {
      node = child;
    } else {
      const created = emptyTree();
      node[key] = created;
      node = created;
    }
  }
  return node;
}

function setAt(root: Tree, keys: readonly string[], value: unknown): void {
  branchAt(root, keys, keys.length - 1)[keys[keys.length - 1]!] = value;
}

function removeAt(root: Tree, keys: readonly string[]): void {
  let node: unknown = root;
  for (let i = 0; i < keys.length - 1; i++) {
    if (!isPlainObject(node)) return;
    node = node[keys[i]!];
  }
  if (isPlainObject(node)) delete node[keys[keys.length - 1]!];
}

/** A deep copy owned by the summary: plain objects become prototype-less trees. */
function ownCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(ownCopy);
  if (!isPlainObject(value)) return value;
  const copy = emptyTree();
  for (const key in value) if (Object.hasOwn(value, key)) copy[key] = ownCopy(value[key]);
  return copy;
}

/** A deep copy for callers: ordinary objects and arrays, nothing shared with the summary. */
function outCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(outCopy);
  if (!isPlainObject(value)) return value;
  const copy: Tree = {};
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    // Plain assignment of '__proto__' would set the prototype instead of a property.
    if (key === '__proto__') {
      Object.defineProperty(copy, key, { value: outCopy(value[key]), enumerable: true, writable: true, configurable: true });
    } else {
      copy[key] = outCopy(value[key]);
    }
  }
  return copy;
}

function renderAggregate(aggregate: Aggregate, ops: readonly SummaryOp[], maximize: boolean): Tree {
  const out = emptyTree();
  for (const op of ops) {
    switch (op) {
      case 'min':
        out[op] = aggregate.min;
        break;
      case 'max':
        out[op] = aggregate.max;
        break;
      case 'mean':
        out[op] = aggregate.sum / aggregate.count;
        break;
      case 'best':
        out[op] = maximize ? aggregate.max : aggregate.min;
        break;
      case 'first':
        out[op] = aggregate.first;
        break;
      case 'last':
        out[op] = aggregate.last;
        break;
    }
  }
  return out;
}

/**
 * The run summary reducer, shared by the SDK (live), the log reader and the server's
 * ingest so they can never disagree.
 *
 * Without metric definitions every top-level entry of a row is copied (nested objects
 * merged leaf by leaf). With definitions each leaf follows the definition of its path, or
 * of its nearest defined ancestor: plain last value, a `{ min, max, … }` object of the
 * requested aggregates, or nothing for `summary: 'none'`. Top-level `_` keys are always
 * copied plainly.
 *
 * @example
 * const summary = new SummaryState(metrics);
 * const row = summary.syncStepMetrics({ loss: 0.3, _step: 4 });
 * store(row);
 * summary.applyRow(row);
 * summary.toJSON(); // → { loss: { min: 0.3 }, _step: 4 } with `loss` defined as summary 'min'
 */
export class SummaryState {
  readonly #metrics: MetricRegistry;
  readonly #summary: Tree = emptyTree();
  /** Per escaped path, over every numeric value logged while the leaf was aggregated. */
  readonly #aggregates = new Map<string, Aggregate>();
  /** The last value logged for each top-level leaf key: what step_sync inserts. */
  readonly #lastLogged = new Map<string, unknown>();
  /** The top-level key a step metric path names, or null for nested step metrics. */
  readonly #stepKeys = new Map<string, string | null>();

  constructor(metrics: MetricRegistry) {
    this.#metrics = metrics;
  }

  /**
   * step_sync (§4.3), before a history row is stored: for every leaf whose definition has a
   * step metric with `stepSync`, and whose top-level step metric key is absent from the
   * row, inserts the value last logged for that key. Inserts nothing for a step metric
   * never logged, and only top-level step metrics are synced. Mutates and returns `row`.
   */
  syncStepMetrics(row: Record<string, unknown>): Record<string, unknown> {
    if (this.#metrics.isEmpty) return row;
    const inserts = new Map<string, unknown>();
    for (const key in row) {
      if (Object.hasOwn(row, key) && !key.startsWith('_')) {
        this.#collectStepSync(row, row[key], escapeKey(key), undefined, inserts);
      }
    }
    for (const [key, value] of inserts) {
      Object.defineProperty(row, key, { value, enumerable: true, writable: true, configurable: true });
    }
    return row;
  }

  /** Folds a stored history row into the summary (§3.1, §3.3). */
  applyRow(row: Record<string, unknown>): void {
    const summary = this.#summary;
    if (this.#metrics.isEmpty) {
      // Hot path: runs on every log() call, so no allocation for scalar values.
      for (const key in row) {
        if (!Object.hasOwn(row, key)) continue;
        const value = row[key];
        if (isPlainObject(value)) {
          this.#lastLogged.delete(key);
          mergeLeaves(summary, key, value);
        } else {
          this.#lastLogged.set(key, value);
          summary[key] = value;
        }
      }
      return;
    }
    const keys: string[] = [];
    for (const key in row) {
      if (!Object.hasOwn(row, key)) continue;
      const value = row[key];
      if (isPlainObject(value)) this.#lastLogged.delete(key);
      else this.#lastLogged.set(key, value);
      if (key.startsWith('_')) {
        mergeLeaves(summary, key, value);
        continue;
      }
      keys.push(key);
      this.#applyDefined(value, keys, escapeKey(key), undefined);
      keys.pop();
    }
  }

  /**
   * Sets the value at a key path (§3.2). A one-key path replaces that entry; a longer path
   * creates missing intermediate objects (replacing non-objects in the way). A later
   * logged value of the same key wins again.
   */
  set(path: readonly string[], value: unknown): void {
    checkPath(path);
    setAt(this.#summary, path, ownCopy(value));
  }

  /** Removes the value at a key path; a missing path is ignored. */
  remove(path: readonly string[]): void {
    checkPath(path);
    removeAt(this.#summary, path);
  }

  /** A copy of the value at a key path (the whole summary for `[]`), or undefined. */
  get(path: readonly string[]): unknown {
    let node: unknown = this.#summary;
    for (const key of path) {
      if (!isPlainObject(node)) return undefined;
      node = node[key];
    }
    return outCopy(node);
  }

  /** The current summary as a plain object: a deep copy, safe to serialise or mutate. */
  toJSON(): Record<string, unknown> {
    return outCopy(this.#summary) as Record<string, unknown>;
  }

  /**
   * The reducer's whole state (summary, running aggregates, step-sync values) as plain data,
   * so that a reducer can continue elsewhere: the server keeps it between ingest batches.
   */
  snapshot(): SummarySnapshot {
    return {
      summary: this.toJSON(),
      aggregates: [...this.#aggregates].map(([path, aggregate]) => [path, { ...aggregate }]),
      lastLogged: [...this.#lastLogged].map(([key, value]) => [key, outCopy(value)]),
    };
  }

  /** A reducer that continues from `snapshot`, over the registry holding the same definitions. */
  static restore(metrics: MetricRegistry, snapshot: SummarySnapshot): SummaryState {
    const state = new SummaryState(metrics);
    for (const key of Object.keys(snapshot.summary)) setAt(state.#summary, [key], ownCopy(snapshot.summary[key]));
    for (const [path, aggregate] of snapshot.aggregates) state.#aggregates.set(path, { ...aggregate });
    for (const [key, value] of snapshot.lastLogged) state.#lastLogged.set(key, ownCopy(value));
    return state;
  }

  #applyDefined(value: unknown, keys: string[], path: string, inherited: MetricDefinition | undefined): void {
    const definition = this.#metrics.lookup(path) ?? inherited;
    if (isPlainObject(value)) {
      let empty = true;
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue;
        empty = false;
        keys.push(key);
        this.#applyDefined(value[key], keys, `${path}.${escapeKey(key)}`, definition);
        keys.pop();
      }
      // An empty object is still a value: copied like the fast path copies it.
      if (empty && treatmentOf(definition) === PLAIN) branchAt(this.#summary, keys, keys.length);
      return;
    }
    const treatment = treatmentOf(definition);
    if (treatment.kind === 'plain') {
      setAt(this.#summary, keys, value);
    } else if (treatment.kind === 'absent') {
      removeAt(this.#summary, keys);
    } else {
      const number = numericValue(value);
      if (number === undefined) {
        setAt(this.#summary, keys, value);
        return;
      }
      if (Number.isNaN(number)) return;
      let aggregate = this.#aggregates.get(path);
      if (aggregate === undefined) {
        aggregate = { count: 1, sum: number, min: number, max: number, first: number, last: number };
        this.#aggregates.set(path, aggregate);
      } else {
        aggregate.count += 1;
        aggregate.sum += number;
        if (number < aggregate.min) aggregate.min = number;
        if (number > aggregate.max) aggregate.max = number;
        aggregate.last = number;
      }
      setAt(this.#summary, keys, renderAggregate(aggregate, treatment.ops, treatment.maximize));
    }
  }

  #collectStepSync(
    row: Record<string, unknown>,
    value: unknown,
    path: string,
    inherited: MetricDefinition | undefined,
    inserts: Map<string, unknown>,
  ): void {
    const definition = this.#metrics.lookup(path) ?? inherited;
    if (isPlainObject(value)) {
      for (const key in value) {
        if (Object.hasOwn(value, key)) {
          this.#collectStepSync(row, value[key], `${path}.${escapeKey(key)}`, definition, inserts);
        }
      }
      return;
    }
    if (definition?.stepMetric === undefined || definition.stepSync !== true) return;
    const stepKey = this.#stepKey(definition.stepMetric);
    if (stepKey === null || Object.hasOwn(row, stepKey) || !this.#lastLogged.has(stepKey)) return;
    inserts.set(stepKey, this.#lastLogged.get(stepKey));
  }

  #stepKey(stepMetric: string): string | null {
    let key = this.#stepKeys.get(stepMetric);
    if (key === undefined) {
      const keys = splitPath(stepMetric);
      key = keys.length === 1 ? keys[0]! : null;
      this.#stepKeys.set(stepMetric, key);
    }
    return key;
  }
}

function checkPath(path: readonly string[]): void {
  if (path.length === 0) throw new CairnError('invalid_argument', 'summary key path must have at least one key');
}
