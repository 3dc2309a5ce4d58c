import { describe, expect, it } from 'vitest';
import { apiPaths } from '@cairn/protocol';
import { cairn, startTestServer, tempDir } from './test-support/index.js';

const serverWithData = startTestServer;

function printedKey(stdout: string): string {
  const keys = stdout.match(/cairn_[A-Za-z0-9]{40}/g) ?? [];
  expect(keys).toHaveLength(1);
  return keys[0]!;
}

const viewerStatus = async (url: string, key?: string): Promise<number> =>
  (await fetch(url + apiPaths.viewer(), { headers: key === undefined ? {} : { authorization: `Bearer ${key}` } })).status;

describe('cairn keys against a running server', () => {
  it('create prints the key once; from then on the server answers 401 without it and 200 with it', async () => {
    const { url, dataDir } = await serverWithData();
    expect(await viewerStatus(url)).toBe(200);

    const created = await cairn(['keys', 'create', '--user', 'ana', '--data', dataDir], { env: { CAIRN_BASE_URL: url } });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const key = printedKey(created.stdout);
    expect(created.stdout).toMatch(new RegExp(`^Created an API key for user 'ana' in .*cairn\\.sqlite:\\n\\n {2}${key}\\n\\n`));
    expect(created.stdout).toContain('From now on the server requires an API key with every request');
    expect(created.stdout).toContain(`  cairn login <key> --base-url ${url}\n`);

    await expect.poll(() => viewerStatus(url), { timeout: 3000 }).toBe(401);
    expect(await viewerStatus(url, key)).toBe(200);
    const viewer = await fetch(url + apiPaths.viewer(), { headers: { authorization: `Bearer ${key}` } });
    expect(await viewer.json()).toMatchObject({ entity: 'ana' });

    const second = await cairn(['keys', 'create', '--user', 'bob', '--data', dataDir]);
    expect(second.stdout).not.toContain('From now on');
    expect(second.stdout).toContain('The server requires an API key with every request');
    expect(printedKey(second.stdout)).not.toBe(key);
  });

  it('list shows users and key prefixes with times, never a whole key', async () => {
    const { url, dataDir } = await serverWithData();
    const ana = printedKey((await cairn(['keys', 'create', '--user', 'ana', '--data', dataDir])).stdout);
    const bob = printedKey((await cairn(['keys', 'create', '--user', 'bob', '--data', dataDir])).stdout);
    printedKey((await cairn(['keys', 'create', '--user', 'ana', '--data', dataDir])).stdout);
    expect(await viewerStatus(url, bob)).toBe(200);

    const list = await cairn(['keys', 'list', '--data', dataDir]);
    expect(list.code).toBe(0);
    expect(list.stderr).toBe('');
    expect(list.stdout).not.toMatch(/cairn_[A-Za-z0-9]{11,}/);
    const lines = list.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^API keys in .*cairn\.sqlite:$/);
    expect(lines[1]).toMatch(/^USER +KEY +CREATED +LAST USED$/);
    const time = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d`;
    expect(lines.slice(2)).toEqual([
      expect.stringMatching(new RegExp(`^ana +${ana.slice(0, 10)}… +${time} +never$`)),
      expect.stringMatching(new RegExp(`^ana +cairn_\\w{4}… +${time} +never$`)),
      expect.stringMatching(new RegExp(`^bob +${bob.slice(0, 10)}… +${time} +${time}$`)),
    ]);
  });

  it('list on a data directory with no keys says the server needs none', async () => {
    const dataDir = tempDir();
    const list = await cairn(['keys', 'list', '--data', dataDir]);
    expect(list).toMatchObject({ code: 0, stderr: '' });
    expect(list.stdout).toMatch(/^No API keys in .*cairn\.sqlite: the server accepts requests without a key while it listens on loopback only\. `cairn keys create` makes one\.\n$/);
  });
});

describe('cairn keys create: the user and the database', () => {
  it('names the user after $USER, lower-cased and made valid, else admin', async () => {
    const dataDir = tempDir();
    const created = await cairn(['keys', 'create', '--data', dataDir], { env: { USER: 'Ana María.Silva' } });
    expect(created.stdout).toMatch(/^Created an API key for user 'ana-mar-a-silva' in /);
    expect((await cairn(['keys', 'create', '--data', dataDir], { env: { USER: '' } })).stdout).toMatch(/user 'admin'/);
    expect((await cairn(['keys', 'create', '--data', dataDir], { env: { USER: '__' } })).stdout).toMatch(/user 'admin'/);
  });

  it('says when it made a new database, and reads CAIRN_DATA and --db', async () => {
    const dataDir = tempDir();
    const first = await cairn(['keys', 'create', '--user', 'ana'], { env: { CAIRN_DATA: dataDir } });
    expect(first.stdout).toContain(`in ${dataDir}/cairn.sqlite (a new database: start the server with this --data to use it):`);
    const second = await cairn(['keys', 'create', '--user', 'bob'], { env: { CAIRN_DATA: dataDir } });
    expect(second.stdout).toContain(`in ${dataDir}/cairn.sqlite:\n`);
    const viaUrl = await cairn(['keys', 'list', '--db', `sqlite:${dataDir}/cairn.sqlite`], { env: { CAIRN_DATA: tempDir() } });
    expect(viaUrl.stdout).toMatch(/\nana .*\nbob /);
  });

  it('bad input exits 2 with the reason', async () => {
    const dataDir = tempDir();
    const bad = await cairn(['keys', 'create', '--user', 'Not Valid', '--data', dataDir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^cairn keys: --user: user names are 1–64 lower-case letters, digits, '-' or '_'; got "Not Valid"\nUsage: cairn keys /);
    expect((await cairn(['keys', 'list', '--data', dataDir])).stdout).toMatch(/^No API keys/);
    expect((await cairn(['keys'])).stderr).toMatch(/^cairn keys: say what to do: `cairn keys create` or `cairn keys list`/);
    expect((await cairn(['keys', 'delete'])).stderr).toMatch(/^cairn keys: unknown action 'delete': use create or list/);
    expect((await cairn(['keys', 'list', 'extra', '--data', dataDir])).code).toBe(2);
    expect((await cairn(['keys', 'list', '--user', 'ana', '--data', dataDir])).code).toBe(2);
    expect((await cairn(['keys', 'list', '--db', 'mysql://x'])).stderr).toMatch(/^cairn keys: unsupported database URL "mysql:\/\/x"/);
  });

  it('`cairn keys --help` prints its options, and `cairn --help` lists it', async () => {
    const help = await cairn(['keys', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: cairn keys <create\|list> \[options\]/);
    expect(help.stdout).toMatch(/--user NAME/);
    expect(help.stdout).toMatch(/-h, --help/);
    expect(await cairn(['help', 'keys'])).toEqual(help);
    expect((await cairn(['--help'])).stdout).toMatch(/\n {2}keys +create and list API keys/);
  });
});
