/** Building record log bodies by hand for server tests (the server never imports the SDK). */
import { crc32 } from 'node:zlib';
import { encodeRecordLine } from '@cairn/protocol';

export function logBody(records: object[]): string {
  return records.map((record) => encodeRecordLine(record, crc32)).join('');
}

export function runRecords(id: string, rows: Array<Record<string, unknown>>, options: { exitCode?: number; writerId?: string; project?: string } = {}): object[] {
  const records: object[] = [
    { t: 'header', version: 1, writer: 'test', writerId: options.writerId ?? 'w1', pid: 1, time: 1000 },
    {
      t: 'run', id, project: options.project ?? 'proj', entity: null, name: `run-${id}`, group: null, jobType: null, tags: [], notes: null,
      startTime: 1000, startingStep: 0, resumed: false, sweepId: null, mode: 'offline',
    },
  ];
  rows.forEach((row, step) => records.push({ t: 'history', row: { ...row, _step: step, _runtime: step * 0.5, _timestamp: 1000 + step * 0.5 } }));
  if (options.exitCode !== undefined) records.push({ t: 'exit', exitCode: options.exitCode, runtime: rows.length * 0.5, time: 1000 + rows.length });
  return records;
}
