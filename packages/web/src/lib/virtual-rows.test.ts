import { describe, expect, it } from 'vitest';
import { rowWindow } from './virtual-rows.js';

describe('rowWindow', () => {
  it('renders the rows in view and a few either side', () => {
    expect(rowWindow(3300, 330, 33, 10_000, 5)).toEqual({ first: 95, end: 116 });
    expect(rowWindow(0, 330, 33, 10_000, 5)).toEqual({ first: 0, end: 16 });
  });

  it('stays inside the list at its end and for short lists', () => {
    expect(rowWindow(33 * 9_990, 330, 33, 10_000, 5)).toEqual({ first: 9_985, end: 10_000 });
    expect(rowWindow(1e9, 330, 33, 10_000, 5)).toEqual({ first: 9_994, end: 10_000 });
    expect(rowWindow(0, 330, 33, 3, 5)).toEqual({ first: 0, end: 3 });
    expect(rowWindow(0, 330, 33, 0, 5)).toEqual({ first: 0, end: 0 });
  });
});
