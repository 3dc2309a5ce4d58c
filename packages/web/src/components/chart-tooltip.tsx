/**
 * The tooltip beside a chart's cursor: each line's value in the bucket under it, highest
 * first — with the bucket's min and max when it holds many points (or a group's spread
 * across its runs).
 */
import { formatNumber } from '../lib/format.js';
import type { TooltipValue } from '../lib/tooltip.js';
import type { ChartRun } from './line-chart.js';

export interface TooltipLine {
  line: ChartRun;
  value: TooltipValue;
  /** The smoothed line's value there, when smoothing. */
  smoothed: number | undefined;
}

/** At most this many rows; the rest are counted. */
const MAX_ROWS = 12;

export function ChartTooltip(props: { left: number; boxWidth: number; heading: string; lines: readonly TooltipLine[] }) {
  const { left, boxWidth, heading, lines } = props;
  const sorted = [...lines].sort((a, b) => (b.smoothed ?? b.value.value) - (a.smoothed ?? a.value.value));
  const shown = sorted.slice(0, MAX_ROWS);
  // Beside the cursor, on whichever side has room; at the top, so it never hangs below the panel.
  const flip = left > boxWidth / 2;
  const style = flip ? { right: Math.max(0, boxWidth - left + 14), top: 2 } : { left: left + 14, top: 2 };
  return (
    <div className="chart-tooltip" style={style} role="status" data-testid="tooltip">
      <div className="tooltip-heading">{heading}</div>
      <div className="tooltip-rows">
        {shown.map(({ line, value, smoothed }) => (
          <div key={line.id} className="tooltip-row" data-line={line.id}>
            <span className="swatch" style={{ background: line.color }} aria-hidden="true" />
            <span className="tooltip-name">{line.name}</span>
            <span className="tooltip-value">{formatNumber(smoothed ?? value.value)}</span>
            <span className="tooltip-detail">{detail(value, smoothed)}</span>
          </div>
        ))}
      </div>
      {sorted.length > shown.length && <div className="tooltip-more">+{sorted.length - shown.length} more</div>}
    </div>
  );
}

function detail(value: TooltipValue, smoothed: number | undefined): string {
  const parts: string[] = [];
  if (value.runs !== undefined) parts.push(`mean of ${value.runs} run${value.runs === 1 ? '' : 's'}`);
  else if (smoothed !== undefined) parts.push(`raw ${formatNumber(value.value)}`);
  if (value.count > 1 || value.runs !== undefined) parts.push(`min ${formatNumber(value.min)}`, `max ${formatNumber(value.max)}`);
  if (value.count > 1) parts.push(`${value.count} pts`);
  return parts.join(' · ');
}
