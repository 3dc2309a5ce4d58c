import { describe, expect, it } from 'vitest';
import { decodeJson, encodeJson } from './record-log.js';
import { RunReplay } from './run-state.js';

const records: Array<Record<string, unknown>> = [
  { t: 'header', version: 1, writer: 'test', writerId: 'w', pid: 1, time: 0 },
  { t: 'run', id: 'r', project: 'p', entity: null, name: 'n', group: null, jobType: null, tags: [], notes: null, startTime: 0, startingStep: 0, resumed: false, sweepId: null, mode: 'offline' },
  { t: 'metric', definition: { name: 'loss', summary: ['min', 'mean'] }, overwrite: false },
  { t: 'metric', definition: { name: 'val/*', stepMetric: 'epoch', stepSync: true }, overwrite: false },
  { t: 'config', update: { lr: 0.1, big: 2n ** 70n } },
  { t: 'history', row: { loss: 4, epoch: 1, _step: 0, _runtime: 1 } },
  { t: 'history', row: { loss: NaN, _step: 1, _runtime: 2 } },
  { t: 'summary', update: [{ path: ['best'], value: Infinity }] },
  { t: 'history', row: { loss: 2, 'val/acc': 0.5, _step: 2, _runtime: 3 } },
];

describe('encodeJson / decodeJson', () => {
  it('round-trips NaN, infinities and bigint anywhere', () => {
    const value = { a: [NaN, 1, -Infinity], b: { c: 10n ** 25n }, d: 'x', e: null };
    expect(decodeJson(encodeJson(value))).toEqual(value);
    expect(decodeJson(encodeJson(NaN))).toBeNaN();
    expect(decodeJson(encodeJson([1, 2]))).toEqual([1, 2]);
  });
});

describe('RunReplay snapshots', () => {
  it('a replay continued from a snapshot ends where an uninterrupted one does', () => {
    const whole = new RunReplay();
    for (const record of records) whole.apply(record);
    for (let cut = 0; cut <= records.length; cut++) {
      const first = new RunReplay();
      for (const record of records.slice(0, cut)) first.apply(record);
      // Through JSON text, as the server stores it.
      const continued = new RunReplay(decodeJson(encodeJson(first.snapshot())) as ReturnType<RunReplay['snapshot']>);
      for (const record of records.slice(cut)) continued.apply(record);
      expect(continued.summary.toJSON(), `cut at ${cut}`).toEqual(whole.summary.toJSON());
      expect(continued.snapshot(), `cut at ${cut}`).toEqual(whole.snapshot());
    }
    expect(whole.summary.toJSON().loss).toEqual({ min: 2, mean: 3 });
    expect(whole.config).toEqual({ lr: 0.1, big: 2n ** 70n });
    expect(whole.lastStep).toBe(2);
    expect(whole.writerId).toBe('w');
  });

  it('step sync continues from a snapshot', () => {
    const replay = new RunReplay();
    for (const record of records) replay.apply(record);
    const continued = new RunReplay(replay.snapshot());
    expect(continued.summary.syncStepMetrics({ 'val/acc': 0.7 })).toEqual({ 'val/acc': 0.7, epoch: 1 });
  });

  it('states follow the exit record and the writer being alive', () => {
    const replay = new RunReplay();
    for (const record of records) replay.apply(record);
    expect(replay.state(true)).toBe('running');
    expect(replay.state(false)).toBe('crashed');
    replay.apply({ t: 'preempting', time: 1 });
    expect(replay.state(false)).toBe('preempted');
    replay.apply({ t: 'exit', exitCode: 3, runtime: 4, time: 5 });
    expect(replay.state(false)).toBe('failed');
  });
});
