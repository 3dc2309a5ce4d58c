/**
 * API keys: `cairn_` and 40 random base-62 characters, shown once at creation and stored
 * only as a sha256 hash. A key belongs to a user; the user's name is its default entity.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { CairnError } from '@cairn/protocol';
import type { Database } from '../db/schema.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const USER_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

function newKey(): string {
  let key = 'cairn_';
  while (key.length < 46) {
    for (const byte of randomBytes(64)) {
      // Rejection sampling: 248 = 4 × 62 keeps every character equally likely.
      if (byte < 248 && key.length < 46) key += ALPHABET[byte % 62];
    }
  }
  return key;
}

export interface CreatedKey {
  user: string;
  key: string;
  prefix: string;
}

/** Creates an API key for `user` (creating the user). The key is returned once; keep it. */
export async function createApiKey(db: Kysely<Database>, user: string): Promise<CreatedKey> {
  if (!USER_NAME.test(user)) {
    throw new CairnError('invalid_argument', `user names are 1–64 lower-case letters, digits, '-' or '_'; got ${JSON.stringify(user)}`);
  }
  const key = newKey();
  const prefix = key.slice(0, 10);
  const time = Date.now() / 1000;
  await db.transaction().execute(async (tx) => {
    await tx.insertInto('users').values({ name: user, created_at: time }).onConflict((oc) => oc.column('name').doNothing()).execute();
    const row = await tx.selectFrom('users').select('id').where('name', '=', user).executeTakeFirstOrThrow();
    await tx.insertInto('api_keys').values({ user_id: row.id, key_hash: hashKey(key), prefix, created_at: time }).execute();
  });
  return { user, key, prefix };
}

/** The user a key belongs to, or undefined for an unknown key. */
export async function userForKey(db: Kysely<Database>, key: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('api_keys')
    .innerJoin('users', 'users.id', 'api_keys.user_id')
    .select(['api_keys.id as keyId', 'users.name as user'])
    .where('api_keys.key_hash', '=', hashKey(key))
    .executeTakeFirst();
  if (!row) return undefined;
  await db.updateTable('api_keys').set({ last_used_at: Date.now() / 1000 }).where('id', '=', row.keyId).execute();
  return row.user;
}

export async function hasUsers(db: Kysely<Database>): Promise<boolean> {
  return (await db.selectFrom('users').select('id').limit(1).executeTakeFirst()) !== undefined;
}
