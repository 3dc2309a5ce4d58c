/**
 * Metric definitions (`defineMetric`): argument validation and the registry that merges
 * redefinitions and resolves which definition governs a logged path. See behaviour.md §4.
 */
import { CairnError } from './errors.js';

/** Every summary op `defineMetric({ summary })` accepts, lower-case. */
export const SUMMARY_OPS = ['min', 'max', 'mean', 'best', 'last', 'first', 'copy', 'none'] as const;

/** One summary op; `best` follows the metric's goal, `copy` keeps the plain last value, `none` hides it. */
export type SummaryOp = (typeof SUMMARY_OPS)[number];

/** Whether smaller (`minimize`, the default for `best`) or larger values are better. */
export type Goal = 'minimize' | 'maximize';

/**
 * A stored metric definition. `name` is an escaped dotted path (`train.acc` is the nested
 * value `{ train: { acc } }`, `a\.b` the flat key `"a.b"`), or a glob ending in `*`.
 * Definitions handed out by the registry are frozen.
 */
export interface MetricDefinition {
  name: string;
  stepMetric?: string;
  stepSync?: boolean;
  hidden?: boolean;
  /** In the order given, deduplicated. */
  summary?: SummaryOp[];
  goal?: Goal;
}

/**
 * The options `defineMetric(name, options)` accepts, by their camelCase names only: the SDK
 * renames the reference's snake_case spellings (`step_metric`, `step_sync`) through its one
 * alias table before they get here.
 */
export interface DefineMetricOptions {
  /** A metric name, or a metric object whose `name` is used. */
  stepMetric?: string | { name: string };
  stepSync?: boolean;
  hidden?: boolean;
  /** Comma-separated, case-insensitive ops, e.g. `"min,max"`; whitespace is not trimmed. */
  summary?: string;
  /** Only the first three letters count, case-insensitively: `min…` or `max…`. */
  goal?: string;
  overwrite?: boolean;
}

const OP_SET: ReadonlySet<string> = new Set(SUMMARY_OPS);

function invalid(message: string): CairnError {
  return new CairnError('invalid_argument', message);
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return value === '' ? 'an empty string' : `string '${value}'`;
    case 'number':
    case 'bigint':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    default:
      return typeof value;
  }
}

function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '') {
    throw invalid(`defineMetric: name must be a non-empty string, got ${describeValue(name)}`);
  }
  const star = name.indexOf('*');
  if (star !== -1 && star !== name.length - 1) {
    throw invalid(
      `defineMetric: name '${name}' has '*' before its end; only one trailing '*' is supported (e.g. 'train/*')`,
    );
  }
}

function readBoolean(options: Record<string, unknown>, key: string): boolean | undefined {
  const value = options[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') {
    throw invalid(`defineMetric: ${key} must be a boolean, got ${describeValue(value)}`);
  }
  return value;
}

function readStepMetric(options: Record<string, unknown>): string | undefined {
  let value = options['stepMetric'];
  if (value === undefined || value === null) return undefined;
  // A metric object returned by an earlier defineMetric call stands for its name.
  if (typeof value === 'object' && !Array.isArray(value) && typeof (value as { name?: unknown }).name === 'string') {
    value = (value as { name: string }).name;
  }
  if (typeof value !== 'string' || value === '') {
    throw invalid(
      `defineMetric: stepMetric must be a non-empty string or a metric object, got ${describeValue(value)}`,
    );
  }
  if (value.includes('*')) {
    throw invalid(`defineMetric: stepMetric '${value}' must name one metric, not a glob`);
  }
  return value;
}

function readSummary(options: Record<string, unknown>): SummaryOp[] | undefined {
  const value = options['summary'];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw invalid(`defineMetric: summary must be a string like 'min,max', got ${describeValue(value)}`);
  }
  const ops: SummaryOp[] = [];
  for (const part of value.split(',')) {
    const op = part.toLowerCase();
    if (!OP_SET.has(op)) {
      throw invalid(
        `defineMetric: unknown summary op '${part}' in '${value}'; use a comma-separated list (no spaces) of ${SUMMARY_OPS.join(', ')}`,
      );
    }
    if (!ops.includes(op as SummaryOp)) ops.push(op as SummaryOp);
  }
  return ops;
}

function readGoal(options: Record<string, unknown>): Goal | undefined {
  const value = options['goal'];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw invalid(`defineMetric: goal must be a string, got ${describeValue(value)}`);
  }
  // The reference checks only the first three letters, so 'MINIMUM' and 'maxwell' pass.
  const prefix = value.slice(0, 3).toLowerCase();
  if (prefix === 'min') return 'minimize';
  if (prefix === 'max') return 'maximize';
  throw invalid(`defineMetric: goal must be 'minimize' or 'maximize', got ${describeValue(value)}`);
}

/**
 * Validates `defineMetric` arguments (behaviour.md §4.1) and returns the definition to
 * store. Options are read by their camelCase names; any other key, a snake_case spelling
 * included, is ignored (the SDK renames snake_case keys first and warns about unknown ones).
 *
 * @throws CairnError('invalid_argument') naming the argument and the offending value.
 * @example
 * parseMetricDefinition('loss', { summary: 'min,max', goal: 'minimize' });
 * // → { definition: { name: 'loss', summary: ['min', 'max'], goal: 'minimize' }, overwrite: false }
 */
export function parseMetricDefinition(
  name: unknown,
  options?: unknown,
): { definition: MetricDefinition; overwrite: boolean } {
  checkName(name);
  if (options === undefined || options === null) return { definition: { name }, overwrite: false };
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw invalid(`defineMetric: options must be an object, got ${describeValue(options)}`);
  }
  const opts = options as Record<string, unknown>;
  const definition: MetricDefinition = { name };
  const stepMetric = readStepMetric(opts);
  const stepSync = readBoolean(opts, 'stepSync');
  const hidden = readBoolean(opts, 'hidden');
  const summary = readSummary(opts);
  const goal = readGoal(opts);
  const overwrite = readBoolean(opts, 'overwrite') ?? false;
  if (stepMetric !== undefined) definition.stepMetric = stepMetric;
  if (stepSync !== undefined) definition.stepSync = stepSync;
  else if (stepMetric !== undefined) definition.stepSync = true;
  if (hidden !== undefined) definition.hidden = hidden;
  if (summary !== undefined) definition.summary = summary;
  if (goal !== undefined) definition.goal = goal;
  return { definition, overwrite };
}

/** A frozen copy holding only the fields that are set. */
function freezeDefinition(source: MetricDefinition): MetricDefinition {
  const copy: MetricDefinition = { name: source.name };
  if (source.stepMetric !== undefined) copy.stepMetric = source.stepMetric;
  if (source.stepSync !== undefined) copy.stepSync = source.stepSync;
  if (source.hidden !== undefined) copy.hidden = source.hidden;
  if (source.summary !== undefined) copy.summary = Object.freeze([...new Set(source.summary)]) as SummaryOp[];
  if (source.goal !== undefined) copy.goal = source.goal;
  return Object.freeze(copy);
}

/** A merged flag can be switched on but never off again. */
function mergeFlag(previous: boolean | undefined, next: boolean | undefined): boolean | undefined {
  return previous === true || next === true ? true : (next ?? previous);
}

function mergeDefinitions(previous: MetricDefinition, next: MetricDefinition): MetricDefinition {
  const merged: MetricDefinition = { name: previous.name };
  const stepMetric = next.stepMetric ?? previous.stepMetric;
  const stepSync = mergeFlag(previous.stepSync, next.stepSync);
  const hidden = mergeFlag(previous.hidden, next.hidden);
  const goal = next.goal ?? previous.goal;
  if (stepMetric !== undefined) merged.stepMetric = stepMetric;
  if (stepSync !== undefined) merged.stepSync = stepSync;
  if (hidden !== undefined) merged.hidden = hidden;
  // Summary ops are flags too: a merge adds ops and never removes one.
  if (previous.summary !== undefined || next.summary !== undefined) {
    merged.summary = [...(previous.summary ?? []), ...(next.summary ?? [])];
  }
  if (goal !== undefined) merged.goal = goal;
  return freezeDefinition(merged);
}

/**
 * Holds a run's metric definitions: exact names and globs in separate tables, plus empty
 * definitions created for referenced step metrics. Merges redefinitions (§4.2) and
 * resolves the definition governing a logged path (§4.3).
 *
 * @example
 * const metrics = new MetricRegistry();
 * metrics.define(parseMetricDefinition('train/*', { stepMetric: 'epoch' }).definition);
 * metrics.lookup('train/loss'); // → { name: 'train/loss', stepMetric: 'epoch', stepSync: true }
 */
export class MetricRegistry {
  /** Explicit definitions, exact and glob, in the order they were first defined. */
  readonly #explicit = new Map<string, MetricDefinition>();
  readonly #exact = new Map<string, MetricDefinition>();
  readonly #globs = new Map<string, MetricDefinition>();
  /** Empty definitions for step metrics nobody defined (local, never stored). */
  readonly #stepMetrics = new Map<string, MetricDefinition>();
  /** Glob resolution per path; `null` caches "no glob matches". */
  readonly #expansions = new Map<string, MetricDefinition | null>();

  /**
   * Adds or merges a definition (§4.2): fields given overwrite, fields not given keep their
   * old value, and flags (`stepSync`, `hidden`, summary ops) can only be turned on by a
   * merge. `overwrite` replaces the previous definition instead. An empty definition is
   * created for a step metric that has none. Returns the stored definition.
   */
  define(definition: MetricDefinition, overwrite = false): MetricDefinition {
    checkName(definition.name);
    const name = definition.name;
    const previous = this.#explicit.get(name);
    const stored =
      previous === undefined || overwrite ? freezeDefinition(definition) : mergeDefinitions(previous, definition);
    this.#explicit.set(name, stored);
    if (name.endsWith('*')) {
      this.#globs.set(name, stored);
    } else {
      this.#exact.set(name, stored);
      this.#stepMetrics.delete(name);
    }
    const stepMetric = stored.stepMetric;
    if (stepMetric !== undefined && !this.#exact.has(stepMetric) && !this.#stepMetrics.has(stepMetric)) {
      this.#stepMetrics.set(stepMetric, Object.freeze({ name: stepMetric }));
    }
    // Expansions are recomputed so they follow merged globs and newer exact definitions.
    this.#expansions.clear();
    return stored;
  }

  /**
   * The definition governing an escaped dotted path: the exact definition; else the first
   * glob, in definition order, whose text before `*` prefixes the path (never for paths
   * starting with `_`), returned as a concrete expansion named after the path; else an
   * auto-created step metric definition; else undefined.
   */
  lookup(path: string): MetricDefinition | undefined {
    return this.#exact.get(path) ?? this.#matchGlob(path) ?? this.#stepMetrics.get(path);
  }

  /** True while no metric has been defined; the summary then takes its fast path. */
  get isEmpty(): boolean {
    return this.#explicit.size === 0;
  }

  /**
   * The explicitly defined definitions, exact and glob, in definition order: what a run
   * stores. Glob expansions and auto-created step metrics are not included.
   */
  explicit(): MetricDefinition[] {
    return [...this.#explicit.values()];
  }

  #matchGlob(path: string): MetricDefinition | undefined {
    if (this.#globs.size === 0 || path.startsWith('_')) return undefined;
    const cached = this.#expansions.get(path);
    if (cached !== undefined) return cached ?? undefined;
    let expansion: MetricDefinition | null = null;
    for (const glob of this.#globs.values()) {
      if (path.startsWith(glob.name.slice(0, -1))) {
        expansion = Object.freeze({ ...glob, name: path });
        break;
      }
    }
    this.#expansions.set(path, expansion);
    return expansion ?? undefined;
  }
}
