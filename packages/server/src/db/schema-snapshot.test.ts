/**
 * The migrated schema must equal the committed snapshot of its engine. A failure means a
 * migration changed the schema: if that was meant, accept it with
 * `UPDATE_SCHEMA_SNAPSHOT=1 npm test -- schema-snapshot` and commit the snapshot.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { engines } from '../test-support/engines.js';
import { migrateToLatest } from './migrations.js';

const here = path.dirname(fileURLToPath(import.meta.url));

async function describeSchema(engine: string, db: Kysely<unknown>): Promise<string> {
  if (engine === 'sqlite') {
    const { rows } = await sql<{ type: string; name: string; sql: string | null }>`
      select type, name, sql from sqlite_master
      where name not like 'sqlite_%' and name not like 'kysely_%' order by type, name`.execute(db);
    return rows.map((r) => `${r.type} ${r.name}: ${r.sql ?? '(implicit)'}`).join('\n') + '\n';
  }
  const columns = await sql<{ table_name: string; column_name: string; data_type: string; is_nullable: string; column_default: string | null }>`
    select table_name, column_name, data_type, is_nullable, column_default from information_schema.columns
    where table_schema = 'public' and table_name not like 'kysely_%' order by table_name, ordinal_position`.execute(db);
  const constraints = await sql<{ table_name: string; constraint_name: string; definition: string }>`
    select c.conrelid::regclass::text as table_name, c.conname as constraint_name, pg_get_constraintdef(c.oid) as definition
    from pg_constraint c join pg_namespace n on n.oid = c.connamespace
    where n.nspname = 'public' and c.conrelid::regclass::text not like 'kysely_%' order by 1, 2`.execute(db);
  const storage = await sql<{ column: string; storage: string }>`
    select c.relname || '.' || a.attname as column, a.attstorage as storage
    from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace join pg_type t on t.oid = a.atttypid
    where n.nspname = 'public' and c.relkind = 'r' and c.relname not like 'kysely_%' and a.attnum > 0 and a.attstorage <> t.typstorage
    order by 1`.execute(db);
  const indexes = await sql<{ indexname: string; indexdef: string }>`
    select indexname, indexdef from pg_indexes where schemaname = 'public' and tablename not like 'kysely_%' order by indexname`.execute(db);
  return [
    ...columns.rows.map((c) => `column ${c.table_name}.${c.column_name}: ${c.data_type} ${c.is_nullable === 'YES' ? 'null' : 'not null'}${c.column_default ? ` default ${c.column_default}` : ''}`),
    ...constraints.rows.map((c) => `constraint ${c.table_name}.${c.constraint_name}: ${c.definition}`),
    ...indexes.rows.map((i) => `index ${i.indexname}: ${i.indexdef}`),
    // Storage other than the type's default (e.g. uncompressed chunk data).
    ...storage.rows.map((s) => `storage ${s.column}: ${s.storage}`),
  ].join('\n') + '\n';
}

describe.each(engines)('schema of $name', (engine) => {
  it('matches the committed snapshot after all migrations', async () => {
    const { database, dispose } = await engine.open();
    try {
      await migrateToLatest(database.db, database.capabilities);
      const actual = await describeSchema(engine.name, database.db as unknown as Kysely<unknown>);
      const file = path.join(here, 'schema-snapshots', `${engine.name}.txt`);
      // A missing snapshot is written on a developer's machine, but is a failure in CI.
      if (process.env.UPDATE_SCHEMA_SNAPSHOT === '1' || (!existsSync(file) && !process.env.CI)) writeFileSync(file, actual);
      expect(actual, `the migrated ${engine.name} schema drifted from ${file}`).toBe(readFileSync(file, 'utf8'));
      // Migrating again is a no-op.
      await migrateToLatest(database.db, database.capabilities);
      expect(await describeSchema(engine.name, database.db as unknown as Kysely<unknown>)).toBe(actual);
    } finally {
      await dispose();
    }
  });
});
