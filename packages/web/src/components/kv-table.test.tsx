import { describe, expect, it } from 'vitest';
import { render, texts, type } from '../test-support/render.js';
import { KeyValueTable } from './kv-table.js';

const config = { lr: 0.001, optimizer: { name: 'adam', betas: [0.9, 0.999] }, layers: 4, _wandb: 'system' };

describe('KeyValueTable', () => {
  it('shows nested keys as a.b, with the count of leaves', () => {
    const page = render(<KeyValueTable title="Config" value={config} testId="config" sorted />);
    // Sorted by key, the `_` keys last.
    expect(texts(page, 'th.kv-key')).toEqual(['layers', 'lr', 'optimizer.betas', 'optimizer.name', '_wandb']);
    expect(texts(page, 'td.kv-value')[3]).toBe('adam');
    expect(page.querySelector('.count')?.textContent).toBe('5');
  });

  it('filters by key or by value as the person types, and says when nothing matches', () => {
    const page = render(<KeyValueTable title="Config" value={config} testId="config" />);
    const search = page.querySelector<HTMLInputElement>('input[type="search"]')!;
    type(search, 'OPTIM');
    expect(texts(page, 'th.kv-key')).toEqual(['optimizer.name', 'optimizer.betas']);
    type(search, 'adam');
    expect(texts(page, 'th.kv-key')).toEqual(['optimizer.name']);
    type(search, 'sgd');
    expect(page.textContent).toContain('Nothing matches “sgd”.');
    type(search, '');
    expect(texts(page, 'th.kv-key')).toHaveLength(5);
  });

  it('says when nothing is recorded', () => {
    const page = render(<KeyValueTable title="Summary" value={{}} testId="summary" />);
    expect(page.textContent).toContain('No summary recorded.');
    expect(page.querySelector('table')).toBeNull();
  });
});
