import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { apiPaths } from '@cairn/protocol';
import { readStoredApiKey } from '@cairn/sdk';
import { createLoginCommand, type KeyInput } from './commands/login.js';
import { cairn, offlineRun, startTestServer, tempDir, type CliResult } from './test-support/index.js';

const serverWithData = startTestServer;

/** A server with one user, `ana`, and her key (made by `cairn keys create`, as a user would). */
async function serverWithKey(): Promise<{ url: string; dataDir: string; key: string }> {
  const { url, dataDir } = await serverWithData();
  const created = await cairn(['keys', 'create', '--user', 'ana', '--data', dataDir]);
  expect(created.code).toBe(0);
  const key = created.stdout.match(/^ {2}(cairn_\w+)$/m)?.[1];
  expect(key).toHaveLength(46);
  // The server notices the new user within a second.
  await expect.poll(async () => (await fetch(url + apiPaths.viewer())).status, { timeout: 3000 }).toBe(401);
  return { url, dataDir, key: key! };
}

/** A CLI environment with its own config directory for credentials.json. */
function configEnv(): { CAIRN_CONFIG_DIR: string } {
  return { CAIRN_CONFIG_DIR: tempDir('cairn-cli-config-') };
}

/** `cairn login ARGS` with `stdin` as standard input. */
async function loginWithInput(stdin: KeyInput, args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await createLoginCommand(stdin).run(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env,
    cwd: process.cwd(),
  });
  return { code, stdout, stderr };
}

/** A URL where nothing listens: a port that was free a moment ago. */
async function deadUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return `http://127.0.0.1:${port}`;
}

describe('cairn login / logout against the real server', () => {
  it('checks the key, saves it 0600, and a second login says it is already logged in', async () => {
    const { url, key } = await serverWithKey();
    const env = configEnv();
    const file = path.join(env.CAIRN_CONFIG_DIR, 'credentials.json');

    expect(await cairn(['login', key, '--base-url', `${url}/`], { env })).toEqual({
      code: 0,
      stdout: `logged in to ${url} as ana; key saved in ${file}\n`,
      stderr: '',
    });
    expect(readStoredApiKey(url, env)).toBe(key);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ servers: { [url]: { apiKey: key, entity: 'ana' } } });

    const again = await cairn(['login', '--base-url', url], { env });
    expect(again).toEqual({ code: 0, stdout: `already logged in to ${url} as ana; key in ${file} (--relogin replaces its key)\n`, stderr: '' });
    const other = await cairn(['login', 'cairn_other', '--base-url', url], { env });
    expect(other.code).toBe(0);
    expect(other.stdout).toMatch(/^already logged in to .* as ana; .*pass --relogin to replace its key with the one given\n$/);
    expect(readStoredApiKey(url, env)).toBe(key);
  });

  it('a wrong key fails, says why, and saves nothing; --relogin with it keeps the good key', async () => {
    const { url, key } = await serverWithKey();
    const env = configEnv();
    // Change the last character to one it is not, so the key is wrong however it ended.
    const wrongKey = `${key.slice(0, -1)}${key.endsWith('x') ? 'y' : 'x'}`;
    const wrong = await cairn(['login', wrongKey, '--base-url', url], { env });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toBe('');
    expect(wrong.stderr).toMatch(new RegExp(`^cairn login: ${url} refused the key \\(the API key is not valid on this server\\); nothing saved\\. .*cairn keys create`));
    expect(existsSync(path.join(env.CAIRN_CONFIG_DIR, 'credentials.json'))).toBe(false);

    expect((await cairn(['login', key, '--base-url', url], { env })).code).toBe(0);
    const relogin = await cairn(['login', 'cairn_wrong', '--base-url', url, '--relogin'], { env });
    expect(relogin.code).toBe(1);
    expect(readStoredApiKey(url, env)).toBe(key);
  });

  it('--relogin checks and saves the key again', async () => {
    const { url, key } = await serverWithKey();
    const env = configEnv();
    expect((await cairn(['login', key, '--base-url', url], { env })).code).toBe(0);
    const relogin = await cairn(['login', key, '--base-url', url, '--relogin'], { env });
    expect(relogin).toMatchObject({ code: 0, stdout: expect.stringMatching(/^logged in to .* as ana; key saved in /) as unknown });
  });

  it('takes the key from CAIRN_API_KEY and the server from CAIRN_BASE_URL', async () => {
    const { url, key } = await serverWithKey();
    const env = { ...configEnv(), CAIRN_API_KEY: key, CAIRN_BASE_URL: url };
    expect((await cairn(['login'], { env })).stdout).toMatch(new RegExp(`^logged in to ${url} as ana;`));
    expect(readStoredApiKey(url, env)).toBe(key);
  });

  it('reads one line of piped standard input', async () => {
    const { url, key } = await serverWithKey();
    const env = configEnv();
    const result = await loginWithInput(Readable.from([`  ${key}\n`, 'more lines are not read\n']), ['--base-url', url], env);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(readStoredApiKey(url, env)).toBe(key);

    const empty = loginWithInput(Readable.from([]), ['--base-url', url, '--relogin'], configEnv());
    await expect(empty).rejects.toThrow(/^no API key given: pass it as KEY, set CAIRN_API_KEY, or type or pipe it/);
  });

  it('prompts on a terminal with the echo off; backspace edits, Ctrl+C gives up', async () => {
    const { url, key } = await serverWithKey();
    const env = configEnv();
    const modes: boolean[] = [];
    const terminal = (): PassThrough & KeyInput => Object.assign(new PassThrough(), { isTTY: true, setRawMode: (mode: boolean) => modes.push(mode) });

    const typed = terminal();
    const login = loginWithInput(typed, ['--base-url', url], env);
    typed.write(`${key}zz`);
    typed.write('\u007f\u007f\r');
    const result = await login;
    expect(result.stderr).toBe(`API key for ${url} (input hidden): \n`);
    expect(result).toMatchObject({ code: 0, stdout: expect.stringMatching(/^logged in to .* as ana;/) as unknown });
    expect(readStoredApiKey(url, env)).toBe(key);
    expect(modes).toEqual([true, false]);

    const interrupted = terminal();
    const stopped = loginWithInput(interrupted, ['--base-url', url, '--relogin'], configEnv());
    interrupted.write('cairn_\u0003');
    expect(await stopped).toMatchObject({ code: 130, stderr: expect.stringMatching(/\ncairn login: interrupted; nothing saved\n$/) as unknown });
  });

  it('an unreachable server is a clear error naming the URL and `cairn server`', async () => {
    const url = await deadUrl();
    const env = configEnv();
    const result = await cairn(['login', 'cairn_key', '--base-url', url], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`cairn login: cannot reach a Cairn server at ${url} (ECONNREFUSED); start one with \`cairn server\`, or pass the right --base-url\n`);
    expect(existsSync(path.join(env.CAIRN_CONFIG_DIR, 'credentials.json'))).toBe(false);
  });

  it('a server that needs no key yet cannot check one: nothing is saved', async () => {
    const { url } = await serverWithData();
    const env = configEnv();
    const result = await cairn(['login', 'cairn_for_another_server', '--base-url', url], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/accepts every request without a key .*; nothing saved\. If the key is for another server, pass its --base-url/);
    expect(existsSync(path.join(env.CAIRN_CONFIG_DIR, 'credentials.json'))).toBe(false);
  });

  it('`cairn sync` with no --api-key uploads with the saved key', async () => {
    const { url, key } = await serverWithKey();
    const root = tempDir();
    const run = await offlineRun(root, 5);
    const dir = path.join(root, 'cairn');

    const anonymous = await cairn(['sync', dir, '--base-url', url], { env: configEnv() });
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toMatch(/failed: .*requires an API key/);

    const env = configEnv();
    expect((await cairn(['login', key, '--base-url', url], { env })).code).toBe(0);
    const synced = await cairn(['sync', dir, '--base-url', url], { env });
    expect(synced.stderr).toBe('');
    expect(synced.code).toBe(0);
    expect(synced.stdout).toContain(`→ ${url}/ana/cli-test/runs/${run.id}\n`);
    const info = await fetch(url + apiPaths.run('ana', 'cli-test', run.id), { headers: { authorization: `Bearer ${key}` } });
    expect(await info.json()).toMatchObject({ state: 'finished', historyRows: 5 });
  });

  it('logout forgets the key for that server only', async () => {
    const { url, key } = await serverWithKey();
    const env = configEnv();
    const file = path.join(env.CAIRN_CONFIG_DIR, 'credentials.json');
    expect((await cairn(['login', key, '--base-url', url], { env })).code).toBe(0);
    expect(await cairn(['logout', '--base-url', 'http://elsewhere:8080'], { env })).toEqual({
      code: 0,
      stdout: `not logged in to http://elsewhere:8080: no key saved for it in ${file}\n`,
      stderr: '',
    });
    expect(readStoredApiKey(url, env)).toBe(key);
    expect(await cairn(['logout'], { env: { ...env, CAIRN_BASE_URL: url } })).toEqual({
      code: 0,
      stdout: `logged out of ${url}: removed its key from ${file}\n`,
      stderr: '',
    });
    expect(readStoredApiKey(url, env)).toBeUndefined();
    // Logged out, login asks for a key again instead of saying it is logged in.
    await expect(loginWithInput(Readable.from([]), ['--base-url', url], env)).rejects.toThrow(/^no API key given/);
  });
});

describe('cairn login / logout: usage', () => {
  it.each(['login', 'logout'])('`cairn %s --help` prints its options', async (name) => {
    const help = await cairn([name, '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(new RegExp(`^Usage: cairn ${name} `));
    expect(help.stdout).toMatch(/--base-url URL/);
    expect(help.stdout).toMatch(/-h, --help/);
    expect(await cairn(['help', name])).toEqual(help);
  });

  it('`cairn --help` lists them', async () => {
    const { stdout } = await cairn(['--help']);
    expect(stdout).toMatch(/\n {2}login +check an API key with a server and save it\n/);
    expect(stdout).toMatch(/\n {2}logout +forget the API key saved for a server\n/);
    expect(stdout).toMatch(/\n {2}CAIRN_CONFIG_DIR +where `cairn login` saves keys/);
  });

  it('bad arguments exit 2', async () => {
    const env = configEnv();
    expect((await cairn(['login', 'a', 'b'], { env })).stderr).toMatch(/^cairn login: expected at most one KEY, got 2 arguments\nUsage: cairn login /);
    expect((await cairn(['login', 'k', '--base-url', 'localhost:8080'], { env })).code).toBe(2);
    expect((await cairn(['logout', 'extra'], { env })).code).toBe(2);
  });
});
