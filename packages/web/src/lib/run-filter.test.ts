import { describe, expect, it } from 'vitest';
import { filterParams, isFiltering, parseRunFilter } from './run-filter.js';

describe('parseRunFilter', () => {
  it('reads numeric comparisons on config and summary, with or without spaces', () => {
    const filter = parseRunFilter('summary.acc > 0.9 config.lr<=0.01 config.batch_size != 64');
    expect(filter.conditions).toEqual([
      { field: 'summary.acc', op: '>', value: 0.9 },
      { field: 'config.lr', op: '<=', value: 0.01 },
      { field: 'config.batch_size', op: '!=', value: 64 },
    ]);
    expect(filter.search).toBe('');
    expect(filter.problems).toEqual([]);
  });

  it('reads strings, booleans, null, nested and escaped paths', () => {
    expect(parseRunFilter('config.optimizer.name = adam config.note="two words" config.a\\.b = true summary.x = null').conditions).toEqual([
      { field: 'config.optimizer.name', op: '=', value: 'adam' },
      { field: 'config.note', op: '=', value: 'two words' },
      { field: 'config.a\\.b', op: '=', value: true },
      { field: 'summary.x', op: '=', value: null },
    ]);
    expect(parseRunFilter('summary.train/loss < 1e-3').conditions).toEqual([{ field: 'summary.train/loss', op: '<', value: 0.001 }]);
  });

  it('reads state, tag, group and job type qualifiers, leaving the other words as the name search', () => {
    const filter = parseRunFilter('resnet state:running,failed tag:best tags:a,b group:"sweep 1" job:train big');
    expect(filter).toMatchObject({ search: 'resnet big', states: ['running', 'failed'], tags: ['best', 'a', 'b'], group: 'sweep 1', jobType: 'train', problems: [] });
  });

  it('reports what it cannot read instead of searching names for it', () => {
    const filter = parseRunFilter('summary.acc > config.lr state:sleeping tag:');
    expect(filter.conditions).toEqual([]);
    expect(filter.search).toBe('');
    expect(filter.problems).toHaveLength(4);
    expect(filter.problems[0]).toContain('summary.acc');
    expect(filter.problems[2]).toContain('sleeping');
  });
});

describe('filterParams', () => {
  it('names the server parameters, the comparisons as JSON', () => {
    const filter = parseRunFilter('mnist summary.acc >= 0.5 state:finished tag:x group:g job:eval');
    expect(filterParams(filter)).toEqual({
      search: 'mnist',
      filter: '[{"field":"summary.acc","op":">=","value":0.5}]',
      state: 'finished',
      tags: 'x',
      group: 'g',
      jobType: 'eval',
    });
    expect(isFiltering(filter)).toBe(true);
    expect(filterParams(parseRunFilter('  '))).toEqual({});
    expect(isFiltering(parseRunFilter('config.lr'))).toBe(false);
  });
});

describe('parseRunFilter while typing', () => {
  it('reports a field with its operator but no value, without searching names for the operator', () => {
    const filter = parseRunFilter('summary.acc >');
    expect(filter).toMatchObject({ search: '', conditions: [] });
    expect(filter.problems).toEqual(['“summary.acc >” needs a value, like summary.acc > 0.5']);
    expect(parseRunFilter('config.').problems).toHaveLength(1);
  });
});
