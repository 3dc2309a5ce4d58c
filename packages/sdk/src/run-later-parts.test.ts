/**
 * The Run methods whose parts will come in later Cairn releases: each exists with its final
 * signature, under its snake_case alias too, and says it is not available yet without
 * recording anything; on a finished run it gives the finished-run error first, as every
 * other method does.
 */
import { describe, expect, it } from 'vitest';
import { isCairnError } from '@cairn/protocol';
import { SNAKE_CASE_ALIASES } from './aliases.js';
import type { Run } from './run.js';
import { recordsOnDisk, startRun, thrown } from './test-support/index.js';

type LaterPart =
  | 'save'
  | 'restore'
  | 'logCode'
  | 'logArtifact'
  | 'useArtifact'
  | 'upsertArtifact'
  | 'finishArtifact'
  | 'watch'
  | 'unwatch'
  | 'plotTable'
  | 'display'
  | 'toHtml';

interface LaterCall {
  method: LaterPart;
  args: unknown[];
}

/** A call with every argument of the method's final signature (type-checked against it). */
function call<M extends LaterPart>(method: M, ...args: Parameters<Run[M]>): LaterCall {
  return { method, args };
}

const LATER_CALLS: LaterCall[] = [
  call('save', 'checkpoints/*.pt', 'checkpoints', 'now'),
  call('restore', 'model.pt', 'team/project/abc123', true, 'restored'),
  call('logCode', '.', { name: 'source', includeFn: (file) => file.endsWith('.ts'), excludeFn: (file) => file.includes('node_modules') }),
  call('logArtifact', 'model.pt', 'model', 'model', ['latest']),
  call('useArtifact', 'dataset:v1', 'dataset', ['latest'], 'training-data'),
  call('upsertArtifact', 'shard-0.pt', 'model', 'model', ['latest'], 'job-1'),
  call('finishArtifact', 'shard-0.pt', 'model', 'model', ['latest'], 'job-1'),
  call('watch', { layers: [] }, undefined, 'gradients', 100, 0, false),
  call('unwatch', { layers: [] }),
  call('plotTable', 'cairn/line/v0', { columns: ['x', 'y'], data: [[1, 2]] }, { x: 'x', y: 'y' }, { title: 'y against x' }),
  call('display', 420, false),
  call('toHtml', 420, true),
];

/** The snake_case aliases the one alias table gives these methods. */
const ALIASES: Array<[snake: string, method: LaterPart]> = Object.entries(SNAKE_CASE_ALIASES).filter(([, camel]) =>
  LATER_CALLS.some((later) => later.method === camel),
) as Array<[string, LaterPart]>;

/** Calls `name` on the run (a method or a snake_case alias) with the arguments of `method`. */
function invoke(run: Run, name: string, method: LaterPart): unknown {
  const args = LATER_CALLS.find((later) => later.method === method)!.args;
  return thrown(() => (run as unknown as Record<string, (...given: unknown[]) => unknown>)[name]!(...args));
}

const ALL_NAMES: Array<[name: string, method: LaterPart]> = [...LATER_CALLS.map((later): [string, LaterPart] => [later.method, later.method]), ...ALIASES];

describe('methods that need later Cairn parts', () => {
  it('are the twelve of the reference, seven of them with a snake_case alias', () => {
    expect(LATER_CALLS).toHaveLength(12);
    expect(ALIASES.map(([snake]) => snake).sort()).toEqual(
      ['finish_artifact', 'log_artifact', 'log_code', 'plot_table', 'to_html', 'upsert_artifact', 'use_artifact'],
    );
  });

  it.each(ALL_NAMES)('%s() says it is not available yet, records nothing, and the run goes on', async (name, method) => {
    const run = await startRun();
    run.log({ a: 1 });
    run.flush();
    const before = recordsOnDisk(run);
    const error = invoke(run, name, method);
    expect(isCairnError(error, 'not_available')).toBe(true);
    expect((error as Error).message).toMatch(new RegExp(`^run\\.${method}\\(\\) is not available yet: .+ will come in a later Cairn release\\. Nothing was recorded\\.$`));
    run.flush();
    expect(recordsOnDisk(run)).toEqual(before);
    run.log({ a: 2 });
    await run.finish();
    expect(run.isFinished).toBe(true);
  });

  it.each(ALL_NAMES)('%s() on a finished run gives the finished-run error, not "not available"', async (name, method) => {
    const run = await startRun({ name: 'done' });
    await run.finish();
    const error = invoke(run, name, method);
    expect(isCairnError(error, 'run_finished')).toBe(true);
    expect((error as Error).message).toBe(
      `run ${run.id} (done) is finished; ${method}() cannot be used after finish(). Start a new run with init().`,
    );
  });
});
