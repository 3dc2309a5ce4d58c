import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { credentialsFile, readStoredApiKey, removeStoredApiKey, storeApiKey } from './credentials.js';

const LOCAL = 'http://127.0.0.1:8080';
const TEAM = 'https://cairn.example.com';
const KEY = 'cairn_0123456789abcdefghijABCDEFGHIJ0123456789';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** An environment whose CAIRN_CONFIG_DIR is a fresh temp directory (not yet created, to test creation). */
function tempEnv(): NodeJS.ProcessEnv & { CAIRN_CONFIG_DIR: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'cairn-credentials-'));
  dirs.push(root);
  return { CAIRN_CONFIG_DIR: path.join(root, 'config') };
}

function fileContent(env: NodeJS.ProcessEnv): unknown {
  return JSON.parse(readFileSync(credentialsFile(env), 'utf8'));
}

describe('credentials file', () => {
  it('lives in CAIRN_CONFIG_DIR, else ~/.cairn', () => {
    expect(credentialsFile({ CAIRN_CONFIG_DIR: '/etc/cairn-test' })).toBe(path.resolve('/etc/cairn-test/credentials.json'));
    expect(credentialsFile({})).toBe(path.join(os.homedir(), '.cairn', 'credentials.json'));
    expect(credentialsFile({ CAIRN_CONFIG_DIR: '' })).toBe(path.join(os.homedir(), '.cairn', 'credentials.json'));
  });

  it('round-trips a key, whatever trailing slashes the base URL has', () => {
    const env = tempEnv();
    expect(readStoredApiKey(LOCAL, env)).toBeUndefined();
    const before = Math.floor(Date.now() / 1000);
    const result = storeApiKey(`${LOCAL}/`, KEY, 'ana', env);
    expect(result).toEqual({ file: path.join(env.CAIRN_CONFIG_DIR, 'credentials.json'), movedAside: undefined });
    expect(readStoredApiKey(LOCAL, env)).toBe(KEY);
    expect(readStoredApiKey(`${LOCAL}//`, env)).toBe(KEY);
    expect(readStoredApiKey(TEAM, env)).toBeUndefined();
    const content = fileContent(env) as { servers: Record<string, { savedAt: number }> };
    expect(content).toEqual({ servers: { [LOCAL]: { apiKey: KEY, entity: 'ana', savedAt: expect.any(Number) as unknown } } });
    expect(content.servers[LOCAL]!.savedAt).toBeGreaterThanOrEqual(before);
  });

  it.skipIf(process.platform === 'win32')('is readable by its owner only, in a directory created 0700', () => {
    const env = tempEnv();
    const { file } = storeApiKey(LOCAL, KEY, 'ana', env);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(env.CAIRN_CONFIG_DIR).mode & 0o777).toBe(0o700);
  });

  it.skipIf(process.platform === 'win32')('tightens a file that was readable by others when it rewrites it', () => {
    const env = tempEnv();
    const { file } = storeApiKey(LOCAL, KEY, 'ana', env);
    writeFileSync(file, readFileSync(file), { mode: 0o644 });
    storeApiKey(TEAM, KEY, 'ana', env);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("keeps other servers' entries and unknown fields, and replaces the same server's", () => {
    const env = tempEnv();
    storeApiKey(LOCAL, KEY, 'ana', env);
    storeApiKey(TEAM, 'cairn_team', 'ana-at-work', env);
    const file = credentialsFile(env);
    const content = fileContent(env) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...content, future: { keep: true } }));
    storeApiKey(LOCAL, 'cairn_new', 'bob', env);
    expect(readStoredApiKey(LOCAL, env)).toBe('cairn_new');
    expect(readStoredApiKey(TEAM, env)).toBe('cairn_team');
    expect(fileContent(env)).toMatchObject({ future: { keep: true }, servers: { [TEAM]: { entity: 'ana-at-work' }, [LOCAL]: { entity: 'bob' } } });
    // Only the file itself is left in the directory: no temp files.
    expect(readdirSync(env.CAIRN_CONFIG_DIR)).toEqual(['credentials.json']);
  });

  it('reads a corrupt or foreign file as no key, never throwing', () => {
    const env = tempEnv();
    storeApiKey(LOCAL, KEY, 'ana', env);
    const file = credentialsFile(env);
    for (const text of ['{"servers": {', '[]', 'null', '{"servers": []}', `{"servers": {"${LOCAL}": "${KEY}"}}`, `{"servers": {"${LOCAL}": {"apiKey": 42}}}`, '']) {
      writeFileSync(file, text);
      expect(readStoredApiKey(LOCAL, env), text).toBeUndefined();
    }
    // Names of Object.prototype's members are not servers.
    storeApiKey(LOCAL, KEY, 'ana', env);
    expect(readStoredApiKey('constructor', env)).toBeUndefined();
  });

  it('moves a corrupt file aside to credentials.json.corrupt-<time> before storing, and says where', () => {
    const env = tempEnv();
    storeApiKey(LOCAL, KEY, 'ana', env);
    const file = credentialsFile(env);
    writeFileSync(file, '{"servers": { truncated');
    const result = storeApiKey(TEAM, 'cairn_team', 'ana', env);
    expect(result.file).toBe(file);
    expect(result.movedAside).toMatch(/credentials\.json\.corrupt-\d{8}T\d{6}\.\d{3}Z$/);
    expect(readFileSync(result.movedAside!, 'utf8')).toBe('{"servers": { truncated');
    expect(fileContent(env)).toEqual({ servers: { [TEAM]: { apiKey: 'cairn_team', entity: 'ana', savedAt: expect.any(Number) as unknown } } });
    expect(readStoredApiKey(LOCAL, env)).toBeUndefined();
    // A good file is not moved aside.
    expect(storeApiKey(LOCAL, KEY, 'ana', env).movedAside).toBeUndefined();
  });

  it('removes one server and reports whether it had a key', () => {
    const env = tempEnv();
    expect(removeStoredApiKey(LOCAL, env)).toBe(false);
    storeApiKey(LOCAL, KEY, 'ana', env);
    storeApiKey(TEAM, 'cairn_team', 'ana', env);
    expect(removeStoredApiKey(`${LOCAL}/`, env)).toBe(true);
    expect(readStoredApiKey(LOCAL, env)).toBeUndefined();
    expect(readStoredApiKey(TEAM, env)).toBe('cairn_team');
    expect(removeStoredApiKey(LOCAL, env)).toBe(false);
    writeFileSync(credentialsFile(env), 'garbage');
    expect(removeStoredApiKey(TEAM, env)).toBe(false);
    expect(readFileSync(credentialsFile(env), 'utf8')).toBe('garbage');
  });

  it('refuses an empty key', () => {
    expect(() => storeApiKey(LOCAL, '', 'ana', tempEnv())).toThrow(/the API key is empty/);
  });
});
