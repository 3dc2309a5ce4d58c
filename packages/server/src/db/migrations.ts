/**
 * Numbered schema migrations, the same code for every engine (types come from the
 * capabilities). Applied in order at start; each is recorded by Kysely's migrator.
 * Never edit a released migration: add the next number.
 */
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Capabilities } from './connection.js';

type AnyDb = Kysely<unknown>;

function migrations(caps: Capabilities): Record<string, Migration> {
  const id = <T extends { primaryKey(): T; autoIncrement(): T }>(col: T): T => (caps.autoIncrement ? col.primaryKey().autoIncrement() : col.primaryKey());
  return {
    '0001_initial': {
      async up(db: AnyDb) {
        await db.schema
          .createTable('entities')
          .addColumn('id', caps.serialType, id)
          .addColumn('name', 'text', (col) => col.notNull().unique())
          .addColumn('created_at', 'double precision', (col) => col.notNull())
          .execute();
        await db.schema
          .createTable('projects')
          .addColumn('id', caps.serialType, id)
          .addColumn('entity_id', 'bigint', (col) => col.notNull().references('entities.id').onDelete('cascade'))
          .addColumn('name', 'text', (col) => col.notNull())
          .addColumn('created_at', 'double precision', (col) => col.notNull())
          .addColumn('updated_at', 'double precision', (col) => col.notNull())
          .addUniqueConstraint('projects_entity_name', ['entity_id', 'name'])
          .execute();
        await db.schema
          .createTable('runs')
          .addColumn('pk', caps.serialType, id)
          .addColumn('project_id', 'bigint', (col) => col.notNull().references('projects.id').onDelete('cascade'))
          .addColumn('run_id', 'text', (col) => col.notNull())
          .addColumn('name', 'text')
          .addColumn('group_name', 'text')
          .addColumn('job_type', 'text')
          .addColumn('tags', 'text', (col) => col.notNull())
          .addColumn('notes', 'text')
          .addColumn('state', 'text', (col) => col.notNull())
          .addColumn('exit_code', 'integer')
          .addColumn('created_at', 'double precision', (col) => col.notNull())
          .addColumn('updated_at', 'double precision', (col) => col.notNull())
          .addColumn('heartbeat_at', 'double precision', (col) => col.notNull())
          .addColumn('start_time', 'double precision', (col) => col.notNull())
          .addColumn('runtime', 'double precision', (col) => col.notNull())
          .addColumn('last_step', 'bigint', (col) => col.notNull())
          .addColumn('history_rows', 'bigint', (col) => col.notNull())
          .addColumn('config', 'text', (col) => col.notNull())
          .addColumn('summary', 'text', (col) => col.notNull())
          .addColumn('metadata', 'text')
          .addColumn('metrics', 'text', (col) => col.notNull())
          .addColumn('preempting', 'integer', (col) => col.notNull().defaultTo(0))
          .addColumn('stop_requested', 'integer', (col) => col.notNull().defaultTo(0))
          .addColumn('replay', 'text', (col) => col.notNull())
          .addUniqueConstraint('runs_project_run_id', ['project_id', 'run_id'])
          .execute();
        await db.schema.createIndex('runs_project_created').on('runs').columns(['project_id', 'created_at']).execute();
        await db.schema
          .createTable('run_writers')
          .addColumn('run_pk', 'bigint', (col) => col.notNull().references('runs.pk').onDelete('cascade'))
          .addColumn('writer_id', 'text', (col) => col.notNull())
          .addColumn('next_index', 'bigint', (col) => col.notNull())
          .addPrimaryKeyConstraint('run_writers_pk', ['run_pk', 'writer_id'])
          .execute();
        await db.schema
          .createTable('history_chunks')
          .addColumn('run_pk', 'bigint', (col) => col.notNull().references('runs.pk').onDelete('cascade'))
          .addColumn('seq', 'integer', (col) => col.notNull())
          .addColumn('first_step', 'bigint', (col) => col.notNull())
          .addColumn('last_step', 'bigint', (col) => col.notNull())
          .addColumn('row_count', 'integer', (col) => col.notNull())
          .addColumn('rows', 'text', (col) => col.notNull())
          .addPrimaryKeyConstraint('history_chunks_pk', ['run_pk', 'seq'])
          .execute();
        await db.schema
          .createTable('series_chunks')
          .addColumn('run_pk', 'bigint', (col) => col.notNull().references('runs.pk').onDelete('cascade'))
          .addColumn('key', 'text', (col) => col.notNull())
          .addColumn('first_step', 'double precision', (col) => col.notNull())
          .addColumn('last_step', 'double precision', (col) => col.notNull())
          .addColumn('count', 'integer', (col) => col.notNull())
          .addColumn('min', 'double precision', (col) => col.notNull())
          .addColumn('max', 'double precision', (col) => col.notNull())
          .addColumn('first_value', 'double precision', (col) => col.notNull())
          .addColumn('last_value', 'double precision', (col) => col.notNull())
          .addColumn('data', caps.binaryType, (col) => col.notNull())
          .addPrimaryKeyConstraint('series_chunks_pk', ['run_pk', 'key', 'first_step'])
          .execute();
      },
      async down(db: AnyDb) {
        for (const table of ['series_chunks', 'history_chunks', 'run_writers', 'runs', 'projects', 'entities']) {
          await db.schema.dropTable(table).ifExists().execute();
        }
      },
    },
    '0002_api_keys': {
      async up(db: AnyDb) {
        await db.schema
          .createTable('users')
          .addColumn('id', caps.serialType, id)
          .addColumn('name', 'text', (col) => col.notNull().unique())
          .addColumn('created_at', 'double precision', (col) => col.notNull())
          .execute();
        await db.schema
          .createTable('api_keys')
          .addColumn('id', caps.serialType, id)
          .addColumn('user_id', 'bigint', (col) => col.notNull().references('users.id').onDelete('cascade'))
          .addColumn('key_hash', 'text', (col) => col.notNull().unique())
          .addColumn('prefix', 'text', (col) => col.notNull())
          .addColumn('created_at', 'double precision', (col) => col.notNull())
          .addColumn('last_used_at', 'double precision')
          .execute();
      },
      async down(db: AnyDb) {
        await db.schema.dropTable('api_keys').ifExists().execute();
        await db.schema.dropTable('users').ifExists().execute();
      },
    },
    '0003_files': {
      async up(db: AnyDb) {
        await db.schema
          .createTable('files')
          .addColumn('run_pk', 'bigint', (col) => col.notNull().references('runs.pk').onDelete('cascade'))
          .addColumn('path', 'text', (col) => col.notNull())
          .addColumn('sha256', 'text', (col) => col.notNull())
          .addColumn('size', 'bigint', (col) => col.notNull())
          .addColumn('updated_at', 'double precision', (col) => col.notNull())
          .addPrimaryKeyConstraint('files_pk', ['run_pk', 'path'])
          .execute();
      },
      async down(db: AnyDb) {
        await db.schema.dropTable('files').ifExists().execute();
      },
    },
    '0004_uncompressed_chunks': {
      async up(db: AnyDb) {
        if (!caps.uncompressedStorage) return;
        await sql`ALTER TABLE series_chunks ALTER COLUMN data SET STORAGE EXTERNAL`.execute(db);
        await sql`ALTER TABLE history_chunks ALTER COLUMN rows SET STORAGE EXTERNAL`.execute(db);
      },
      async down(db: AnyDb) {
        if (!caps.uncompressedStorage) return;
        await sql`ALTER TABLE series_chunks ALTER COLUMN data SET STORAGE EXTENDED`.execute(db);
        await sql`ALTER TABLE history_chunks ALTER COLUMN rows SET STORAGE EXTENDED`.execute(db);
      },
    },
    '0005_alerts': {
      async up(db: AnyDb) {
        await db.schema
          .createTable('alerts')
          .addColumn('id', caps.serialType, id)
          .addColumn('run_pk', 'bigint', (col) => col.notNull().references('runs.pk').onDelete('cascade'))
          .addColumn('title', 'text', (col) => col.notNull())
          .addColumn('text', 'text', (col) => col.notNull())
          .addColumn('level', 'text', (col) => col.notNull())
          .addColumn('wait_ms', 'bigint', (col) => col.notNull())
          .addColumn('time', 'double precision', (col) => col.notNull())
          .addColumn('suppressed', 'integer', (col) => col.notNull())
          .execute();
        await db.schema.createIndex('alerts_run_title_time').on('alerts').columns(['run_pk', 'title', 'time']).execute();
      },
      async down(db: AnyDb) {
        await db.schema.dropTable('alerts').ifExists().execute();
      },
    },
  };
}

/** Brings the schema up to the newest migration; throws with the failing migration's name. */
export async function migrateToLatest<DB>(database: Kysely<DB>, caps: Capabilities): Promise<void> {
  const db = database as unknown as AnyDb;
  const provider: MigrationProvider = { getMigrations: async () => migrations(caps) };
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed: ${(error as Error).message ?? String(error)}`);
  }
}

/** The numbered migrations' names, newest last. */
export function migrationNames(caps: Capabilities): string[] {
  return Object.keys(migrations(caps)).sort();
}
