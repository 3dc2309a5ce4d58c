import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { apiPaths, decodeRecordLine, encodeRecordLine, isCairnError, MAX_BATCH_BYTES, RECORDS_CONTENT_TYPE } from '@cairn/protocol';
import { startRun, tempDir } from './test-support/index.js';
import { findRunDirectories, IngestClient, isSynced, uploadRunDirectory, type UploadOptions } from './upload.js';

/** One request the fake server received. */
interface Received {
  method: string;
  path: string;
  first: number | undefined;
  lines: string[];
  headers: IncomingMessage['headers'];
}

interface FakeServerOptions {
  viewerEntity?: string;
  /** Fail this many requests before answering: with 503, or by destroying the socket. */
  failFirst?: { count: number; how: '503' | 'destroy' };
  /** Answers every request with this status and error body. */
  refuseWith?: { status: number; code: string; message: string };
  /** Added to the writer position the server reports (a server that lost records answers too high). */
  positionSkew?: number;
}

/**
 * A real HTTP server implementing the ingest contract of protocol/api.ts: it keeps the lines
 * of each (run path, writer), applies each index once, and answers 409 out_of_order on a gap.
 */
class FakeIngestServer {
  readonly received: Received[] = [];
  readonly logs = new Map<string, string[]>();
  url = '';
  private readonly server: Server;
  private failuresLeft: number;

  constructor(private readonly options: FakeServerOptions = {}) {
    this.failuresLeft = options.failFirst?.count ?? 0;
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** The POSTs that carried records. */
  get posts(): Received[] {
    return this.received.filter((r) => r.method === 'POST');
  }

  /** Every line the server holds, across runs and writers. */
  allLines(): string[] {
    return [...this.logs.values()].flat();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url!, this.url);
    const first = url.searchParams.get('first');
    const lines = body === '' ? [] : body.split('\n');
    if (lines.length > 0 && lines.pop() !== '') throw new Error('test server received a torn line');
    this.received.push({ method: req.method!, path: url.pathname, first: first === null ? undefined : Number(first), lines, headers: req.headers });

    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      if (this.options.failFirst?.how === 'destroy') return void req.socket.destroy();
      return send(res, 503, { error: { code: 'internal', message: 'warming up' } });
    }
    const refuse = this.options.refuseWith;
    if (refuse) return send(res, refuse.status, { error: { code: refuse.code, message: refuse.message } });

    if (req.method === 'GET' && url.pathname === apiPaths.viewer()) {
      return send(res, 200, { entity: this.options.viewerEntity ?? 'local', serverVersion: 'test' });
    }
    const writer = /^(.*)\/writers\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && writer) {
      const held = this.logs.get(`${writer[1]}/records|${decodeURIComponent(writer[2]!)}`)?.length ?? 0;
      return send(res, 200, { nextIndex: held + (this.options.positionSkew ?? 0) });
    }
    if (req.method === 'POST' && url.pathname.endsWith('/heartbeat')) return send(res, 200, { stopRequested: url.pathname.includes('/stop-me/') });
    if (req.method === 'POST' && url.pathname.endsWith('/records')) {
      if (req.headers['content-type'] !== RECORDS_CONTENT_TYPE) return send(res, 400, { error: { code: 'invalid_argument', message: 'content type' } });
      if (Buffer.byteLength(body) > MAX_BATCH_BYTES) return send(res, 413, { error: { code: 'payload_too_large', message: 'too big' } });
      const key = `${url.pathname}|${url.searchParams.get('writer')}`;
      const held = this.logs.get(key) ?? [];
      this.logs.set(key, held);
      const start = Number(first);
      if (start > held.length) return send(res, 409, { error: { code: 'out_of_order', message: 'gap', nextIndex: held.length } });
      let applied = 0;
      lines.forEach((line, i) => {
        if (start + i < held.length) return;
        if (!decodeRecordLine(line)) throw new Error(`test server received a damaged line: ${line}`);
        held.push(line);
        applied++;
      });
      return send(res, 200, { nextIndex: held.length, applied });
    }
    send(res, 404, { error: { code: 'run_not_found', message: `no route ${url.pathname}` } });
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

const servers: FakeIngestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function startFakeServer(options: FakeServerOptions = {}): Promise<FakeIngestServer> {
  const server = await new FakeIngestServer(options).start();
  servers.push(server);
  return server;
}

const FAST_RETRY: UploadOptions['retry'] = { attempts: 5, initialDelayMs: 5, maxDelayMs: 20 };

/** A hand-written run directory: header, run, `rows` history records, and an exit record when `exit`. */
function writeRunDir(options: { rows: number; exit?: boolean; entity?: string | null; id?: string; pad?: number; dirName?: string }): { dir: string; log: string; lines: string[] } {
  const id = options.id ?? 'r1';
  const dir = path.join(tempDir(), options.dirName ?? `offline-run-20240101_120000-${id}`);
  mkdirSync(dir, { recursive: true });
  const records: object[] = [
    { t: 'header', version: 1, writer: 'test', writerId: 'w-1', pid: 1, time: 1 },
    { t: 'run', id, project: 'proj', entity: options.entity ?? null, name: 'n', group: null, jobType: null, tags: [], notes: null, startTime: 1, startingStep: 0, resumed: false, sweepId: null, mode: 'offline' },
  ];
  for (let step = 0; step < options.rows; step++) records.push({ t: 'history', row: { loss: 1 / (step + 1), pad: 'x'.repeat(options.pad ?? 0), _step: step, _runtime: step, _timestamp: 1 + step } });
  if (options.exit) records.push({ t: 'exit', exitCode: 0, runtime: options.rows, time: 2 });
  const lines = records.map((r) => encodeRecordLine(r));
  const log = path.join(dir, `run-${id}.cairn`);
  writeFileSync(log, lines.join(''));
  return { dir, log, lines: lines.map((l) => l.slice(0, -1)) };
}

describe('uploadRunDirectory(): batches and positions', () => {
  it('sends every record once, in batches no larger than batchBytes, and reports progress', async () => {
    const server = await startFakeServer({ viewerEntity: 'alice' });
    const { dir, lines } = writeRunDir({ rows: 200, exit: true, pad: 100 });
    const progress: number[][] = [];
    const result = await uploadRunDirectory(dir, {
      baseUrl: `${server.url}/`,
      batchBytes: 4096,
      onProgress: (p) => progress.push([p.sentBytes, p.totalBytes, p.nextIndex]),
    });

    expect(result).toEqual({ runId: 'r1', entity: 'alice', project: 'proj', nextIndex: 203, records: 203, logRecords: 203, finished: true, files: 0, filesNotSent: [] });
    expect(server.allLines()).toEqual(lines);
    expect(server.posts.length).toBeGreaterThan(5);
    for (const post of server.posts) {
      expect(post.path).toBe(apiPaths.records('alice', 'proj', 'r1'));
      expect(Buffer.byteLength(post.lines.join('\n') + '\n')).toBeLessThanOrEqual(4096);
    }
    // Each batch starts where the previous one ended.
    expect(server.posts.map((p) => p.first)).toEqual(server.posts.map((_, i) => server.posts.slice(0, i).reduce((n, p) => n + p.lines.length, 0)));
    const total = readFileSync(path.join(dir, 'run-r1.cairn')).length;
    expect(progress[0]).toEqual([0, total, 0]);
    expect(progress.at(-1)).toEqual([total, total, 203]);
  });

  it('uses the run record entity when there is one, without asking the viewer', async () => {
    const server = await startFakeServer();
    const { dir } = writeRunDir({ rows: 2, entity: 'team' });
    const result = await uploadRunDirectory(dir, { baseUrl: server.url });
    expect(result.entity).toBe('team');
    expect(server.received.some((r) => r.path === apiPaths.viewer())).toBe(false);
    expect(server.posts[0]!.path).toBe(apiPaths.records('team', 'proj', 'r1'));
  });

  it('a second upload of a synced run sends no records', async () => {
    const server = await startFakeServer();
    const { dir } = writeRunDir({ rows: 10, exit: true });
    await uploadRunDirectory(dir, { baseUrl: server.url });
    const before = server.posts.length;
    const again = await uploadRunDirectory(dir, { baseUrl: server.url });
    expect(again).toMatchObject({ records: 0, nextIndex: 13, finished: true });
    expect(server.posts.length).toBe(before);
    expect(server.allLines()).toHaveLength(13);
  });

  it('resumes from the server position after an upload aborted after its first batch', async () => {
    const server = await startFakeServer();
    const { dir, lines } = writeRunDir({ rows: 100, exit: true, pad: 50 });
    const controller = new AbortController();
    const aborted = uploadRunDirectory(dir, {
      baseUrl: server.url,
      batchBytes: 2048,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.nextIndex > 0) controller.abort();
      },
    });
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    const held = server.allLines().length;
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan(lines.length);
    expect(existsSync(path.join(dir, 'run-r1.cairn.synced'))).toBe(false);

    const postsBefore = server.posts.length;
    const result = await uploadRunDirectory(dir, { baseUrl: server.url, batchBytes: 2048 });
    expect(server.posts[postsBefore]!.first).toBe(held);
    expect(result.records).toBe(lines.length - held);
    expect(server.allLines()).toEqual(lines);
  });

  it('jumps back to the server nextIndex on 409 out_of_order', async () => {
    const server = await startFakeServer({ positionSkew: 5 });
    const { dir, lines } = writeRunDir({ rows: 20, exit: true });
    const result = await uploadRunDirectory(dir, { baseUrl: server.url });
    expect(server.posts[0]!.first).toBe(5);
    expect(server.posts[1]!.first).toBe(0);
    expect(server.allLines()).toEqual(lines);
    expect(result).toMatchObject({ nextIndex: lines.length, records: lines.length, finished: true });
  });

  it('sends a record larger than batchBytes on its own', async () => {
    const server = await startFakeServer();
    const { dir, lines } = writeRunDir({ rows: 3, pad: 10_000 });
    await uploadRunDirectory(dir, { baseUrl: server.url, batchBytes: 1000 });
    expect(server.posts.map((p) => p.lines.length)).toEqual([2, 1, 1, 1]);
    expect(server.allLines()).toEqual(lines);
  });

  // Writing an 8 MiB record takes a second or more on a busy machine.
  it('refuses a record larger than MAX_BATCH_BYTES, naming its index', async () => {
    const server = await startFakeServer();
    const { dir, log } = writeRunDir({ rows: 1 });
    appendFileSync(log, encodeRecordLine({ t: 'history', row: { blob: 'y'.repeat(MAX_BATCH_BYTES), _step: 1 } }, crc32));
    const error = await uploadRunDirectory(dir, { baseUrl: server.url }).catch((e: unknown) => e);
    expect(isCairnError(error, 'invalid_argument')).toBe(true);
    expect((error as Error).message).toMatch(/^record 3 of \S+run-r1\.cairn is \d+ bytes, more than the 8388608 bytes a server accepts in one request/);
    // Everything before it was uploaded.
    expect(server.allLines()).toHaveLength(3);
  }, 30_000);

  it('uploads a real offline run written by the SDK', async () => {
    const server = await startFakeServer();
    const run = await startRun({ project: 'sdk-run' });
    for (let i = 0; i < 50; i++) run.log({ loss: 1 / (i + 1), acc: i / 50 });
    run.summary.best = 0.99;
    await run.finish();
    const result = await uploadRunDirectory(run.runDir!, { baseUrl: server.url });
    const file = readFileSync(path.join(run.runDir!, `run-${run.id}.cairn`), 'utf8');
    expect(server.allLines()).toEqual(file.split('\n').slice(0, -1));
    expect(result).toMatchObject({ runId: run.id, project: 'sdk-run', entity: 'local', finished: true });
    expect(isSynced(run.runDir!)).toBe(true);
  });
});

describe('uploadRunDirectory(): torn lines and the synced marker', () => {
  it('never sends a torn last line, and sends it once it is complete', async () => {
    const server = await startFakeServer();
    const { dir, log, lines } = writeRunDir({ rows: 5 });
    const exitLine = encodeRecordLine({ t: 'exit', exitCode: 0, runtime: 5, time: 3 });
    appendFileSync(log, exitLine.slice(0, 20));

    const first = await uploadRunDirectory(dir, { baseUrl: server.url });
    expect(first).toMatchObject({ nextIndex: lines.length, logRecords: lines.length, finished: false });
    expect(server.allLines()).toEqual(lines);
    expect(isSynced(dir)).toBe(false);

    appendFileSync(log, exitLine.slice(20));
    const second = await uploadRunDirectory(dir, { baseUrl: server.url });
    expect(second).toMatchObject({ records: 1, finished: true });
    expect(server.allLines()).toEqual([...lines, exitLine.slice(0, -1)]);
  });

  it('writes the marker only when the log ends with an exit record, and a resumed log is unsynced again', async () => {
    const server = await startFakeServer();
    const { dir, log } = writeRunDir({ rows: 3 });
    const marker = `${log}.synced`;

    expect((await uploadRunDirectory(dir, { baseUrl: server.url })).finished).toBe(false);
    expect(existsSync(marker)).toBe(false);
    expect(isSynced(dir)).toBe(false);

    appendFileSync(log, encodeRecordLine({ t: 'exit', exitCode: 1, runtime: 3, time: 3 }));
    expect((await uploadRunDirectory(dir, { baseUrl: server.url })).finished).toBe(true);
    expect(JSON.parse(readFileSync(marker, 'utf8'))).toMatchObject({ id: 'r1', entity: 'local', project: 'proj', records: 6 });
    expect(isSynced(dir)).toBe(true);

    // Resuming appends a new session: its header without an exit makes the run unfinished.
    appendFileSync(log, encodeRecordLine({ t: 'header', version: 1, writer: 'test', writerId: 'w-1', pid: 2, time: 4 }));
    expect(isSynced(dir)).toBe(false);
    const resumed = await uploadRunDirectory(dir, { baseUrl: server.url });
    expect(resumed).toMatchObject({ records: 1, finished: false });
  });
});

describe('uploadRunDirectory(): failures', () => {
  it('retries 503 answers with backoff', async () => {
    const server = await startFakeServer({ failFirst: { count: 3, how: '503' } });
    const { dir, lines } = writeRunDir({ rows: 4, exit: true });
    const result = await uploadRunDirectory(dir, { baseUrl: server.url, retry: FAST_RETRY });
    expect(result.finished).toBe(true);
    expect(server.allLines()).toEqual(lines);
  });

  it('retries requests whose connection was dropped', async () => {
    const server = await startFakeServer({ failFirst: { count: 2, how: 'destroy' } });
    const { dir, lines } = writeRunDir({ rows: 4, exit: true });
    await uploadRunDirectory(dir, { baseUrl: server.url, retry: FAST_RETRY });
    expect(server.allLines()).toEqual(lines);
  });

  it('gives up after the last attempt with the server error', async () => {
    const server = await startFakeServer({ failFirst: { count: 10, how: '503' } });
    const { dir } = writeRunDir({ rows: 1 });
    const error = await uploadRunDirectory(dir, { baseUrl: server.url, retry: { attempts: 3, initialDelayMs: 1 } }).catch((e: unknown) => e);
    expect(server.received).toHaveLength(3);
    expect(isCairnError(error, 'internal')).toBe(true);
    expect((error as Error).message).toMatch(/refused GET .*\(503 internal\): warming up/);
  });

  it('says how to start the server when none answers', async () => {
    const server = await startFakeServer();
    const { url } = server;
    await server.close();
    const { dir } = writeRunDir({ rows: 1 });
    const error = await uploadRunDirectory(dir, { baseUrl: url, retry: { attempts: 2, initialDelayMs: 1 } }).catch((e: unknown) => e);
    expect(isCairnError(error, 'not_available')).toBe(true);
    expect((error as Error).message).toBe(
      `cannot reach the Cairn server at ${url}: connect ECONNREFUSED ${url.slice(7)}; ` +
        'start it with `npx cairn server`, or point CAIRN_BASE_URL (cairn sync --base-url) at a running one',
    );
  });

  it('turns a 4xx answer into a CairnError with the server code and message, without retrying', async () => {
    const server = await startFakeServer({ refuseWith: { status: 400, code: 'corrupt_log', message: 'line 3 is not a record' } });
    const { dir } = writeRunDir({ rows: 1, entity: 'e' });
    const error = await uploadRunDirectory(dir, { baseUrl: server.url, retry: FAST_RETRY }).catch((e: unknown) => e);
    expect(isCairnError(error, 'corrupt_log')).toBe(true);
    expect((error as Error).message).toMatch(/refused GET \/api\/v1\/.*\/writers\/w-1 \(400 corrupt_log\): line 3 is not a record$/);
    expect(server.received).toHaveLength(1);
  });

  it('sends the API key, and says where to put one when the server wants it', async () => {
    const server = await startFakeServer({ refuseWith: { status: 401, code: 'unauthorized', message: 'a valid API key is required' } });
    const { dir } = writeRunDir({ rows: 1 });
    const error = await uploadRunDirectory(dir, { baseUrl: server.url, apiKey: 'k-123' }).catch((e: unknown) => e);
    expect(server.received[0]!.headers.authorization).toBe('Bearer k-123');
    expect((error as Error).message).toMatch(/\(401 unauthorized\): a valid API key is required; pass an API key \(cairn sync --api-key, or CAIRN_API_KEY\)/);
  });

  it('names a directory without a log, and a log without a header', async () => {
    const empty = tempDir();
    await expect(uploadRunDirectory(empty, { baseUrl: 'http://127.0.0.1:1' })).rejects.toThrow(/holds no run-<id>\.cairn log/);
    const { dir, log, lines } = writeRunDir({ rows: 1 });
    writeFileSync(log, lines.slice(1).map((l) => `${l}\n`).join(''));
    await expect(uploadRunDirectory(dir, { baseUrl: 'http://127.0.0.1:1' })).rejects.toThrow(/has no header record with a writer id/);
  });
});

describe('IngestClient', () => {
  it('heartbeat() answers whether the server wants the run stopped', async () => {
    const server = await startFakeServer();
    const client = new IngestClient({ baseUrl: server.url, apiKey: 'k' });
    expect(await client.heartbeat(apiPaths.heartbeat('e', 'p', 'stop-me'))).toEqual({ stopRequested: true });
    expect(await client.heartbeat(apiPaths.heartbeat('e', 'p', 'keep-going'))).toEqual({ stopRequested: false });
    expect(server.received.map((r) => [r.method, r.headers.authorization])).toEqual([['POST', 'Bearer k'], ['POST', 'Bearer k']]);
  });
});

describe('findRunDirectories()', () => {
  it('finds run directories from run dirs, cairn/ dirs and their parents, oldest first, once each', async () => {
    const root = tempDir();
    const make = (name: string): string => {
      const dir = path.join(root, 'cairn', name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `run-${name.slice(-2)}.cairn`), '');
      return dir;
    };
    const newer = make('run-20240301_101010-b2');
    const older = make('offline-run-20240101_101010-a1');
    mkdirSync(path.join(root, 'cairn', 'not-a-run'));

    expect(findRunDirectories([root])).toEqual([older, newer]);
    expect(findRunDirectories([path.join(root, 'cairn')])).toEqual([older, newer]);
    expect(findRunDirectories([newer, root, path.join(older, 'run-a1.cairn')])).toEqual([older, newer]);
    expect(findRunDirectories([tempDir()])).toEqual([]);
    expect(() => findRunDirectories([path.join(root, 'missing')])).toThrow(/missing does not exist/);
  });

  it('orders runs started in the same second by the time in their header', () => {
    const root = tempDir();
    const make = (id: string, time: number): string => {
      const dir = path.join(root, `run-20240101_101010-${id}`);
      mkdirSync(dir);
      writeFileSync(path.join(dir, `run-${id}.cairn`), encodeRecordLine({ t: 'header', version: 1, writer: 'test', writerId: id, pid: 1, time }));
      return dir;
    };
    const later = make('aa', 1000.75);
    const earlier = make('zz', 1000.25);
    expect(findRunDirectories([root])).toEqual([earlier, later]);
  });

  it('finds the run directories the SDK creates', async () => {
    const run = await startRun();
    await run.finish();
    expect(findRunDirectories([path.dirname(path.dirname(run.runDir!))])).toEqual([run.runDir]);
  });
});
