/**
 * The workspace view state kept in the URL beyond sorting and filtering: the zoomed x-range
 * of each x-axis (shared by every panel drawn against it), lists of ids (log-scale panels,
 * table columns) and the number of runs drawn.
 */

/** The URL parameter of how many visible runs (or groups) the charts draw. */
export const SHOWN_PARAM = 'show';
export const DEFAULT_SHOWN = 10;
export const MAX_SHOWN = 200;

/** What every zoom parameter's name starts with. */
export const ZOOM_PREFIX = 'zoom:';

/** The URL parameter holding the zoomed range of the x-axis `axis`: `zoom:_step=100,250`. */
export function zoomParam(axis: string): string {
  return `${ZOOM_PREFIX}${axis}`;
}

/** The zoomed range of `axis` in `search`, or undefined (not zoomed, or malformed). */
export function readZoom(search: string, axis: string): [number, number] | undefined {
  const text = new URLSearchParams(search).get(zoomParam(axis));
  if (!text) return undefined;
  const parts = text.split(',');
  if (parts.length !== 2 || parts.some((part) => part.trim() === '')) return undefined;
  const [from, to] = parts.map(Number) as [number, number];
  if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to) return undefined;
  return [from, to];
}

/**
 * A range as URL text, rounded to a ten-thousandth of its width (a wall-time range keeps its
 * integer seconds and enough decimals; a step range of thousands needs none).
 *
 * @example
 * formatZoom([102.3456, 398.71]);   // → '102.35,398.71'
 * formatZoom([12.00001, 4000.4]);   // → '12,4000.4'
 */
export function formatZoom([from, to]: readonly [number, number]): string {
  const span = Math.abs(to - from);
  const decimals = span > 0 ? Math.min(12, Math.max(0, Math.ceil(-Math.log10(span / 10_000)))) : 6;
  const round = (value: number) => String(Number(value.toFixed(decimals)));
  return `${round(from)},${round(to)}`;
}

/**
 * A comma-separated list parameter. Items are URI-encoded first, so an item holding a comma
 * (a config key can) survives.
 */
export function readList(search: string, name: string): string[] | undefined {
  const text = new URLSearchParams(search).get(name);
  if (text === null) return undefined;
  return text
    .split(',')
    .filter((item) => item !== '')
    .map((item) => {
      try {
        return decodeURIComponent(item);
      } catch {
        return item;
      }
    });
}

/** The text of a list parameter (see {@link readList}). */
export function writeList(items: readonly string[]): string {
  return items.map((item) => (/[,%]/.test(item) ? encodeURIComponent(item) : item)).join(',');
}

/** `items` with `item` added when absent, removed when present. */
export function toggled(items: readonly string[], item: string): string[] {
  return items.includes(item) ? items.filter((other) => other !== item) : [...items, item];
}
