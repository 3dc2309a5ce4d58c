/**
 * Opening the database named by a URL: `sqlite:<file>` (the default, under the data
 * directory) or `postgres://…`. Engine differences are capability flags read by the
 * migrations and the store, never `if (engine === …)` scattered through the code.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import { CairnError } from '@cairn/protocol';
import type { Database } from './schema.js';

export interface Capabilities {
  engine: 'sqlite' | 'postgres';
  /** Column type of binary data. */
  binaryType: 'blob' | 'bytea';
  /** Column type of an auto-numbered primary key, and whether it needs autoIncrement(). */
  serialType: 'integer' | 'bigserial';
  autoIncrement: boolean;
  /** SELECT … FOR UPDATE exists (SQLite serialises writers instead). */
  rowLocks: boolean;
  /**
   * Large values can be stored uncompressed (PostgreSQL's STORAGE EXTERNAL): chunk data is
   * rewritten on every append, and compressing it each time costs more than it saves.
   */
  uncompressedStorage: boolean;
  /**
   * Processes sharing the database can signal each other (PostgreSQL's LISTEN/NOTIFY), which
   * carries live updates between server processes (live-relay.ts).
   */
  notifications: boolean;
}

export interface OpenDatabase {
  db: Kysely<Database>;
  capabilities: Capabilities;
  /** Where the data lives, for messages (file path or URL without password). */
  location: string;
  close(): Promise<void>;
}

/** Opens (creating if needed) the database for `url`, or the SQLite file in `dataDir`. */
export function openDatabase(url: string | undefined, dataDir: string): OpenDatabase {
  if (url === undefined || url.startsWith('sqlite:')) {
    const file = url ? url.slice('sqlite:'.length).replace(/^\/\//, '') : path.join(dataDir, 'cairn.sqlite');
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const sqlite = new BetterSqlite3(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    // 64 MiB of page cache (better-sqlite3 sets 16 MB): a runs list sorted by a summary value reads
    // every run row of the project, and a chart's chunk lists are read from the same pages.
    sqlite.pragma('cache_size = -65536');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    return {
      db,
      capabilities: { engine: 'sqlite', binaryType: 'blob', serialType: 'integer', autoIncrement: true, rowLocks: false, uncompressedStorage: false, notifications: false },
      location: path.resolve(file),
      close: () => db.destroy(),
    };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    // int8 (bigint, count(*)) as numbers: steps and counts stay far below 2^53.
    const types = { getTypeParser: (oid: number, format?: string) => (oid === 20 ? Number : pg.types.getTypeParser(oid, format as 'text')) };
    const pool = new pg.Pool({ connectionString: url, max: 10, types: types as pg.CustomTypesConfig });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      capabilities: { engine: 'postgres', binaryType: 'bytea', serialType: 'bigserial', autoIncrement: false, rowLocks: true, uncompressedStorage: true, notifications: true },
      location: url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@'),
      close: () => db.destroy(),
    };
  }
  throw new CairnError('usage', `unsupported database URL ${JSON.stringify(url)}: use sqlite:<file> or postgres://user:password@host:port/db`);
}

/** Prepared statements kept per connection, by SQL text. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * better-sqlite3 with its prepared statements reused by SQL text: Kysely's SQLite driver asks
 * for a new one for every query, and preparing (parsing and planning) is a tenth of an ingest
 * batch's SQL time. Safe because the driver runs one statement at a time to completion on the
 * one connection (no iterators are left open), and SQLite re-prepares a statement by itself
 * when the schema changes under it.
 */
function withStatementCache(sqlite: BetterSqlite3.Database): SqliteDatabase {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (statement !== undefined) {
        // Map order is insertion order: re-inserting marks it as most recently used.
        statements.delete(sql);
      } else {
        statement = sqlite.prepare(sql);
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      }
      statements.set(sql, statement);
      return statement;
    },
  };
}
