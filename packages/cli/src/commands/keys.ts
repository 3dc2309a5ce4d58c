/**
 * `cairn keys create|list`: API keys, managed on the server's machine by opening its database
 * directly (the server may be running: SQLite waits for its writer, PostgreSQL is shared).
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isCairnError } from '@cairn/protocol';
import { createApiKey, migrateToLatest, openDatabase, type OpenDatabase } from '@cairn/server';
import { EXIT_OK, parseCommandArgs, UsageError, type CliContext, type Command } from './common.js';

const DEFAULT_BASE_URL = 'http://127.0.0.1:8080';

const HELP = `Usage: cairn keys <create|list> [options]

Manage the API keys of a Cairn server, on the server's machine: this opens the server's
database directly, so point --data / --db where \`cairn server\` keeps its data.

  create   make a user (if new) and an API key for it, and print the key once.
           Once any key exists, the server requires a key with every request.
  list     list the users and their keys (prefix only), with when each was created and last used

Options:
      --user NAME    create: the key's user (default: $USER in lower case, else admin)
      --data DIR     the server's data directory (default $CAIRN_DATA, or ~/.cairn)
      --db URL       the server's database, if not SQLite in the data directory:
                     sqlite:FILE or postgres://…
  -h, --help         show this help
`;

export const keysCommand: Command = {
  name: 'keys',
  summary: "create and list API keys (on the server's machine)",
  help: HELP,
  run: runKeys,
};

async function runKeys(args: string[], context: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(() =>
    parseArgs({
      args,
      options: {
        user: { type: 'string' },
        data: { type: 'string' },
        db: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    }),
  );
  if (values.help) {
    context.stdout.write(HELP);
    return EXIT_OK;
  }
  const [action, ...extra] = positionals;
  if (action === undefined) throw new UsageError('say what to do: `cairn keys create` or `cairn keys list`');
  if (action !== 'create' && action !== 'list') throw new UsageError(`unknown action '${action}': use create or list`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  if (action === 'list' && values.user !== undefined) throw new UsageError('--user is for `cairn keys create`; `cairn keys list` lists every user');

  const dataDir = path.resolve(context.cwd, values.data ?? nonEmpty(context.env.CAIRN_DATA) ?? path.join(os.homedir(), '.cairn'));
  // A new database means --data or --db probably does not point where the server keeps its data.
  const fresh = values.db === undefined && !existsSync(path.join(dataDir, 'cairn.sqlite'));
  let database: OpenDatabase;
  try {
    database = openDatabase(values.db, dataDir);
  } catch (error) {
    if (isCairnError(error, 'usage')) throw new UsageError(error.message);
    throw error;
  }
  try {
    await migrateToLatest(database.db, database.capabilities);
    if (action === 'create') return await createKey(database, values.user ?? defaultUser(context.env), fresh, context);
    return await listKeys(database, context);
  } finally {
    await database.close();
  }
}

async function createKey(database: OpenDatabase, user: string, fresh: boolean, context: CliContext): Promise<number> {
  const firstUser = (await database.db.selectFrom('users').select('id').limit(1).executeTakeFirst()) === undefined;
  let created: Awaited<ReturnType<typeof createApiKey>>;
  try {
    created = await createApiKey(database.db, user);
  } catch (error) {
    if (isCairnError(error, 'invalid_argument')) throw new UsageError(`--user: ${error.message}`);
    throw error;
  }
  const baseUrl = nonEmpty(context.env.CAIRN_BASE_URL) ?? DEFAULT_BASE_URL;
  const where = fresh ? `${database.location} (a new database: start the server with this --data to use it)` : database.location;
  context.stdout.write(
    `Created an API key for user '${created.user}' in ${where}:\n\n` +
      `  ${created.key}\n\n` +
      'This is the only time it is shown (the server keeps only its hash): copy it now.\n' +
      (firstUser
        ? 'From now on the server requires an API key with every request, from every client.\n'
        : 'The server requires an API key with every request, from every client.\n') +
      `Log in with it on each machine that sends runs (use your server's URL):\n\n` +
      `  cairn login <key> --base-url ${baseUrl}\n\n` +
      'or run `cairn login --base-url …` and paste it at the prompt, or set CAIRN_API_KEY.\n',
  );
  return EXIT_OK;
}

async function listKeys(database: OpenDatabase, context: CliContext): Promise<number> {
  const rows = await database.db
    .selectFrom('users')
    .leftJoin('api_keys', 'api_keys.user_id', 'users.id')
    .select(['users.name as user', 'api_keys.prefix as prefix', 'api_keys.created_at as createdAt', 'api_keys.last_used_at as lastUsedAt'])
    .orderBy('users.name')
    .orderBy('api_keys.created_at')
    .execute();
  if (rows.length === 0) {
    context.stdout.write(
      `No API keys in ${database.location}: the server accepts requests without a key while it listens on loopback only. ` +
        '`cairn keys create` makes one.\n',
    );
    return EXIT_OK;
  }
  const table = [
    ['USER', 'KEY', 'CREATED', 'LAST USED'],
    ...rows.map((row) => [
      row.user,
      row.prefix === null ? '(no keys)' : `${row.prefix}…`,
      row.createdAt === null ? '' : formatTime(row.createdAt),
      row.prefix === null ? '' : row.lastUsedAt === null ? 'never' : formatTime(row.lastUsedAt),
    ]),
  ];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((cells) => cells[column]!.length)));
  const lines = table.map((cells) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd());
  context.stdout.write(`API keys in ${database.location}:\n${lines.join('\n')}\n`);
  return EXIT_OK;
}

/** `$USER` as a Cairn user name (lower case; letters, digits, '-' and '_'), else 'admin'. */
function defaultUser(env: NodeJS.ProcessEnv): string {
  const name = (env.USER ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 64);
  return name === '' ? 'admin' : name;
}

/** Unix seconds as local time, to the minute: `2024-05-01 14:03`. */
function formatTime(seconds: number): string {
  const date = new Date(seconds * 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
