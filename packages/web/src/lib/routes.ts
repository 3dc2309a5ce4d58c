/**
 * The dashboard's URLs. They match the run URLs the SDK prints (`<server>/<entity>/<project>/runs/<id>`),
 * so a link from a training log opens the run page.
 */

export type Route =
  | { page: 'projects' }
  | { page: 'workspace'; entity: string; project: string }
  | { page: 'run'; entity: string; project: string; runId: string }
  | { page: 'not-found'; path: string };

/** The route of a location's path. */
export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter((part) => part !== '');
  let decoded: string[];
  try {
    decoded = parts.map((part) => decodeURIComponent(part));
  } catch {
    return { page: 'not-found', path: pathname };
  }
  const [entity, project, runs, runId] = decoded;
  if (decoded.length === 0) return { page: 'projects' };
  if (decoded.length === 2) return { page: 'workspace', entity: entity!, project: project! };
  if (decoded.length === 4 && runs === 'runs') return { page: 'run', entity: entity!, project: project!, runId: runId! };
  return { page: 'not-found', path: pathname };
}

const enc = encodeURIComponent;

/** The path of a route (without query string). */
export function routePath(route: Route): string {
  switch (route.page) {
    case 'projects':
      return '/';
    case 'workspace':
      return `/${enc(route.entity)}/${enc(route.project)}`;
    case 'run':
      return `/${enc(route.entity)}/${enc(route.project)}/runs/${enc(route.runId)}`;
    case 'not-found':
      return route.path;
  }
}

/**
 * `search` with some parameters set (a string) or removed (null), keeping the others in
 * their order. Returns `?…`, or '' when nothing is left.
 *
 * @example
 * withParams('?sort=name&q=x', { q: null, order: 'asc' }); // → '?sort=name&order=asc'
 */
export function withParams(search: string, updates: Record<string, string | null>): string {
  const params = new URLSearchParams(search);
  for (const [name, value] of Object.entries(updates)) {
    if (value === null) params.delete(name);
    else params.set(name, value);
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** A number parameter within [min, max], else `fallback`. */
export function readNumber(search: string, name: string, fallback: number, min: number, max: number): number {
  const text = new URLSearchParams(search).get(name);
  if (text === null || text.trim() === '') return fallback;
  const value = Number(text);
  return Number.isFinite(value) && value >= min && value <= max ? value : fallback;
}
