import { describe, expect, it } from 'vitest';
import { RUN_PALETTE, runColor, withAlpha } from './colors.js';

describe('runColor', () => {
  it('gives a run the same palette colour every time', () => {
    expect(runColor('abc123')).toBe(runColor('abc123'));
    expect(RUN_PALETTE).toContain(runColor('abc123'));
  });

  it('spreads similar ids over the palette', () => {
    const colors = new Set(Array.from({ length: 64 }, (_, i) => runColor(`run-${i}`)));
    expect(colors.size).toBeGreaterThanOrEqual(12);
  });
});

describe('withAlpha', () => {
  it('appends an alpha byte', () => {
    expect(withAlpha('#4e79a7', 1)).toBe('#4e79a7ff');
    expect(withAlpha('#4e79a7', 0)).toBe('#4e79a700');
    expect(withAlpha('#4e79a7', 0.5)).toBe('#4e79a780');
    expect(withAlpha('#4e79a7', 7)).toBe('#4e79a7ff');
  });
});
