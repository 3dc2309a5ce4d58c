import { MAX_SMOOTHING } from '../lib/smoothing.js';
import { setSearchParams } from '../navigation.js';

/** The URL parameter of the smoothing weight (absent: 0, raw lines). */
export const SMOOTHING_PARAM = 'smooth';

/** The smoothing slider: 0 draws the raw line; above, a debiased EMA over a faint raw line. */
export function SmoothingControl({ value }: { value: number }) {
  return (
    <label className="control smoothing">
      <span>Smoothing</span>
      <input
        type="range"
        min={0}
        max={MAX_SMOOTHING}
        step={0.01}
        value={value}
        onChange={(event) => {
          const next = Number(event.target.value);
          setSearchParams({ [SMOOTHING_PARAM]: next > 0 ? String(next) : null });
        }}
        aria-valuetext={value > 0 ? `weight ${value}` : 'off'}
      />
      <output className="smoothing-value">{value > 0 ? value.toFixed(2) : 'off'}</output>
    </label>
  );
}

/** A search box for panels by key. */
export function PanelSearch({ value }: { value: string }) {
  return (
    <label className="control">
      <span className="visually-hidden">Search panels</span>
      <input type="search" placeholder="Search panels" value={value} onChange={(event) => setSearchParams({ panels: event.target.value || null })} />
    </label>
  );
}
