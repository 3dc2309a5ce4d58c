/**
 * The BlobStore: bytes addressed by their sha256 (run files, media, artifact blobs). The
 * MetaStore keeps names and the hashes they point to; the same content is stored once.
 * Implementations: `FileBlobStore` (a directory, the default); S3 is planned.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

export interface BlobStore {
  /**
   * Stores `bytes` and answers their address. Idempotent: putting the same bytes again (even
   * concurrently) stores nothing new and answers the same address.
   *
   * @example
   * const { sha256, size } = await blobs.put(new TextEncoder().encode('hello'));
   */
  put(bytes: Uint8Array): Promise<{ sha256: string; size: number }>;
  /** The bytes stored under `sha256` (lowercase hex), or undefined when none are. */
  get(sha256: string): Promise<Uint8Array | undefined>;
  has(sha256: string): Promise<boolean>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Hex sha256 of `bytes`. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Blobs as files under one directory, git-style: `<root>/ab/cdef…` for the sha256 `abcdef…`.
 * A blob is written to a temporary file, flushed to disk and renamed into place, so a reader
 * (or a crash) never sees a partial blob.
 */
export class FileBlobStore implements BlobStore {
  constructor(readonly root: string) {}

  async put(bytes: Uint8Array): Promise<{ sha256: string; size: number }> {
    const sha256 = sha256Hex(bytes);
    const file = this.fileOf(sha256);
    if (await this.has(sha256)) return { sha256, size: bytes.length };
    await mkdir(path.dirname(file), { recursive: true });
    // A unique temporary name per writer: concurrent puts of one blob never share a file,
    // and whichever renames last replaces identical bytes.
    const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const handle = await open(temp, 'wx');
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return { sha256, size: bytes.length };
  }

  async get(sha256: string): Promise<Uint8Array | undefined> {
    if (!SHA256_HEX.test(sha256)) return undefined;
    try {
      const buffer = await readFile(this.fileOf(sha256));
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async has(sha256: string): Promise<boolean> {
    if (!SHA256_HEX.test(sha256)) return false;
    try {
      return (await stat(this.fileOf(sha256))).isFile();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  /** Where the blob `sha256` lives (it may not exist). */
  fileOf(sha256: string): string {
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2));
  }
}
