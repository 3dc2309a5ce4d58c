/**
 * The engines every store test runs against: SQLite always; PostgreSQL when
 * CAIRN_TEST_POSTGRES_URL names a server (`.ci/run` starts one). Each test gets a fresh
 * database: a temp SQLite file, or a new PostgreSQL database dropped afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type OpenDatabase } from '../db/connection.js';
import { migrateToLatest } from '../db/migrations.js';
import { createApp } from '../http/app.js';
import { FileBlobStore } from '../blobs/blob-store.js';
import { Store } from '../store/store.js';

export interface Engine {
  name: 'sqlite' | 'postgres';
  open(): Promise<{ database: OpenDatabase; dispose(): Promise<void> }>;
}

const postgresUrl = process.env.CAIRN_TEST_POSTGRES_URL;
if (!postgresUrl && process.env.CAIRN_REQUIRE_POSTGRES === '1') {
  throw new Error('CAIRN_REQUIRE_POSTGRES=1 but CAIRN_TEST_POSTGRES_URL is not set: PostgreSQL did not start (see scripts/start-postgres.sh)');
}

const sqlite: Engine = {
  name: 'sqlite',
  async open() {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-store-'));
    const database = openDatabase(undefined, dir);
    return {
      database,
      async dispose() {
        await database.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

const postgres: Engine = {
  name: 'postgres',
  async open() {
    const name = `cairn_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(postgresUrl!);
    url.pathname = `/${name}`;
    const database = openDatabase(url.toString(), os.tmpdir());
    return {
      database,
      async dispose() {
        await database.close();
        const cleanup = new pg.Client({ connectionString: postgresUrl });
        await cleanup.connect();
        await cleanup.query(`DROP DATABASE IF EXISTS ${name}`);
        await cleanup.end();
      },
    };
  },
};

export const engines: Engine[] = postgresUrl ? [sqlite, postgres] : [sqlite];
export const postgresSkipReason = postgresUrl ? undefined : 'CAIRN_TEST_POSTGRES_URL is not set: PostgreSQL suites SKIPPED (bash .ci/run starts a server)';

/** A migrated store and the app over it (with blobs in a temp directory), on `engine`. */
export async function openTestServer(engine: Engine, options: { heartbeatTimeoutSeconds?: number } = {}) {
  const { database, dispose: disposeDatabase } = await engine.open();
  await migrateToLatest(database.db, database.capabilities);
  const store = new Store(database.db, database.capabilities, options);
  const blobDir = mkdtempSync(path.join(os.tmpdir(), 'cairn-test-blobs-'));
  const blobs = new FileBlobStore(blobDir);
  const app = createApp({ store, version: 'test', blobs });
  const dispose = async (): Promise<void> => {
    await disposeDatabase();
    rmSync(blobDir, { recursive: true, force: true });
  };
  return { store, app, database, blobs, dispose };
}
