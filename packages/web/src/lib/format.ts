/** Formatting values, times and nested objects for display. */

/** `a.b` keys of a nested object, leaves in insertion order; arrays and typed values (`_type`) are leaves. */
export function flattenObject(value: Record<string, unknown>, prefix = ''): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const [key, child] of Object.entries(value)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (isNested(child)) {
      const before = out.length;
      out.push(...flattenObject(child, path));
      if (out.length === before) out.push([path, child]);
    } else {
      out.push([path, child]);
    }
  }
  return out;
}

function isNested(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !('_type' in value);
}

/** A compact, readable number: 4 significant digits, exponent notation only when very large or small. */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e15 || abs < 1e-4)) return value.toExponential(3).replace(/\.?0+e/, 'e');
  // Large values keep their integer digits (a unix time must not become 1.7e+9).
  if (abs >= 1e4) return String(Number(value.toFixed(1)));
  return String(Number(value.toPrecision(4)));
}

/**
 * A count with its thousands grouped: `10,000`. Not `toLocaleString()`: the first call of
 * that builds the browser's number formatter, tens of milliseconds of a page's first render.
 */
export function formatCount(value: number): string {
  return String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Any config or summary value as text. */
export function formatValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return '';
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** `1h 02m`, `3m 04s`, `12s`, `2.5s`, `0.42s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 1) return `${Number(seconds.toFixed(2))}s`;
  if (seconds < 10) return `${Number(seconds.toFixed(1))}s`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h >= 24) return `${Math.floor(h / 24)}d ${h % 24}h`;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

/** `just now`, `5 min ago`, `3 h ago`, `2 d ago`, then the date. Times in unix seconds. */
export function formatAgo(time: number, now: number): string {
  const seconds = now - time;
  if (seconds < 45) return 'just now';
  if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  if (seconds < 14 * 86400) return `${Math.round(seconds / 86400)} d ago`;
  return new Date(time * 1000).toISOString().slice(0, 10);
}

/** `2024-05-01 14:03:07` in local time. */
export function formatDateTime(time: number): string {
  const d = new Date(time * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** An axis tick: compact (`1.5k`, `2M`) for large numbers. */
export function formatTick(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${Number((value / 1e9).toPrecision(3))}G`;
  if (abs >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  if (abs >= 1e4) return `${Number((value / 1e3).toPrecision(3))}k`;
  return formatNumber(value);
}
