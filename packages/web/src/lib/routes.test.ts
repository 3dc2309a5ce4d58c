import { describe, expect, it } from 'vitest';
import { parseRoute, readNumber, routePath, withParams, type Route } from './routes.js';

describe('parseRoute', () => {
  it('reads the three pages, tolerating a trailing slash', () => {
    expect(parseRoute('/')).toEqual({ page: 'projects' });
    expect(parseRoute('')).toEqual({ page: 'projects' });
    expect(parseRoute('/local/mnist')).toEqual({ page: 'workspace', entity: 'local', project: 'mnist' });
    expect(parseRoute('/local/mnist/')).toEqual({ page: 'workspace', entity: 'local', project: 'mnist' });
    expect(parseRoute('/local/mnist/runs/abc123')).toEqual({ page: 'run', entity: 'local', project: 'mnist', runId: 'abc123' });
  });

  it('decodes segments', () => {
    expect(parseRoute('/local/my%20project/runs/a%2Fb')).toEqual({ page: 'run', entity: 'local', project: 'my project', runId: 'a/b' });
  });

  it('answers not-found for other paths and malformed escapes', () => {
    expect(parseRoute('/local')).toEqual({ page: 'not-found', path: '/local' });
    expect(parseRoute('/local/mnist/files/x')).toEqual({ page: 'not-found', path: '/local/mnist/files/x' });
    expect(parseRoute('/local/%E0%A4%A')).toEqual({ page: 'not-found', path: '/local/%E0%A4%A' });
  });

  it('round-trips with routePath', () => {
    const routes: Route[] = [
      { page: 'projects' },
      { page: 'workspace', entity: 'team a', project: 'p/q' },
      { page: 'run', entity: 'local', project: 'demo', runId: 'x?y#z' },
    ];
    for (const route of routes) expect(parseRoute(routePath(route))).toEqual(route);
  });

  it('builds the run URL the SDK prints', () => {
    expect(routePath({ page: 'run', entity: 'local', project: 'e2e', runId: 'abc' })).toBe('/local/e2e/runs/abc');
  });
});

describe('withParams', () => {
  it('sets and removes parameters, keeping the others in order', () => {
    expect(withParams('?sort=name&q=x', { q: null, order: 'asc' })).toBe('?sort=name&order=asc');
    expect(withParams('', { smooth: '0.6' })).toBe('?smooth=0.6');
    expect(withParams('?a=1', { a: null })).toBe('');
    expect(withParams('?a=1', { a: '2' })).toBe('?a=2');
  });

  it('escapes names and values (panel keys in parameter names)', () => {
    const search = withParams('', { 'x:val/loss': 'epoch', q: 'a&b' });
    expect(new URLSearchParams(search).get('x:val/loss')).toBe('epoch');
    expect(new URLSearchParams(search).get('q')).toBe('a&b');
  });
});

describe('readNumber', () => {
  it('reads a number within bounds, else the fallback', () => {
    expect(readNumber('?smooth=0.6', 'smooth', 0, 0, 0.99)).toBe(0.6);
    expect(readNumber('?smooth=2', 'smooth', 0, 0, 0.99)).toBe(0);
    expect(readNumber('?smooth=abc', 'smooth', 0, 0, 0.99)).toBe(0);
    expect(readNumber('?smooth=', 'smooth', 0.1, 0, 0.99)).toBe(0.1);
    expect(readNumber('', 'smooth', 0, 0, 0.99)).toBe(0);
  });
});
