/**
 * Windowing for long lists of equal-height rows: only the rows in view (and a few either
 * side, so a fast scroll does not show blanks) are rendered.
 */

export interface RowWindow {
  /** The first rendered row. */
  first: number;
  /** One past the last rendered row. */
  end: number;
}

/**
 * The rows to render for a viewport `viewportHeight` tall scrolled to `scrollTop`, of
 * `count` rows `rowHeight` tall, with `overscan` extra rows either side.
 *
 * @example
 * rowWindow(3300, 330, 33, 10_000, 5); // → { first: 95, end: 115 }
 */
export function rowWindow(scrollTop: number, viewportHeight: number, rowHeight: number, count: number, overscan: number): RowWindow {
  if (count <= 0 || rowHeight <= 0) return { first: 0, end: 0 };
  const top = Math.max(0, Math.floor(scrollTop / rowHeight));
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const first = Math.max(0, Math.min(count - 1, top) - overscan);
  const end = Math.min(count, top + visible + overscan);
  return { first, end: Math.max(first, end) };
}
