/**
 * A run's files, end to end: an SDK run writes config.yaml, cairn-summary.json and
 * cairn-metadata.json (and anything else under files/); the uploader sends them to a real
 * server once each, again only when they change; `Api` lists and downloads them. An online
 * run's files reach the server when it finishes.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCairnError } from '@cairn/protocol';
import { Api, init, uploadRunDirectory } from '@cairn/sdk';
import { startServer, type RunningServer } from '@cairn/server';

let server: RunningServer;
let tempRoot: string;

beforeAll(async () => {
  tempRoot = mkdtempSync(path.join(os.tmpdir(), 'cairn-e2e-files-'));
  server = await startServer({ port: 0, dataDir: path.join(tempRoot, 'server'), quiet: true });
});

afterAll(async () => {
  await server?.close();
  if (tempRoot) rmSync(tempRoot, { recursive: true, force: true });
});

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const STANDARD_FILES = ['cairn-metadata.json', 'cairn-summary.json', 'config.yaml'];

/** A fetch that counts the file uploads (PUTs) it carries. */
function countingFetch() {
  const puts: string[] = [];
  const fetchFn: typeof fetch = (input, requestInit) => {
    if (requestInit?.method === 'PUT') puts.push(decodeURIComponent(new URL(String(input)).pathname.replace(/^.*\/files\//, '')));
    return fetch(input, requestInit);
  };
  return { puts, fetch: fetchFn };
}

async function offlineRun(id: string): Promise<string> {
  const run = await init({ mode: 'offline', silent: true, dir: mkdtempSync(path.join(tempRoot, `${id}-`)), project: 'files', id, config: { lr: 0.1, layers: [64, 32] } });
  for (let i = 0; i < 20; i++) run.log({ loss: 1 / (i + 1) });
  run.summary.best = 0.05;
  await run.finish();
  return run.runDir!;
}

describe('run files', () => {
  it('an offline run uploads its files once, again only when one changes, and Api downloads them', async () => {
    const runDir = await offlineRun('f1');
    const filesDir = path.join(runDir, 'files');
    expect(readdirSync(filesDir).sort()).toEqual(STANDARD_FILES);
    mkdirSync(path.join(filesDir, 'media', 'images'), { recursive: true });
    const image = Uint8Array.from({ length: 3000 }, (_, i) => (i * 13) % 256);
    writeFileSync(path.join(filesDir, 'media', 'images', 'sample 1.png'), image);
    const localFiles = [...STANDARD_FILES, 'media/images/sample 1.png'].sort();

    const first = countingFetch();
    const result = await uploadRunDirectory(runDir, { baseUrl: server.url, fetch: first.fetch });
    expect(result).toMatchObject({ finished: true, files: localFiles.length, filesNotSent: [] });
    expect(first.puts.sort()).toEqual(localFiles);

    const api = new Api({ baseUrl: server.url });
    const run = await api.run('local/files/f1');
    const files = await run.files();
    expect(files.map((f) => f.path)).toEqual(localFiles);
    for (const file of files) {
      const local = path.join(filesDir, ...file.path.split('/'));
      expect(file, file.path).toMatchObject({ sha256: sha256(local), size: readFileSync(local).length, updatedAt: expect.any(Number) });
      expect(file.url).toBe(`${server.url}/api/v1/projects/local/files/runs/f1/files/${file.path.split('/').map(encodeURIComponent).join('/')}`);
    }

    // A second sync sends nothing: neither records nor files.
    const second = countingFetch();
    expect(await uploadRunDirectory(runDir, { baseUrl: server.url, fetch: second.fetch })).toMatchObject({ records: 0, files: 0 });
    expect(second.puts).toEqual([]);

    // A touched file with the same content is checked, not sent; a changed one is sent alone.
    const future = new Date(Date.now() + 5000);
    utimesSync(path.join(filesDir, 'config.yaml'), future, future);
    writeFileSync(path.join(filesDir, 'cairn-summary.json'), '{"best": 0.01}\n');
    const third = countingFetch();
    expect(await uploadRunDirectory(runDir, { baseUrl: server.url, fetch: third.fetch })).toMatchObject({ files: 1 });
    expect(third.puts).toEqual(['cairn-summary.json']);
    const summary = await run.file('cairn-summary.json');
    expect(summary.sha256).toBe(sha256(path.join(filesDir, 'cairn-summary.json')));
    expect(await summary.text()).toBe('{"best": 0.01}\n');

    // Downloads equal the local files, byte for byte.
    const restored = mkdtempSync(path.join(tempRoot, 'restored-'));
    for (const file of await run.files()) {
      const local = await file.download(restored);
      expect(local).toBe(path.join(restored, ...file.path.split('/')));
      expect(readFileSync(local).equals(readFileSync(path.join(filesDir, ...file.path.split('/')))), file.path).toBe(true);
    }
    expect(Buffer.from(await (await run.file('media/images/sample 1.png')).bytes()).equals(Buffer.from(image))).toBe(true);

    // An existing file is kept unless replace is asked for.
    const target = path.join(restored, 'config.yaml');
    writeFileSync(target, 'local edit\n');
    const refusal = await (await run.file('config.yaml')).download(restored).catch((error: unknown) => error);
    expect(isCairnError(refusal, 'invalid_argument')).toBe(true);
    expect((refusal as Error).message).toContain('pass { replace: true }');
    expect(readFileSync(target, 'utf8')).toBe('local edit\n');
    await (await run.file('config.yaml')).download(restored, { replace: true });
    expect(readFileSync(target).equals(readFileSync(path.join(filesDir, 'config.yaml')))).toBe(true);

    const missing = await run.file('nope.txt').catch((error: unknown) => error);
    expect(isCairnError(missing, 'run_not_found')).toBe(true);
  });

  it('uploads the files again to a run whose state file names another server', async () => {
    const runDir = await offlineRun('f2');
    expect((await uploadRunDirectory(runDir, { baseUrl: server.url })).files).toBe(3);
    const other = await startServer({ port: 0, dataDir: path.join(tempRoot, 'other-server'), quiet: true });
    try {
      expect((await uploadRunDirectory(runDir, { baseUrl: other.url })).files).toBe(3);
      const files = await (await new Api({ baseUrl: other.url }).run('local/files/f2')).files();
      expect(files.map((f) => f.path)).toEqual(STANDARD_FILES);
    } finally {
      await other.close();
    }
  });

  it("an online run's files are on the server after finish", async () => {
    const dir = mkdtempSync(path.join(tempRoot, 'online-'));
    const run = await init({ baseUrl: server.url, project: 'files', dir, silent: true, config: { lr: 0.3 } });
    expect(run.mode).toBe('online');
    for (let i = 0; i < 10; i++) run.log({ acc: i / 10 });
    await run.finish();
    const filesDir = path.join(run.runDir!, 'files');
    const files = await (await new Api({ baseUrl: server.url }).run(`local/files/${run.id}`)).files();
    expect(files.map((f) => f.path)).toEqual(STANDARD_FILES);
    for (const file of files) expect(file.sha256, file.path).toBe(sha256(path.join(filesDir, file.path)));
    // Synced as a whole: a later `cairn sync` finds nothing to send.
    const again = await uploadRunDirectory(run.runDir!, { baseUrl: server.url });
    expect(again).toMatchObject({ records: 0, files: 0, finished: true });
  });
});
