import { afterEach, describe, expect, it, vi } from 'vitest';
import { earlyAnswers, requestEarly, takeEarlyAnswer, takeEarlyRequest } from './early-answers.js';

/** A fetch whose answers the test releases; it counts the requests. */
function fakeFetch() {
  const calls: string[] = [];
  const pending = new Map<string, (response: Response) => void>();
  const fetchJson = ((path: string) => {
    calls.push(path);
    return new Promise<Response>((resolve) => pending.set(path, resolve));
  }) as typeof fetch;
  const answer = async (path: string, status: number, body: unknown) => {
    pending.get(path)!(new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
    // Until this answer is parsed (or briefly, while another request is still out).
    await earlyAnswers(50);
  };
  return { calls, fetchJson, answer };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('early answers', () => {
  it('hands an answer in to the first render, once', async () => {
    const server = fakeFetch();
    requestEarly('/a', server.fetchJson);
    requestEarly('/a', server.fetchJson);
    expect(server.calls).toEqual(['/a']);
    expect(takeEarlyAnswer('/a')).toBeUndefined(); // not in yet: it stays for the page's request
    await server.answer('/a', 200, { runs: [1] });
    expect(takeEarlyAnswer('/a')).toEqual({ runs: [1] });
    expect(takeEarlyAnswer('/a')).toBeUndefined();
  });

  it('lets the page\'s own request wait for an answer still on its way, and hands over errors as responses', async () => {
    const server = fakeFetch();
    requestEarly('/b', server.fetchJson);
    requestEarly('/c', server.fetchJson);
    const b = takeEarlyRequest('/b');
    await server.answer('/b', 200, { keys: ['loss'] });
    expect((await b)?.value).toEqual({ keys: ['loss'] });
    await server.answer('/c', 404, { error: { code: 'not_found', message: 'no such project' } });
    expect(takeEarlyAnswer('/c')).toBeUndefined();
    const c = await takeEarlyRequest('/c');
    expect(c?.response.status).toBe(404);
    expect(await c?.response.json()).toEqual({ error: { code: 'not_found', message: 'no such project' } });
    expect(await takeEarlyRequest('/never-started')).toBeUndefined();
  });

  it('hands out nothing stale', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const server = fakeFetch();
    requestEarly('/d', server.fetchJson);
    await server.answer('/d', 200, { runs: [] });
    vi.setSystemTime(Date.now() + 60_000);
    expect(takeEarlyAnswer('/d')).toBeUndefined();
  });

  it('waits for the answers at most so long', async () => {
    const server = fakeFetch();
    requestEarly('/e', server.fetchJson);
    const started = Date.now();
    await earlyAnswers(30);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(takeEarlyAnswer('/e')).toBeUndefined();
  });
});
