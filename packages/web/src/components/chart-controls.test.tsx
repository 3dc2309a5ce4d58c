import { beforeEach, describe, expect, it } from 'vitest';
import { render, rerender, type } from '../test-support/render.js';
import { PanelSearch, SmoothingControl } from './chart-controls.js';

describe('chart controls', () => {
  beforeEach(() => window.history.replaceState(null, '', '/local/demo?x:loss=_runtime'));

  it('puts the smoothing weight in the URL, and takes it out at 0', () => {
    const page = render(<SmoothingControl value={0} />);
    expect(page.querySelector('output')?.textContent).toBe('off');
    const slider = page.querySelector<HTMLInputElement>('input[type="range"]')!;
    type(slider, '0.6');
    expect(new URLSearchParams(window.location.search).get('smooth')).toBe('0.6');
    // The other parameters stay, and the page is the same.
    expect(new URLSearchParams(window.location.search).get('x:loss')).toBe('_runtime');
    expect(window.location.pathname).toBe('/local/demo');
    // The workspace renders it again with the URL's weight.
    rerender(page, <SmoothingControl value={0.6} />);
    expect(page.querySelector('output')?.textContent).toBe('0.60');
    type(slider, '0');
    expect(new URLSearchParams(window.location.search).has('smooth')).toBe(false);
  });

  it('shows the weight it is given', () => {
    const page = render(<SmoothingControl value={0.85} />);
    expect(page.querySelector('output')?.textContent).toBe('0.85');
    expect(page.querySelector('input')?.getAttribute('aria-valuetext')).toBe('weight 0.85');
  });

  it('keeps the panel search in the URL', () => {
    const page = render(<PanelSearch value="" />);
    type(page.querySelector<HTMLInputElement>('input[type="search"]')!, 'val/');
    expect(new URLSearchParams(window.location.search).get('panels')).toBe('val/');
  });
});
