import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.js';
import { decodeRecordLine, decodeRecordLog, encodeRecordLine } from './record-log.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('record log lines', () => {
  it('the JavaScript CRC-32 equals zlib', () => {
    for (const text of ['', 'a', '{"t":"history"}', 'héllo wörld ✓ 😀']) expect(crc32(text)).toBe(zlibCrc32(text));
  });

  it('round-trips NaN, infinities and bigint at any depth', () => {
    const record = { t: 'history', row: { a: NaN, b: { c: [1, Infinity, -Infinity] }, d: 2n ** 70n, e: 1.5 } };
    const line = encodeRecordLine(record);
    expect(line.endsWith('\n')).toBe(true);
    expect(decodeRecordLine(line.slice(0, -1))).toEqual(record);
  });

  it('writes plain JSON when nothing is special', () => {
    const line = encodeRecordLine({ t: 'config', update: { lr: 0.1 } });
    expect(line.slice(9, -1)).toBe('{"t":"config","update":{"lr":0.1}}');
  });

  it('rejects a line whose checksum does not match', () => {
    const line = encodeRecordLine({ t: 'history', row: { a: 1 } }).slice(0, -1);
    expect(decodeRecordLine(line.replace('"a":1', '"a":2'))).toBeUndefined();
  });

  it('ignores a torn last line and reports where to append', () => {
    const good = encodeRecordLine({ t: 'history', row: { a: 1 } }) + encodeRecordLine({ t: 'history', row: { a: 2 } });
    const torn = encodeRecordLine({ t: 'history', row: { a: 3 } }).slice(0, 15);
    const log = decodeRecordLog(bytes(good + torn));
    expect(log.records.map((r) => (r.record.row as { a: number }).a)).toEqual([1, 2]);
    expect(log.tornTail).toBe(true);
    expect(log.validBytes).toBe(bytes(good).length);
    expect(log.lineCount).toBe(2);
  });

  it('skips a corrupt middle line but keeps indexes stable', () => {
    const a = encodeRecordLine({ t: 'history', row: { a: 1 } });
    const b = encodeRecordLine({ t: 'history', row: { a: 2 } }).replace('"a":2', '"a":9');
    const c = encodeRecordLine({ t: 'history', row: { a: 3 } });
    const log = decodeRecordLog(bytes(a + b + c));
    expect(log.corrupt).toEqual([1]);
    expect(log.records.map((r) => r.index)).toEqual([0, 2]);
    expect(log.tornTail).toBe(false);
  });
});
