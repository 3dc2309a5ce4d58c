/**
 * Metric paths. A nested history value `{ train: { acc: 0.9 } }` has the path `train.acc`;
 * a literal dot inside a key is escaped, so the flat key `"a.b"` has the path `a\.b`
 * (backslashes are escaped too, keeping the mapping one-to-one).
 */

/** Escapes one key so it can be joined into a dotted path. */
export function escapeKey(key: string): string {
  if (!key.includes('.') && !key.includes('\\')) return key;
  return key.replace(/[\\.]/g, (ch) => `\\${ch}`);
}

/** Joins nested keys into an escaped dotted path: `['a.b', 'c']` → `a\.b.c`. */
export function joinPath(keys: readonly string[]): string {
  return keys.length === 1 ? escapeKey(keys[0]!) : keys.map(escapeKey).join('.');
}

/** Splits an escaped dotted path back into its keys: `a\.b.c` → `['a.b', 'c']`. */
export function splitPath(path: string): string[] {
  if (!path.includes('\\')) return path.split('.');
  const keys: string[] = [];
  let current = '';
  for (let i = 0; i < path.length; i++) {
    const ch = path[i]!;
    if (ch === '\\' && i + 1 < path.length) {
      current += path[++i];
    } else if (ch === '.') {
      keys.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  keys.push(current);
  return keys;
}

/** True for a plain object (`{}` or `Object.create(null)`), false for arrays, class instances, null. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
