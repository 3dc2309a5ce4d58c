/**
 * The BlobStore conformance suite: every implementation passes the same tests. Today that is
 * the file store; S3 is a written skip until it exists.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileBlobStore, type BlobStore } from './blob-store.js';

interface BlobStoreUnderTest {
  name: string;
  open(): { blobs: BlobStore; dispose(): void };
}

const implementations: BlobStoreUnderTest[] = [
  {
    name: 'file',
    open() {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-blobs-'));
      return { blobs: new FileBlobStore(path.join(dir, 'blobs')), dispose: () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
];

it.skip('BlobStore on s3: not implemented yet (ARCHITECTURE.md plans an s3: BlobStore; add it to `implementations` when it lands)', () => {});

const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe.each(implementations)('BlobStore on $name', (implementation) => {
  let opened: ReturnType<BlobStoreUnderTest['open']> | undefined;
  afterEach(() => {
    opened?.dispose();
    opened = undefined;
  });
  const open = (): BlobStore => {
    opened = implementation.open();
    return opened.blobs;
  };

  it('answers the sha256 and size of what it stores, and gives the same bytes back', async () => {
    const store = open();
    const bytes = bytesOf('hello, blobs\n');
    expect(await store.put(bytes)).toEqual({ sha256: sha256(bytes), size: bytes.length });
    expect(await store.has(sha256(bytes))).toBe(true);
    expect(await store.get(sha256(bytes))).toEqual(bytes);
  });

  it('stores the empty blob and binary content exactly', async () => {
    const store = open();
    const empty = new Uint8Array(0);
    expect(await store.put(empty)).toEqual({ sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', size: 0 });
    expect(await store.get(sha256(empty))).toEqual(empty);
    const binary = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 256);
    const { sha256: address } = await store.put(binary);
    expect(Buffer.from((await store.get(address))!).equals(Buffer.from(binary))).toBe(true);
  });

  it('is idempotent: the same bytes, put again or concurrently, have one address', async () => {
    const store = open();
    const bytes = bytesOf('x'.repeat(100_000));
    const answers = await Promise.all(Array.from({ length: 8 }, () => store.put(bytes)));
    expect(new Set(answers.map((a) => a.sha256)).size).toBe(1);
    expect(await store.put(bytes)).toEqual(answers[0]);
    expect(await store.get(answers[0]!.sha256)).toEqual(bytes);
  });

  it('keeps different contents apart', async () => {
    const store = open();
    const a = await store.put(bytesOf('a'));
    const b = await store.put(bytesOf('b'));
    expect(a.sha256).not.toBe(b.sha256);
    expect(await store.get(a.sha256)).toEqual(bytesOf('a'));
    expect(await store.get(b.sha256)).toEqual(bytesOf('b'));
  });

  it('answers undefined / false for an unknown or malformed address, never a path outside the store', async () => {
    const store = open();
    const unknown = sha256(bytesOf('never stored'));
    expect(await store.get(unknown)).toBeUndefined();
    expect(await store.has(unknown)).toBe(false);
    for (const bad of ['', '../../etc/passwd', 'AB'.repeat(32), 'zz'.repeat(32), unknown.slice(1)]) {
      expect(await store.get(bad)).toBeUndefined();
      expect(await store.has(bad)).toBe(false);
    }
  });

  it('gives out copies: changing the bytes after put or get changes nothing stored', async () => {
    const store = open();
    const bytes = bytesOf('original');
    const { sha256: address } = await store.put(bytes);
    bytes[0] = 0;
    const read = (await store.get(address))!;
    read[1] = 0;
    expect(await store.get(address)).toEqual(bytesOf('original'));
  });
});

describe('FileBlobStore layout', () => {
  it('writes <root>/ab/cdef… and leaves no temporary files', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-blobs-'));
    try {
      const store = new FileBlobStore(path.join(dir, 'blobs'));
      const bytes = bytesOf('layout');
      const address = sha256(bytes);
      await Promise.all([store.put(bytes), store.put(bytes), store.put(bytesOf('other'))]);
      const file = path.join(dir, 'blobs', address.slice(0, 2), address.slice(2));
      expect(readFileSync(file, 'utf8')).toBe('layout');
      expect(store.fileOf(address)).toBe(file);
      const everything = readdirSync(path.join(dir, 'blobs'), { recursive: true }).map(String);
      expect(everything.filter((name) => name.endsWith('.tmp'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
