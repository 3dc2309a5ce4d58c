/**
 * Summary columns of the runs table: which numeric summary values to show, and how to read
 * and sort by them (the server sorts by `summary.<escaped path>`).
 */

export interface ValueColumn {
  /** `a.b` for the nested value `{ a: { b } }`. */
  label: string;
  /** The escaped dotted path (a literal `.` in a key is `\.`), as series keys and sort fields use. */
  path: string;
  parts: string[];
}

/** Escapes one key for a dotted path, as @cairn/protocol's escapeKey does. */
export function escapePathKey(key: string): string {
  return key.includes('.') || key.includes('\\') ? key.replace(/[\\.]/g, (ch) => `\\${ch}`) : key;
}

/**
 * The keys of an escaped dotted path (see {@link escapePathKey}).
 *
 * @example
 * splitFieldPath('config.opt\\.name.lr'); // → ['config', 'opt.name', 'lr']
 */
export function splitFieldPath(path: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < path.length; i++) {
    const ch = path[i]!;
    if (ch === '\\' && i + 1 < path.length) current += path[++i];
    else if (ch === '.') {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

/** The value at `parts` inside nested objects, or undefined. */
export function valueAt(value: unknown, parts: readonly string[]): unknown {
  let node = value;
  for (const part of parts) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function collectNumeric(value: Record<string, unknown>, prefix: string[], out: Map<string, string[]>): void {
  for (const [key, child] of Object.entries(value)) {
    const parts = [...prefix, key];
    if (typeof child === 'number') {
      const path = parts.map(escapePathKey).join('.');
      if (!out.has(path)) out.set(path, parts);
    } else if (child !== null && typeof child === 'object' && !Array.isArray(child) && !('_type' in child)) {
      collectNumeric(child as Record<string, unknown>, parts, out);
    }
  }
}

/**
 * Up to `limit` columns of numeric summary values found in any of `summaries`, skipping
 * `_`-prefixed keys and those `exclude` rejects (hidden metrics): those in `preferred` first (in its order, e.g. the panels'), then the
 * rest by path.
 */
export function summaryColumns(
  summaries: ReadonlyArray<Record<string, unknown>>,
  preferred: readonly string[],
  limit: number,
  exclude: (path: string) => boolean = () => false,
): ValueColumn[] {
  const found = new Map<string, string[]>();
  for (const summary of summaries) collectNumeric(summary, [], found);
  for (const path of found.keys()) if (path.startsWith('_') || exclude(path)) found.delete(path);
  const order = [...preferred.filter((path) => found.has(path)), ...[...found.keys()].filter((path) => !preferred.includes(path)).sort()];
  return order.slice(0, limit).map((path) => {
    const parts = found.get(path)!;
    return { label: parts.join('.'), path, parts };
  });
}
