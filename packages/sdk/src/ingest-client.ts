/**
 * The ingest side of the HTTP API, shared by uploadRunDirectory, uploadRunFiles and the live
 * uploader of online runs: requests with retries (network errors, transient 5xx), the
 * server's answers as values, its refusals as CairnErrors.
 */
import { apiPaths, CairnError, ERROR_CODES, RECORDS_CONTENT_TYPE, type ErrorCode, type FileList, type HeartbeatResult } from '@cairn/protocol';


/** How to reach the server, and how hard to try. */
export interface IngestClientOptions {
  /** The server, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  fetch?: typeof fetch;
  /** Aborting rejects the request with the signal's reason; what was accepted stays accepted. */
  signal?: AbortSignal;
  /** Retries of network errors and 5xx answers: attempts in all (default 5), delays doubling from initialDelayMs (200) up to maxDelayMs (3000). */
  retry?: { attempts?: number; initialDelayMs?: number; maxDelayMs?: number };
}

/** A POST of records: accepted (with the writer's next index), or 409 out_of_order with the index to resume from. */
export type PostAnswer = { nextIndex: number; applied: number } | { outOfOrder: number };

/**
 * The ingest side of the HTTP API: requests with retries (network errors, transient 5xx),
 * the server's answers as values, its refusals as CairnErrors. Shared by uploadRunDirectory
 * and the live uploader of online runs.
 */
export class IngestClient {
  readonly baseUrl: string;
  private readonly fetch: typeof fetch;
  private readonly headers: Record<string, string>;
  private readonly attempts: number;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(private readonly options: IngestClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetch = options.fetch ?? globalThis.fetch;
    this.headers = options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {};
    this.attempts = Math.max(1, options.retry?.attempts ?? 5);
    this.initialDelayMs = options.retry?.initialDelayMs ?? 200;
    this.maxDelayMs = options.retry?.maxDelayMs ?? 3000;
  }

  async viewerEntity(): Promise<string> {
    const { body } = await this.expectOk('GET', apiPaths.viewer());
    const entity = (body as { entity?: unknown } | null)?.entity;
    if (typeof entity !== 'string' || entity === '') throw this.badAnswer('GET', apiPaths.viewer(), 'no entity');
    return entity;
  }

  async writerPosition(route: string): Promise<number> {
    const { body } = await this.expectOk('GET', route);
    return this.index(body, 'GET', route);
  }

  async postRecords(route: string, body: Buffer): Promise<PostAnswer> {
    const answer = await this.request('POST', route, body);
    if (answer.status === 409 && errorOf(answer.body)?.code === 'out_of_order') {
      return { outOfOrder: this.index(errorOf(answer.body), 'POST', route) };
    }
    if (answer.status !== 200) throw this.refused('POST', route, answer);
    const applied = (answer.body as { applied?: unknown }).applied;
    return { nextIndex: this.index(answer.body, 'POST', route), applied: typeof applied === 'number' ? applied : 0 };
  }

  /**
   * The sha256 of each file the server holds for a run, by path; or, for a server that stores
   * no files (an older server without the route, or one without a blob store), why not.
   */
  async fileHashes(route: string): Promise<Map<string, string> | string> {
    const answer = await this.request('GET', route);
    if (answer.status === 404 || answer.status === 501) {
      // 404 from a server that predates run files (no such route), 501 from one without a blob store.
      return `the Cairn server at ${this.baseUrl} keeps no files for this run (${answer.status}: ${errorOf(answer.body)?.message ?? 'no message'})`;
    }
    if (answer.status !== 200) throw this.refused('GET', route, answer);
    const files = (answer.body as Partial<FileList> | undefined)?.files;
    if (!Array.isArray(files)) throw this.badAnswer('GET', route, 'no file list');
    return new Map(files.map((file) => [file.path, file.sha256]));
  }

  /** Creates or replaces one file of a run with `bytes`. */
  async putFile(route: string, bytes: Uint8Array): Promise<void> {
    const answer = await this.request('PUT', route, bytes, 'application/octet-stream');
    if (answer.status !== 200) throw this.refused('PUT', route, answer);
  }

  /** The run is alive; undefined when the server answered without a body. */
  async heartbeat(route: string): Promise<HeartbeatResult | undefined> {
    const answer = await this.request('POST', route);
    if (answer.status !== 200) throw this.refused('POST', route, answer);
    const stopRequested = (answer.body as { stopRequested?: unknown } | undefined)?.stopRequested;
    return typeof stopRequested === 'boolean' ? { stopRequested } : undefined;
  }

  private async expectOk(method: string, route: string): Promise<{ status: number; body: unknown }> {
    const answer = await this.request(method, route);
    if (answer.status !== 200) throw this.refused(method, route, answer);
    return answer;
  }

  private index(body: unknown, method: string, route: string): number {
    const value = (body as { nextIndex?: unknown } | null | undefined)?.nextIndex;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw this.badAnswer(method, route, 'no valid nextIndex');
    return value;
  }

  /** One request; network errors and transient 5xx answers are retried with backoff. */
  private async request(method: string, route: string, body?: Uint8Array, contentType = RECORDS_CONTENT_TYPE): Promise<{ status: number; body: unknown }> {
    const { signal } = this.options;
    const headers = body ? { ...this.headers, 'content-type': contentType } : this.headers;
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      let failure: CairnError;
      try {
        const response = await this.fetch(this.baseUrl + route, { method, headers, body, signal });
        const answer = { status: response.status, body: parseJson(await response.text()) };
        if (!isTransient(response.status)) return answer;
        failure = this.refused(method, route, answer);
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        failure = this.unreachable(error);
      }
      if (attempt >= this.attempts) throw failure;
      await sleep(Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** (attempt - 1)), signal);
    }
  }

  private unreachable(error: unknown): CairnError {
    const cause = (error as { cause?: { message?: unknown } }).cause;
    const reason = typeof cause?.message === 'string' ? cause.message : (error as Error).message;
    return new CairnError(
      'not_available',
      `cannot reach the Cairn server at ${this.baseUrl}: ${reason}; start it with \`npx cairn server\`, or point CAIRN_BASE_URL (cairn sync --base-url) at a running one`,
    );
  }

  private refused(method: string, route: string, answer: { status: number; body: unknown }): CairnError {
    const error = errorOf(answer.body);
    if (!error) return this.badAnswer(method, route, `status ${answer.status}`);
    const code = error.code;
    const hint = code === 'unauthorized' ? '; pass an API key (cairn sync --api-key, or CAIRN_API_KEY)' : '';
    const known = (ERROR_CODES as readonly string[]).includes(code);
    // Codes that only exist on the wire (unauthorized, payload_too_large…) are kept in the message.
    return new CairnError(
      known ? (code as ErrorCode) : answer.status >= 500 ? 'internal' : 'invalid_argument',
      `the Cairn server at ${this.baseUrl} refused ${method} ${route} (${answer.status} ${code}): ${error.message}${hint}`,
    );
  }

  private badAnswer(method: string, route: string, what: string): CairnError {
    return new CairnError('not_available', `the server at ${this.baseUrl} answered ${method} ${route} with ${what}; is it a Cairn server?`);
  }
}

function errorOf(body: unknown): { code: string; message: string; nextIndex?: unknown } | undefined {
  const error = (body as { error?: unknown } | null | undefined)?.error as { code?: unknown; message?: unknown } | undefined;
  if (typeof error !== 'object' || error === null || typeof error.code !== 'string') return undefined;
  return { ...error, code: error.code, message: typeof error.message === 'string' ? error.message : '' };
}

/** 5xx except 501 (not implemented: asking again does not help), and 429. */
function isTransient(status: number): boolean {
  return (status >= 500 && status !== 501) || status === 429;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
