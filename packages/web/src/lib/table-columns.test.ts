import { describe, expect, it } from 'vitest';
import { columnOf, fieldColumnIds, moveItem, tableColumns } from './table-columns.js';
import { splitFieldPath } from './columns.js';

describe('table columns', () => {
  it('leads with the name, then the chosen columns in order, dropping unknown and repeated ids', () => {
    expect(tableColumns(['summary.acc', 'state', 'bogus', 'name', 'state', 'config.lr']).map((c) => c.id)).toEqual(['name', 'summary.acc', 'state', 'config.lr']);
  });

  it('knows which columns the server sorts by', () => {
    expect(columnOf('created')?.sortField).toBe('created');
    expect(columnOf('tags')?.sortField).toBeUndefined();
    expect(columnOf('state')?.sortField).toBe('state');
    expect(columnOf('summary.train/loss')).toMatchObject({ label: 'train/loss', fullLabel: 'summary.train/loss' });
    expect(columnOf('config.opt\\.x.lr')).toMatchObject({ sortField: 'config.opt\\.x.lr', label: 'config.opt.x.lr', fullLabel: 'config.opt.x.lr', parts: ['opt.x', 'lr'], numeric: true });
  });

  it('offers every config and summary leaf some run has, config first', () => {
    const runs = [
      { config: { lr: 0.1, opt: { name: 'adam', betas: [0.9, 0.99] } }, summary: { loss: 0.2, _runtime: 4, 'a.b': 1 } },
      { config: { seed: 1 }, summary: { image: { _type: 'image', path: 'x.png' }, loss: 0.1 } },
    ];
    expect(fieldColumnIds(runs)).toEqual(['config.lr', 'config.opt.betas', 'config.opt.name', 'config.seed', 'summary.a\\.b', 'summary.image', 'summary.loss']);
  });

  it('moves a column within the list', () => {
    expect(moveItem(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(moveItem(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(moveItem(['a', 'b', 'c'], 0, 5)).toEqual(['b', 'c', 'a']);
  });

  it('splits escaped paths', () => {
    expect(splitFieldPath('config.opt\\.name.lr')).toEqual(['config', 'opt.name', 'lr']);
    expect(splitFieldPath('summary.a\\\\b')).toEqual(['summary', 'a\\b']);
  });
});
