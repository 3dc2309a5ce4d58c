/**
 * The record log line format: one record per line,
 *
 *     <crc32 of the JSON, 8 lower-case hex digits> <JSON>\n
 *
 * JSON cannot hold NaN, ±Infinity or bigint, so such values are written as null and listed
 * in an `x` member of the record: `[[path, tag], …]` with tag "NaN", "Infinity", "-Infinity"
 * or "<digits>n". Reading restores them, so every number survives the round trip.
 *
 * A line whose checksum does not match, or a last line without its newline (a writer killed
 * mid-write), is not a record. Records are numbered by their line index; the index is what
 * uploads carry so that the server applies each record once.
 */
import { crc32 as crc32Js } from './crc32.js';

export type Crc32 = (data: string | Uint8Array) => number;

type Path = Array<string | number>;
type Special = [Path, string];

/** Encodes one record as a complete log line, newline included. */
export function encodeRecordLine(record: object, crc32: Crc32 = crc32Js): string {
  const specials: Special[] = [];
  collectSpecials(record, [], specials);
  const json = specials.length === 0 ? JSON.stringify(record) : JSON.stringify({ ...record, x: specials }, nullifySpecials);
  return `${hex8(crc32(json))} ${json}\n`;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function collectSpecials(value: unknown, path: Path, out: Special[]): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) out.push([path.slice(), Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity']);
    return;
  }
  if (typeof value === 'bigint') {
    out.push([path.slice(), `${value}n`]);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'object' || typeof item === 'bigint' || (typeof item === 'number' && !Number.isFinite(item))) {
        path.push(i);
        collectSpecials(item, path, out);
        path.pop();
      }
    }
    return;
  }
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (typeof item === 'object' || typeof item === 'bigint' || (typeof item === 'number' && !Number.isFinite(item))) {
      path.push(key);
      collectSpecials(item, path, out);
      path.pop();
    }
  }
}

function nullifySpecials(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return null;
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

/**
 * JSON text for any value, keeping NaN, ±Infinity and bigint (stored beside it as in a log
 * line): for storing summaries, configs and snapshots in a database. Decode with decodeJson.
 */
export function encodeJson(value: unknown): string {
  const specials: Special[] = [];
  collectSpecials({ v: value }, [], specials);
  return specials.length === 0 ? JSON.stringify({ v: value }) : JSON.stringify({ v: value, x: specials }, nullifySpecials);
}

/** The value encodeJson encoded. Throws a SyntaxError for text it did not write. */
export function decodeJson(text: string): unknown {
  const wrapper = JSON.parse(text) as { v: unknown; x?: Special[] };
  if (Array.isArray(wrapper.x)) restoreSpecials(wrapper as unknown as Record<string, unknown>, wrapper.x);
  return wrapper.v;
}

/** Decodes one line (without its newline); undefined when the checksum or the JSON is bad. */
export function decodeRecordLine(line: string, crc32: Crc32 = crc32Js): Record<string, unknown> | undefined {
  if (line.length < 10 || line[8] !== ' ') return undefined;
  const json = line.slice(9);
  const expected = Number.parseInt(line.slice(0, 8), 16);
  if (!Number.isFinite(expected) || crc32(json) !== expected) return undefined;
  return parseRecordJson(json);
}

/** Decodes a line given as bytes: the checksum is taken over the bytes as they are. */
function decodeRecordBytes(line: Uint8Array, crc32: Crc32): Record<string, unknown> | undefined {
  if (line.length < 10 || line[8] !== 0x20) return undefined;
  const expected = Number.parseInt(utf8.decode(line.subarray(0, 8)), 16);
  const json = line.subarray(9);
  if (!Number.isFinite(expected) || crc32(json) !== expected) return undefined;
  return parseRecordJson(utf8.decode(json));
}

function parseRecordJson(json: string): Record<string, unknown> | undefined {
  let record: unknown;
  try {
    record = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return undefined;
  const rec = record as Record<string, unknown>;
  if (Array.isArray(rec.x)) {
    restoreSpecials(rec, rec.x as Special[]);
    delete rec.x;
  }
  return rec;
}

function restoreSpecials(record: Record<string, unknown>, specials: Special[]): void {
  for (const [path, tag] of specials) {
    if (!Array.isArray(path) || path.length === 0) continue;
    let parent: unknown = record;
    for (let i = 0; i < path.length - 1; i++) {
      parent = (parent as Record<string | number, unknown> | null)?.[path[i]!];
      if (parent === null || typeof parent !== 'object') break;
    }
    if (parent === null || typeof parent !== 'object') continue;
    (parent as Record<string | number, unknown>)[path[path.length - 1]!] = specialValue(tag);
  }
}

function specialValue(tag: string): number | bigint | null {
  if (tag === 'NaN') return NaN;
  if (tag === 'Infinity') return Infinity;
  if (tag === '-Infinity') return -Infinity;
  if (tag.endsWith('n')) {
    try {
      return BigInt(tag.slice(0, -1));
    } catch {
      return null;
    }
  }
  return null;
}

/** One record read back, with its line index in the log. */
export interface IndexedRecord {
  index: number;
  record: Record<string, unknown>;
}

export interface RecordLogContents {
  records: IndexedRecord[];
  /** Line indexes whose checksum or JSON was bad (skipped). */
  corrupt: number[];
  /** True when the log ends in a partial line (a writer killed mid-write); it was ignored. */
  tornTail: boolean;
  /** Bytes up to the end of the last complete line: where a new writer must append. */
  validBytes: number;
  /** Number of complete lines: the index the next appended record gets. */
  lineCount: number;
}

const NEWLINE = 0x0a;
const utf8 = new TextDecoder();

/** Reads a whole record log. Never throws for bad content: it reports it. */
export function decodeRecordLog(bytes: Uint8Array, crc32: Crc32 = crc32Js): RecordLogContents {
  const records: IndexedRecord[] = [];
  const corrupt: number[] = [];
  let start = 0;
  let index = 0;
  for (;;) {
    const end = bytes.indexOf(NEWLINE, start);
    if (end === -1) break;
    const record = decodeRecordBytes(bytes.subarray(start, end), crc32);
    if (record) records.push({ index, record });
    else corrupt.push(index);
    index++;
    start = end + 1;
  }
  return { records, corrupt, tornTail: start < bytes.length, validBytes: start, lineCount: index };
}
