import { describe, expect, it } from 'vitest';
import { paths, runsUrl } from './api.js';
import { earlyRequests } from './early-requests.js';
import { filterParams, parseRunFilter } from './run-filter.js';
import { pageQuery } from './runs-loader.js';

describe('earlyRequests', () => {
  it('asks for a workspace\'s keys and the first page of its runs, with the URLs its loader uses', () => {
    const filter = filterParams(parseRunFilter('summary.acc > 0.9 tag:best'));
    expect(earlyRequests('/local/mnist', '?sort=summary.acc&order=asc&q=summary.acc+%3E+0.9+tag%3Abest')).toEqual([
      paths.keys('local', 'mnist'),
      runsUrl('local', 'mnist', pageQuery({ field: 'summary.acc', order: 'asc' }, filter, undefined, 100)),
    ]);
    expect(earlyRequests('/local/mnist', '')).toEqual([paths.keys('local', 'mnist'), '/api/v1/projects/local/mnist/runs?sort=created&order=desc&limit=100']);
  });

  it('asks for as many runs as the charts draw', () => {
    expect(earlyRequests('/local/mnist', '?show=200')[1]).toContain('limit=200');
  });

  it('asks nothing for the other pages', () => {
    expect(earlyRequests('/', '')).toEqual([]);
    expect(earlyRequests('/local/mnist/runs/abc', '')).toEqual([]);
    expect(earlyRequests('/local/mnist/compare', '?runs=a,b')).toEqual([]);
  });
});
