import { describe, expect, it } from 'vitest';
import { ingestQuerySchema, parseInput, runEditSchema, runFilterSchema, seriesRequestSchema } from './api-schemas.js';
import { isCairnError } from './errors.js';

function failure(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    expect(isCairnError(error, 'invalid_argument')).toBe(true);
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('API input schemas', () => {
  const run = { entity: 'local', project: 'p', id: 'r1' };

  it('accept valid input and name every problem of invalid input with its path', () => {
    expect(parseInput(seriesRequestSchema, { runs: [run], keys: ['loss'], buckets: 10 }, 'series request')).toEqual({ runs: [run], keys: ['loss'], buckets: 10 });
    const error = failure(() => parseInput(seriesRequestSchema, { runs: [{ ...run, id: 'a/b' }], keys: [], buckets: 0 }, 'series request'));
    expect(error.message).toMatch(/^series request: /);
    expect(error.message).toMatch(/runs\.0\.id: must be 1–128 characters/);
    expect(error.message).toMatch(/keys: /);
    expect(error.message).toMatch(/buckets: /);
    expect(failure(() => parseInput(seriesRequestSchema, { runs: [run], keys: ['a'], buckets: 5, range: [3, 1] }, 'series')).message).toMatch(/range: must be \[from, to\]/);
  });

  it('edits allow only editable fields', () => {
    expect(parseInput(runEditSchema, { name: 'x', tags: ['a'] }, 'edit')).toEqual({ name: 'x', tags: ['a'] });
    expect(failure(() => parseInput(runEditSchema, { state: 'finished' }, 'edit')).message).toMatch(/state/);
    expect(failure(() => parseInput(runEditSchema, { tags: [''] }, 'edit')).message).toMatch(/tags\.0/);
  });

  it('filters compare config or summary fields with a known operator', () => {
    expect(parseInput(runFilterSchema, [{ field: 'config.lr', op: '<', value: 1 }], 'filter')).toHaveLength(1);
    expect(failure(() => parseInput(runFilterSchema, [{ field: 'name', op: '=', value: 1 }], 'filter')).message).toMatch(/0\.field: must name config/);
    expect(failure(() => parseInput(runFilterSchema, [{ field: 'config.a', op: '~', value: 1 }], 'filter')).message).toMatch(/0\.op/);
  });

  it('ingest query parameters coerce the index and bound the writer id', () => {
    expect(parseInput(ingestQuerySchema, { writer: 'w', first: '12' }, 'ingest')).toEqual({ writer: 'w', first: 12 });
    expect(failure(() => parseInput(ingestQuerySchema, { writer: '', first: '-1' }, 'ingest')).message).toMatch(/writer.*first|first.*writer/s);
  });
});
