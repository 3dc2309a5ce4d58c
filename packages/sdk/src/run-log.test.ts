import { describe, expect, it } from 'vitest';
import { isCairnError } from '@cairn/protocol';
import { openRun } from './read.js';
import { captureStderr, recordsOnDisk, startRun } from './test-support/index.js';

/** The user-visible part of history rows (without _runtime/_timestamp). */
function rows(dir: string): Array<Record<string, unknown>> {
  return openRun(dir).history.map(({ _runtime: _r, _timestamp: _t, ...rest }) => rest);
}

describe('log(): steps and commits (behaviour.md 2.2, Appendix B 1-2)', () => {
  it('writes one row per call and advances the step', async () => {
    const run = await startRun();
    run.log({ a: 1 });
    expect(run.step).toBe(1);
    run.log({ a: 2 });
    await run.finish();
    expect(rows(run.runDir!)).toEqual([{ a: 1, _step: 0 }, { a: 2, _step: 1 }]);
  });

  it('commit: false accumulates into one row; later keys overwrite earlier ones', async () => {
    const run = await startRun();
    run.log({ loss: 0.2, x: 1 }, { commit: false });
    expect(run.step).toBe(0);
    run.log({ accuracy: 0.8, x: 2 });
    await run.finish();
    expect(rows(run.runDir!)).toEqual([{ loss: 0.2, x: 2, accuracy: 0.8, _step: 0 }]);
  });

  it('step without commit keeps the row open until a larger step, a commit, or finish', async () => {
    const run = await startRun();
    run.log({ a: 1 }, { step: 5 });
    run.log({ b: 2 }, { step: 5 });
    expect(run.step).toBe(5);
    expect(recordsOnDisk(run).some((r) => r.t === 'history')).toBe(false);
    run.log({ c: 3 }, { step: 7 });
    expect(run.step).toBe(7);
    run.log({ d: 4 }, { step: 7, commit: true });
    expect(run.step).toBe(8);
    run.log({ e: 5 }, { step: 9 });
    await run.finish();
    expect(rows(run.runDir!)).toEqual([
      { a: 1, b: 2, _step: 5 },
      { c: 3, d: 4, _step: 7 },
      { e: 5, _step: 9 },
    ]);
  });

  it('a smaller step drops the whole call, even with commit: true, and warns', async () => {
    const stderr = captureStderr();
    const run = await startRun({ silent: false });
    run.log({ a: 1 });
    run.log({ b: 2 }, { step: 0 });
    run.log({ c: 3 }, { step: 0, commit: true });
    expect(run.step).toBe(1);
    await run.finish();
    expect(rows(run.runDir!)).toEqual([{ a: 1, _step: 0 }]);
    const warnings = stderr.join('');
    expect(warnings).toMatch(/step 0 is smaller than the current step 1/);
    expect(warnings).toMatch(/"b":2/);
  });

  it('log({}) advances the step without writing a row', async () => {
    const run = await startRun();
    run.log({});
    run.log({});
    run.log({ a: 1 });
    await run.finish();
    expect(rows(run.runDir!)).toEqual([{ a: 1, _step: 2 }]);
  });

  it('honours user _runtime and _timestamp, and overwrites a user _step', async () => {
    const run = await startRun();
    run.log({ a: 1, _step: 99, _runtime: 12.5, _timestamp: 1000 });
    run.log({ b: 1 });
    await run.finish();
    const [first, second] = openRun(run.runDir!).history;
    expect(first).toEqual({ a: 1, _step: 0, _runtime: 12.5, _timestamp: 1000 });
    expect(second!._step).toBe(1);
    expect(second!._runtime).toBeGreaterThanOrEqual(0);
    expect(second!._timestamp as number).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(Number.isInteger(second!._timestamp)).toBe(false);
  });

  it('finish commits the pending row', async () => {
    const run = await startRun();
    run.log({ a: 1 }, { commit: false });
    await run.finish();
    expect(rows(run.runDir!)).toEqual([{ a: 1, _step: 0 }]);
  });

  it('sync is accepted and ignored', async () => {
    const run = await startRun();
    run.log({ a: 1 }, { sync: false });
    await run.finish();
    expect(rows(run.runDir!)).toEqual([{ a: 1, _step: 0 }]);
  });
});

describe('log(): values', () => {
  it('keeps nested objects nested and round-trips NaN, infinities, bigint, Dates and typed arrays', async () => {
    const run = await startRun();
    run.log({
      train: { acc: 0.9, extra: { deep: [1, 2] } },
      nan: NaN,
      inf: Infinity,
      ninf: -Infinity,
      big: 2n ** 64n,
      when: new Date('2026-05-01T00:00:00Z'),
      small: new Float32Array([1, 2, 3]),
      weights: new Float32Array(100).fill(1),
      flag: true,
      nothing: null,
      text: 'hello',
    });
    await run.finish();
    const [row] = openRun(run.runDir!).history;
    expect(row!.train).toEqual({ acc: 0.9, extra: { deep: [1, 2] } });
    expect(row!.nan).toBeNaN();
    expect(row!.inf).toBe(Infinity);
    expect(row!.ninf).toBe(-Infinity);
    expect(row!.big).toBe(2n ** 64n);
    expect(row!.when).toBe('2026-05-01T00:00:00.000Z');
    expect(row!.small).toEqual([1, 2, 3]);
    expect((row!.weights as { _type: string; values: number[] })._type).toBe('histogram');
    expect((row!.weights as { values: number[] }).values.reduce((s, v) => s + v, 0)).toBe(100);
    expect(row!.flag).toBe(true);
    expect(row!.nothing).toBeNull();
    expect(row!.text).toBe('hello');
  });

  it('does not see later mutations of the logged object', async () => {
    const run = await startRun();
    const data = { nested: { v: 1 } };
    run.log(data, { commit: false });
    data.nested.v = 2;
    await run.finish();
    expect(rows(run.runDir!)).toEqual([{ nested: { v: 1 }, _step: 0 }]);
  });
});

describe('log(): bad input is a TypeError and records nothing from that call', () => {
  it.each([
    ['a number', 5],
    ['null', null],
    ['an array', [{ a: 1 }]],
    ['a string', 'loss'],
    ['undefined', undefined],
  ])('rejects %s', async (_what, arg) => {
    const run = await startRun();
    expect(() => run.log(arg as never)).toThrow(TypeError);
    expect(run.step).toBe(0);
  });

  it('names the key and drops every value of the failing call', async () => {
    const run = await startRun();
    run.log({ kept: 1 }, { commit: false });
    class Tensor {}
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => run.log({ good: 1, fn: () => 0 }, { commit: false })).toThrow(/'fn'.*function/);
    expect(() => run.log({ good: 1, s: Symbol('s') })).toThrow(/'s'.*symbol/);
    expect(() => run.log({ good: 1, t: { model: new Tensor() } })).toThrow(/'t\.model'.*Tensor without toJSON/);
    expect(() => run.log({ good: 1, c: circular })).toThrow(/'c\.self'.*circular/);
    expect(run.step).toBe(0);
    run.log({ after: 2 });
    await run.finish();
    expect(rows(run.runDir!)).toEqual([{ kept: 1, after: 2, _step: 0 }]);
  });

  it.each([[-1], [1.5], ['3'], [NaN]])('rejects step %s', async (step) => {
    const run = await startRun();
    expect(() => run.log({ a: 1 }, { step: step as number })).toThrow(/step must be a non-negative integer/);
    expect(run.step).toBe(0);
  });

  it('rejects log() on a finished run with an error naming the run and the method', async () => {
    const run = await startRun({ name: 'done-run' });
    await run.finish();
    let caught: unknown;
    try {
      run.log({ a: 1 });
    } catch (error) {
      caught = error;
    }
    expect(isCairnError(caught, 'run_finished')).toBe(true);
    expect((caught as Error).message).toMatch(new RegExp(`run ${run.id} \\(done-run\\) is finished; log\\(\\)`));
  });
});

describe('the record log on disk', () => {
  it('receives logged rows within a bounded interval without finish()', async () => {
    const run = await startRun();
    run.log({ a: 1 });
    let found = false;
    for (let waited = 0; waited < 5000 && !found; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      found = recordsOnDisk(run).some((r) => r.t === 'history');
    }
    expect(found).toBe(true);
  });

  it('writes the rows of a slow training loop that never yields as they are logged', async () => {
    const run = await startRun();
    const busy = (ms: number) => {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        // a training step that holds the event loop: no timer can run
      }
    };
    const onDisk: number[] = [];
    for (let step = 0; step < 4; step++) {
      busy(200);
      run.log({ step });
      onDisk.push(recordsOnDisk(run).filter((r) => r.t === 'history').length);
    }
    // Each row is written by its own log() call: a kill -9 during the next step loses nothing.
    expect(onDisk).toEqual([1, 2, 3, 4]);
    await run.finish();
  });

  it('writes what has waited an interval in a loop that logs often and never yields', async () => {
    const run = await startRun();
    const busy = (ms: number) => {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        // a short training step that holds the event loop
      }
    };
    // A row every 10 ms for 600 ms, never yielding: four intervals (150 ms) of rows.
    const logged = 60;
    for (let i = 0; i < logged; i++) {
      busy(10);
      run.log({ i });
    }
    const onDisk = recordsOnDisk(run).filter((r) => r.t === 'history').length;
    // Nothing older than two intervals (30 rows) is still only in memory.
    expect(onDisk).toBeLessThanOrEqual(logged);
    expect(onDisk).toBeGreaterThanOrEqual(logged - 30);
    await run.finish();
    expect(openRun(run.runDir!).history).toHaveLength(logged);
  });

  it('writes a batch synchronously once the buffer is full, even when timers cannot run', async () => {
    const run = await startRun();
    for (let i = 0; i < 10_000; i++) run.log({ i });
    const onDisk = recordsOnDisk(run).filter((r) => r.t === 'history').length;
    expect(onDisk).toBeGreaterThanOrEqual(4096);
    await run.finish();
    expect(openRun(run.runDir!).history).toHaveLength(10_000);
  });
});
