/**
 * GETs started before the page asks for them: the page's first requests, known from the URL
 * (early-requests.ts), go out as the script starts, and their answers are parsed as they
 * arrive. The page takes each answer once, while fresh — at its first render when it is
 * already in ({@link takeEarlyAnswer}), else through its own request of the same path, which
 * then waits for it rather than asking again (api.ts).
 */

interface EarlyAnswer {
  response: Response;
  /** The parsed JSON body, when the response is ok. */
  value: unknown;
}

interface EarlyRequest {
  answer: Promise<EarlyAnswer>;
  settled: EarlyAnswer | undefined;
  at: number;
}

const started = new Map<string, EarlyRequest>();
/** An early answer older than this is not handed out: the page would show stale data. */
const FRESH_MS = 10_000;

/** Starts `GET path` (JSON) now, unless it is already under way. */
export function requestEarly(path: string, fetchJson: typeof fetch = fetch): void {
  if (started.has(path)) return;
  const answer = fetchJson(path, { headers: { accept: 'application/json' } }).then(async (response) => {
    const settled = { response, value: response.ok ? await response.json() : undefined };
    request.settled = settled;
    return settled;
  });
  const request: EarlyRequest = { answer, settled: undefined, at: Date.now() };
  // A failure is reported by the request that takes it.
  request.answer.catch(() => {});
  started.set(path, request);
}

function take(path: string): EarlyRequest | undefined {
  const request = started.get(path);
  if (!request) return undefined;
  started.delete(path);
  return Date.now() - request.at <= FRESH_MS ? request : undefined;
}

/**
 * The answer of the early GET of `path` when it is in (ok and fresh), taken; else undefined,
 * and the early request stays for the page's own request to wait for.
 */
export function takeEarlyAnswer<T>(path: string): T | undefined {
  const request = started.get(path);
  if (!request?.settled?.response.ok) return undefined;
  return take(path)?.settled?.value as T | undefined;
}

/**
 * The early GET of `path`, taken: its answer (the response, with its parsed body when ok),
 * or undefined when there is none. Rejects as fetch does when the request failed.
 */
export async function takeEarlyRequest(path: string): Promise<EarlyAnswer | undefined> {
  return take(path)?.answer;
}

/** Resolves once every early request has its answer (or failed), or after `ms`, whichever is first. */
export function earlyAnswers(ms: number): Promise<void> {
  const pending = [...started.values()].filter((request) => !request.settled).map((request) => request.answer.catch(() => {}));
  if (pending.length === 0) return Promise.resolve();
  return Promise.race([Promise.all(pending).then(() => {}), new Promise<void>((resolve) => setTimeout(resolve, ms))]);
}
