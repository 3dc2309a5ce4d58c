import { describe, expect, it } from 'vitest';
import { CairnError } from '@cairn/protocol';
import cairn, { alert, AlertLevel } from './index.js';
import { recordsOnDisk, startRun, thrown } from './test-support/index.js';

const alertsOf = (records: Array<Record<string, unknown>>) =>
  records.filter((r) => r.t === 'alert').map(({ time, ...rest }) => {
    expect(typeof time).toBe('number');
    return rest;
  });

describe('run.alert', () => {
  it('takes the reference arguments positionally, as options, or as keywords, and logs a record', async () => {
    const run = await startRun();
    expect(run.alert('loss diverged', 'loss is NaN at step 12')).toBeUndefined();
    run.alert('slow', 'epoch took 2 h', AlertLevel.WARN, 300);
    run.alert('slow', 'again', { level: 'ERROR', waitDuration: 0.5 });
    run.alert({ title: 'done', text: 'accuracy 0.93', level: 'INFO', wait_duration: 0 } as never);
    run.flush();
    expect(alertsOf(recordsOnDisk(run))).toEqual([
      { t: 'alert', title: 'loss diverged', text: 'loss is NaN at step 12', level: 'INFO', waitMs: 60_000 },
      { t: 'alert', title: 'slow', text: 'epoch took 2 h', level: 'WARN', waitMs: 300_000 },
      { t: 'alert', title: 'slow', text: 'again', level: 'ERROR', waitMs: 500 },
      { t: 'alert', title: 'done', text: 'accuracy 0.93', level: 'INFO', waitMs: 60_000 },
    ]);
  });

  it('acts on the active run from the module and the default export', async () => {
    const run = await startRun();
    alert('from the module', 'x');
    cairn.alert('from the default export', 'y', cairn.AlertLevel.ERROR);
    run.flush();
    expect(alertsOf(recordsOnDisk(run)).map((a) => a.title)).toEqual(['from the module', 'from the default export']);
  });

  it('says what is wrong with bad arguments and logs nothing for them', async () => {
    const run = await startRun();
    const badLevel = thrown(() => run.alert('t', 'x', 'LOUD' as AlertLevel));
    expect(badLevel).toBeInstanceOf(CairnError);
    expect((badLevel as CairnError).message).toBe('alert(): level must be one of INFO, WARN, ERROR, got "LOUD"');
    expect(() => run.alert('t', 'x', 'WARN', -1)).toThrow('alert(): waitDuration must be a positive number of seconds, got -1');
    expect(() => run.alert('t', 'x', 'WARN', Number.NaN)).toThrow(/waitDuration must be a positive number/);
    expect(() => run.alert(undefined as never, 'x')).toThrow('alert(): title must be a string, got undefined');
    expect(() => run.alert('t', { text: 'x' } as never)).toThrow(/text must be a string/);
    expect(() => run.alert({ title: 't', text: 'x', waitDuration: 5, wait_duration: 6 } as never)).toThrow(/waitDuration/);
    run.alert('fine', 'x');
    run.flush();
    expect(alertsOf(recordsOnDisk(run)).map((a) => a.title)).toEqual(['fine']);
  });

  it('is a no-op in disabled mode and an error after finish', async () => {
    const disabled = await startRun({ mode: 'disabled' });
    expect(() => disabled.alert('t', 'x')).not.toThrow();
    await disabled.finish();
    const run = await startRun();
    await run.finish();
    expect(() => run.alert('t', 'x')).toThrow(/finished/);
  });
});
