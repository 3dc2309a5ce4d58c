import { describe, expect, it } from 'vitest';
import { formatZoom, readList, readZoom, toggled, writeList, zoomParam } from './view-params.js';
import { withParams } from './routes.js';

describe('zoom in the URL', () => {
  it('round-trips a range per x-axis, so panels on one axis share it', () => {
    const search = withParams('', { [zoomParam('_step')]: formatZoom([100, 250]) });
    expect(decodeURIComponent(search)).toBe('?zoom:_step=100,250');
    expect(readZoom(search, '_step')).toEqual([100, 250]);
    expect(readZoom(search, '_runtime')).toBeUndefined();
  });

  it('ignores malformed, reversed and empty ranges', () => {
    for (const text of ['', '5', '1,2,3', 'a,b', '9,3', '4,4', ',7', 'Infinity,9']) {
      expect(readZoom(`?${new URLSearchParams({ 'zoom:_step': text })}`, '_step'), text).toBeUndefined();
    }
  });

  it('rounds to a ten-thousandth of the width, keeping wall-time seconds exact', () => {
    expect(formatZoom([102.3456, 398.71])).toBe('102.35,398.71');
    expect(formatZoom([12.00001, 4000.4])).toBe('12,4000.4');
    expect(formatZoom([1_714_000_000.123456, 1_714_000_060.5])).toBe('1714000000.123,1714000060.5');
    expect(formatZoom([0.000123, 0.000456])).toBe('0.000123,0.000456');
  });
});

describe('list parameters', () => {
  it('round-trips items, including ones holding commas and percent signs', () => {
    const items = ['state', 'config.a,b', 'summary.x%y', 'summary.train/loss'];
    const search = withParams('', { cols: writeList(items) });
    expect(readList(search, 'cols')).toEqual(items);
    expect(readList('?cols=', 'cols')).toEqual([]);
    expect(readList('', 'cols')).toBeUndefined();
  });

  it('toggles an item', () => {
    expect(toggled(['a', 'b'], 'a')).toEqual(['b']);
    expect(toggled(['b'], 'a')).toEqual(['b', 'a']);
  });
});
