/**
 * The first requests of the page a URL opens, known from the URL alone: sent as the script
 * starts (see early.ts) — before React and the rest of the bundle are evaluated and the page
 * rendered — so their answers are in, or on their way, when the page asks for them
 * (early-answers.ts). Only requests the page is sure to make, with the very URLs it will use.
 */
import { paths, runsUrl } from './api.js';
import { parseComparePath } from './compare-url.js';
import { parseRoute, readNumber } from './routes.js';
import { filterParams, parseRunFilter } from './run-filter.js';
import { readRunSort } from './run-sort.js';
import { firstPageSize, pageQuery } from './runs-loader.js';
import { DEFAULT_SHOWN, MAX_SHOWN, SHOWN_PARAM } from './view-params.js';

/**
 * The GETs the page at `pathname` + `search` makes first: for a workspace, its metric keys
 * and the first page of its runs, as sorted and filtered in the URL.
 *
 * @example
 * earlyRequests('/local/mnist', '?sort=name');
 * // → ['/api/v1/projects/local/mnist/keys', '/api/v1/projects/local/mnist/runs?sort=name&order=desc&limit=100']
 */
export function earlyRequests(pathname: string, search: string): string[] {
  if (parseComparePath(pathname)) return [];
  const route = parseRoute(pathname);
  if (route.page !== 'workspace') return [];
  const params = new URLSearchParams(search);
  const filter = filterParams(parseRunFilter(params.get('q') ?? ''));
  const shown = readNumber(search, SHOWN_PARAM, DEFAULT_SHOWN, 1, MAX_SHOWN);
  return [paths.keys(route.entity, route.project), runsUrl(route.entity, route.project, pageQuery(readRunSort(params), filter, undefined, firstPageSize(shown)))];
}
