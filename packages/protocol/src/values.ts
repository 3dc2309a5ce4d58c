/**
 * What `log()` accepts and how each value is stored in a history row.
 *
 * numbers (NaN and ±Infinity included), bigint, booleans, strings and null are kept as they
 * are; Dates become ISO strings; plain arrays are kept element by element; typed arrays of up
 * to 32 elements become number arrays (one element: the number itself) and longer ones a
 * 32-bin histogram; Sets become arrays, Maps plain objects; objects with `toJSON()` are
 * replaced by its result. `undefined` drops the key. Anything else (functions, symbols,
 * circular structures, class instances without `toJSON`) is a TypeError naming the key.
 */
import { isPlainObject } from './keys.js';

/** Bins of the histogram that replaces a long typed array (the reference's value). */
export const TYPED_ARRAY_HISTOGRAM_BINS = 32;
/** Typed arrays longer than this become histograms. */
export const TYPED_ARRAY_LIST_LIMIT = 32;

/** The stored form of a histogram. */
export interface HistogramValue {
  _type: 'histogram';
  values: number[];
  bins: number[];
}

type TypedArray =
  | Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array
  | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

/**
 * Validates the argument of `log()` and returns a new row object holding the stored form of
 * every value. Throws a TypeError naming the offending key; the input is never modified.
 */
export function normaliseLogData(data: unknown, method = 'log'): Record<string, unknown> {
  let source: Record<string, unknown>;
  if (isPlainObject(data)) {
    source = data;
  } else if (data instanceof Map) {
    source = mapToObject(data, method, '');
  } else {
    throw new TypeError(`${method}() takes an object of key/value pairs, e.g. ${method}({ loss: 0.5 }); got ${describe(data)}`);
  }
  const row: Record<string, unknown> = {};
  for (const key in source) {
    const value = source[key];
    // Scalars are the overwhelming majority: keep them off the general path.
    switch (typeof value) {
      case 'number':
      case 'string':
      case 'boolean':
        row[key] = value;
        continue;
      case 'undefined':
        continue;
    }
    const stored = normaliseValue(value, key, [source], method);
    if (stored !== undefined) row[key] = stored;
  }
  return row;
}

function normaliseValue(value: unknown, path: string, ancestors: object[], method: string): unknown {
  switch (typeof value) {
    case 'number':
    case 'string':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return value;
    case 'function':
      throw unloggable(method, path, 'a function');
    case 'symbol':
      throw unloggable(method, path, 'a symbol');
  }
  if (value === null) return null;
  const obj = value as object;
  if (ancestors.includes(obj)) throw unloggable(method, path, 'a circular reference');
  if (obj instanceof Date) {
    if (Number.isNaN(obj.getTime())) throw unloggable(method, path, 'an invalid Date');
    return obj.toISOString();
  }
  if (ArrayBuffer.isView(obj) && !(obj instanceof DataView)) return typedArrayValue(obj as TypedArray);
  const inner = [...ancestors, obj];
  if (Array.isArray(obj)) {
    const out = new Array<unknown>(obj.length);
    for (let i = 0; i < obj.length; i++) {
      const stored = normaliseValue(obj[i], `${path}[${i}]`, inner, method);
      out[i] = stored === undefined ? null : stored;
    }
    return out;
  }
  // toJSON first, as JSON.stringify does: it wins even on a plain object.
  const toJSON = (obj as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    return normaliseValue((toJSON as () => unknown).call(obj), path, inner, method);
  }
  if (isPlainObject(obj)) return normaliseObject(obj, path, inner, method);
  if (obj instanceof Map) return normaliseObject(mapToObject(obj, method, path), path, inner, method);
  if (obj instanceof Set) return normaliseValue([...obj], path, ancestors, method);
  const className = (obj.constructor as { name?: string } | undefined)?.name ?? 'object';
  throw unloggable(method, path, `an instance of ${className} without toJSON()`);
}

function normaliseObject(obj: Record<string, unknown>, path: string, ancestors: object[], method: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in obj) {
    const stored = normaliseValue(obj[key], `${path}.${key}`, ancestors, method);
    if (stored !== undefined) out[key] = stored;
  }
  return out;
}

function mapToObject(map: Map<unknown, unknown>, method: string, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of map) {
    if (typeof key !== 'string') {
      throw new TypeError(`${method}(): keys must be strings; ${path ? `the Map at '${path}'` : 'the Map'} has a key of type ${typeof key}`);
    }
    out[key] = value;
  }
  return out;
}

function typedArrayValue(array: TypedArray): unknown {
  const length = array.length;
  const numbers = new Array<number>(length);
  for (let i = 0; i < length; i++) numbers[i] = Number(array[i]);
  if (length === 1) return numbers[0];
  if (length <= TYPED_ARRAY_LIST_LIMIT) return numbers;
  return histogramOf(numbers, TYPED_ARRAY_HISTOGRAM_BINS);
}

/**
 * Counts finite values into `bins` equal-width bins over [min, max] (the last bin closed).
 * A constant input gets the range [v - 0.5, v + 0.5]; an input with no finite value, [0, 1].
 */
export function histogramOf(values: ArrayLike<number>, bins: number): HistogramValue {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min > max) {
    min = 0;
    max = 1;
  } else if (min === max) {
    min -= 0.5;
    max += 0.5;
  }
  const width = (max - min) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    const bin = Math.min(bins - 1, Math.floor((v - min) / width));
    counts[bin]!++;
  }
  const edges = new Array<number>(bins + 1);
  for (let i = 0; i <= bins; i++) edges[i] = i === bins ? max : min + i * width;
  return { _type: 'histogram', values: counts, bins: edges };
}

function unloggable(method: string, path: string, what: string): TypeError {
  return new TypeError(
    `${method}(): cannot record the value of key '${path}': it is ${what}. ` +
      'Log numbers, strings, booleans, null, arrays, plain objects, Dates, typed arrays, or objects with a toJSON() method.',
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an instance of ${(value.constructor as { name?: string } | undefined)?.name ?? 'object'}`;
  return `${typeof value} ${String(value).slice(0, 40)}`;
}
