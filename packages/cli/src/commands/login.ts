/** `cairn login [KEY]` checks an API key with a server and saves it; `cairn logout` forgets it. */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { apiPaths, type Viewer } from '@cairn/protocol';
import { credentialsFile, readStoredApiKey, removeStoredApiKey, storeApiKey } from '@cairn/sdk';
import { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, parseCommandArgs, UsageError, type CliContext, type Command } from './common.js';

const DEFAULT_BASE_URL = 'http://127.0.0.1:8080';
const REQUEST_TIMEOUT_MS = 10_000;

const LOGIN_HELP = `Usage: cairn login [KEY] [options]

Check an API key with a Cairn server and save it for that server, so that runs, \`cairn sync\`
and the Api client send it without being told. The key comes from KEY, else $CAIRN_API_KEY,
else standard input: typed (hidden) at a prompt, or one line piped in. A key typed or piped
stays out of your shell history. \`cairn keys create\` makes keys, on the server's machine.
Keys are saved in $CAIRN_CONFIG_DIR/credentials.json (default ~/.cairn), readable by you only.

Options:
      --base-url URL   the server (default $CAIRN_BASE_URL, or ${DEFAULT_BASE_URL})
      --relogin        check and save the key even when already logged in
  -h, --help           show this help
`;

const LOGOUT_HELP = `Usage: cairn logout [options]

Forget the API key that \`cairn login\` saved for a server. The key itself stays valid on the
server.

Options:
      --base-url URL   the server (default $CAIRN_BASE_URL, or ${DEFAULT_BASE_URL})
  -h, --help           show this help
`;

/** Where a key typed or piped in is read from: process.stdin, or a stream in tests. */
export interface KeyInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

/** `cairn login`, reading a key that is not given from `stdin`. */
export function createLoginCommand(stdin: KeyInput = process.stdin): Command {
  return { name: 'login', summary: 'check an API key with a server and save it', help: LOGIN_HELP, run: (args, context) => runLogin(args, context, stdin) };
}

export const loginCommand: Command = createLoginCommand();

export const logoutCommand: Command = {
  name: 'logout',
  summary: 'forget the API key saved for a server',
  help: LOGOUT_HELP,
  run: runLogout,
};

/** What a server says about a key. */
type KeyCheck =
  | { kind: 'accepted'; entity: string }
  | { kind: 'refused'; message: string }
  /** The server needs no key at all (loopback, no user yet), so it cannot tell a good key from a bad one. */
  | { kind: 'open' };

async function runLogin(args: string[], context: CliContext, stdin: KeyInput): Promise<number> {
  const { values, positionals } = parseCommandArgs(() =>
    parseArgs({
      args,
      options: {
        'base-url': { type: 'string' },
        relogin: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    }),
  );
  if (values.help) {
    context.stdout.write(LOGIN_HELP);
    return EXIT_OK;
  }
  if (positionals.length > 1) throw new UsageError(`expected at most one KEY, got ${positionals.length} arguments`);
  const baseUrl = resolveBaseUrl(values['base-url'], context);
  const file = credentialsFile(context.env);
  const given = positionals[0] ?? nonEmpty(context.env.CAIRN_API_KEY);

  const stored = readStoredApiKey(baseUrl, context.env);
  if (stored !== undefined && !values.relogin) {
    const check = await checkKey(baseUrl, stored, context.signal);
    if (check.kind === 'accepted') {
      const other = given !== undefined && given.trim() !== stored ? '; pass --relogin to replace its key with the one given' : ' (--relogin replaces its key)';
      context.stdout.write(`already logged in to ${baseUrl} as ${check.entity}; key in ${file}${other}\n`);
      return EXIT_OK;
    }
    if (check.kind === 'refused') context.stderr.write(`cairn login: the key saved for ${baseUrl} is no longer accepted (${check.message}); logging in again\n`);
  }

  let key = given?.trim();
  if (key === undefined) {
    key = await readKey(stdin, context, `API key for ${baseUrl} (input hidden): `);
    if (key === undefined) {
      context.stderr.write('cairn login: interrupted; nothing saved\n');
      return EXIT_INTERRUPTED;
    }
  }
  if (key === '') {
    throw new UsageError('no API key given: pass it as KEY, set CAIRN_API_KEY, or type or pipe it on standard input (`cairn keys create` makes one)');
  }

  let check = await checkKey(baseUrl, key, context.signal);
  if (check.kind === 'open') {
    // The server learns that a user exists up to a second late: a key made just now may not count yet.
    await sleep(1100, undefined, { signal: context.signal });
    check = await checkKey(baseUrl, key, context.signal);
  }
  if (check.kind === 'refused') {
    context.stderr.write(
      `cairn login: ${baseUrl} refused the key (${check.message}); nothing saved. Check that the key is whole and meant for this server ` +
        '(--base-url), or make a new one with `cairn keys create` on the server\'s machine\n',
    );
    return EXIT_FAILED;
  }
  if (check.kind === 'open') {
    context.stderr.write(
      `cairn login: ${baseUrl} accepts every request without a key (it listens on loopback only and has no user yet), so it cannot check this key; nothing saved. ` +
        'If the key is for another server, pass its --base-url; to make this one require keys, run `cairn keys create` on its data directory\n',
    );
    return EXIT_FAILED;
  }
  const saved = storeApiKey(baseUrl, key, check.entity, context.env);
  if (saved.movedAside !== undefined) {
    context.stderr.write(`cairn login: ${saved.file} was not a readable credentials file; moved it to ${saved.movedAside} and started a new one\n`);
  }
  context.stdout.write(`logged in to ${baseUrl} as ${check.entity}; key saved in ${saved.file}\n`);
  return EXIT_OK;
}

async function runLogout(args: string[], context: CliContext): Promise<number> {
  const { values } = parseCommandArgs(() =>
    parseArgs({
      args,
      options: { 'base-url': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }),
  );
  if (values.help) {
    context.stdout.write(LOGOUT_HELP);
    return EXIT_OK;
  }
  const baseUrl = resolveBaseUrl(values['base-url'], context);
  const file = credentialsFile(context.env);
  if (removeStoredApiKey(baseUrl, context.env)) context.stdout.write(`logged out of ${baseUrl}: removed its key from ${file}\n`);
  else context.stdout.write(`not logged in to ${baseUrl}: no key saved for it in ${file}\n`);
  return EXIT_OK;
}

function resolveBaseUrl(option: string | undefined, context: CliContext): string {
  const baseUrl = (option ?? nonEmpty(context.env.CAIRN_BASE_URL) ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/.test(baseUrl)) {
    throw new UsageError(`the server's URL must be an http(s) URL such as ${DEFAULT_BASE_URL}, got ${JSON.stringify(baseUrl)}`);
  }
  return baseUrl;
}

/** Asks the server who `key` belongs to; throws when the server cannot be reached or is not a Cairn server. */
async function checkKey(baseUrl: string, key: string, signal: AbortSignal | undefined): Promise<KeyCheck> {
  const withKey = await viewer(baseUrl, key, signal);
  if (!withKey.ok) return { kind: 'refused', message: withKey.message };
  // Without a key: does the server ask for one at all?
  const withoutKey = await viewer(baseUrl, undefined, signal);
  return withoutKey.ok ? { kind: 'open' } : { kind: 'accepted', entity: withKey.viewer.entity };
}

async function viewer(
  baseUrl: string,
  key: string | undefined,
  signal: AbortSignal | undefined,
): Promise<{ ok: true; viewer: Viewer } | { ok: false; message: string }> {
  const url = baseUrl + apiPaths.viewer();
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  let response: Response;
  let body: unknown;
  try {
    response = await fetch(url, {
      headers: key === undefined ? {} : { authorization: `Bearer ${key}` },
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    body = await response.json().catch(() => undefined);
  } catch (error) {
    if (signal?.aborted) throw error;
    const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
    const reason = timeout.aborted ? `no answer in ${REQUEST_TIMEOUT_MS / 1000} s` : String(cause?.code ?? cause?.message ?? (error as Error).message);
    throw new Error(`cannot reach a Cairn server at ${baseUrl} (${reason}); start one with \`cairn server\`, or pass the right --base-url`, { cause: error });
  }
  const answer = body as { entity?: unknown; serverVersion?: unknown; error?: { code?: unknown; message?: unknown } } | undefined;
  if (response.status === 200 && typeof answer?.entity === 'string') return { ok: true, viewer: answer as Viewer };
  if (response.status === 401 && answer?.error?.code === 'unauthorized') {
    return { ok: false, message: typeof answer.error.message === 'string' ? answer.error.message : 'unauthorized' };
  }
  throw new Error(`${url} answered with status ${response.status} and no Cairn viewer; is ${baseUrl} a Cairn server? pass the right --base-url`);
}

/**
 * One key from standard input: typed at a prompt on stderr with the echo off when it is a
 * terminal, else its first line. Resolves '' at end of input, and undefined on Ctrl+C.
 */
function readKey(stdin: KeyInput, context: CliContext, prompt: string): Promise<string | undefined> {
  const terminal = stdin.isTTY === true && typeof stdin.setRawMode === 'function';
  return new Promise((resolve, reject) => {
    let text = '';
    const stop = (): void => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.off('error', onError);
      context.signal?.removeEventListener('abort', onAbort);
      if (terminal) {
        stdin.setRawMode?.(false);
        context.stderr.write('\n');
      }
      stdin.pause();
    };
    const finish = (key: string | undefined): void => {
      stop();
      resolve(key?.trim());
    };
    const onData = (chunk: Buffer | string): void => {
      for (const char of chunk.toString()) {
        if (char === '\n' || char === '\r') return finish(text);
        // Raw mode delivers keys as typed: Ctrl+C and Ctrl+D arrive as characters, not signals.
        if (!terminal) text += char;
        else if (char === '\u0003') return finish(undefined);
        else if (char === '\u0004') return finish(text);
        else if (char === '\u007f' || char === '\b') text = text.slice(0, -1);
        else if (char >= ' ') text += char;
      }
    };
    const onEnd = (): void => finish(text);
    const onError = (error: Error): void => {
      stop();
      reject(new Error(`cannot read the key from standard input (${error.message}); pass it as KEY or set CAIRN_API_KEY`));
    };
    const onAbort = (): void => finish(undefined);
    if (context.signal?.aborted) return resolve(undefined);
    if (terminal) context.stderr.write(prompt);
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.on('error', onError);
    context.signal?.addEventListener('abort', onAbort, { once: true });
    if (terminal) stdin.setRawMode?.(true);
    stdin.resume();
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
