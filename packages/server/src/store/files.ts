/**
 * A run's files in the MetaStore: path → (sha256, size), the content living in the BlobStore
 * under its sha256. Rows go with their run (the foreign key cascades on delete).
 */
import { CairnError, type FileInfo } from '@cairn/protocol';
import type { Store, RunKey } from './store.js';

const now = (): number => Date.now() / 1000;

async function mustRunPk(store: Store, key: RunKey): Promise<number> {
  const pk = await store.runPk(key);
  if (pk === undefined) throw new CairnError('run_not_found', `no run ${key.entity}/${key.project}/${key.id}`);
  return pk;
}

/**
 * Records that the run's file `path` holds the blob `blob` (already in the BlobStore),
 * creating or replacing it. Putting the same content again changes nothing, not even
 * `updatedAt`. Throws run_not_found for an unknown run.
 */
export async function putFile(store: Store, key: RunKey, path: string, blob: { sha256: string; size: number }): Promise<FileInfo> {
  const runPk = await mustRunPk(store, key);
  const time = now();
  await store.db
    .insertInto('files')
    .values({ run_pk: runPk, path, sha256: blob.sha256, size: blob.size, updated_at: time })
    .onConflict((oc) =>
      oc
        .columns(['run_pk', 'path'])
        .doUpdateSet({ sha256: blob.sha256, size: blob.size, updated_at: time })
        .where('files.sha256', '!=', blob.sha256),
    )
    .execute();
  return (await fileRow(store, runPk, path))!;
}

/** The run's files, sorted by path. Throws run_not_found for an unknown run. */
export async function listFiles(store: Store, key: RunKey): Promise<FileInfo[]> {
  const runPk = await mustRunPk(store, key);
  const rows = await store.db.selectFrom('files').select(['path', 'sha256', 'size', 'updated_at']).where('run_pk', '=', runPk).execute();
  // Sorted here, by code unit: SQL `order by` follows each engine's collation.
  return rows.map(toFileInfo).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** One file of the run, or undefined when it has none at `path`. Throws run_not_found for an unknown run. */
export async function getFile(store: Store, key: RunKey, path: string): Promise<FileInfo | undefined> {
  return fileRow(store, await mustRunPk(store, key), path);
}

async function fileRow(store: Store, runPk: number, path: string): Promise<FileInfo | undefined> {
  const row = await store.db
    .selectFrom('files')
    .select(['path', 'sha256', 'size', 'updated_at'])
    .where('run_pk', '=', runPk)
    .where('path', '=', path)
    .executeTakeFirst();
  return row && toFileInfo(row);
}

function toFileInfo(row: { path: string; sha256: string; size: number; updated_at: number }): FileInfo {
  return { path: row.path, size: Number(row.size), sha256: row.sha256, updatedAt: row.updated_at };
}
