/**
 * The compare page's URL, `/:entity/:project/compare?runs=a,b,c`: the runs are a
 * comma-separated list (commas left readable), so a link shows the same comparison.
 */

/** At most this many runs are compared at once (each is one column and one request). */
export const MAX_COMPARED_RUNS = 20;

/** The query parameter listing the compared runs. */
export const RUNS_PARAM = 'runs';

const enc = encodeURIComponent;

/** The entity and project of a compare page's path, or undefined for any other path. */
export function parseComparePath(pathname: string): { entity: string; project: string } | undefined {
  const parts = pathname.split('/').filter((part) => part !== '');
  if (parts.length !== 3 || parts[2] !== 'compare') return undefined;
  try {
    return { entity: decodeURIComponent(parts[0]!), project: decodeURIComponent(parts[1]!) };
  } catch {
    return undefined;
  }
}

/**
 * The run ids of `?runs=…`, in order, without blanks or repeats. Commas separate ids whether
 * written plainly or encoded (as URLSearchParams writes them), so an id cannot hold a comma
 * (the keys API lists runs the same way).
 *
 * @example
 * readRunIds('?runs=a,b,,a&diff=1'); // → ['a', 'b']
 */
export function readRunIds(search: string): string[] {
  const ids: string[] = [];
  for (const part of (new URLSearchParams(search).get(RUNS_PARAM) ?? '').split(',')) {
    const id = part.trim();
    if (id !== '' && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

/**
 * `search` with `runs` set to `ids` (removed when empty), the other parameters kept in order;
 * the commas between ids stay readable in the address bar.
 *
 * @example
 * withRunIds('?diff=1', ['a', 'b']); // → '?diff=1&runs=a,b'
 */
export function withRunIds(search: string, ids: readonly string[]): string {
  const query = search.startsWith('?') ? search.slice(1) : search;
  const kept = query.split('&').filter((part) => part !== '' && !part.startsWith(`${RUNS_PARAM}=`) && part !== RUNS_PARAM);
  if (ids.length > 0) kept.push(`${RUNS_PARAM}=${ids.map(enc).join(',')}`);
  return kept.length === 0 ? '' : `?${kept.join('&')}`;
}

/**
 * The compare page of `runIds` (the first {@link MAX_COMPARED_RUNS}).
 *
 * @example
 * comparePath('local', 'mnist', ['abc', 'def']); // → '/local/mnist/compare?runs=abc,def'
 */
export function comparePath(entity: string, project: string, runIds: readonly string[] = []): string {
  return `/${enc(entity)}/${enc(project)}/compare${withRunIds('', runIds.slice(0, MAX_COMPARED_RUNS))}`;
}
