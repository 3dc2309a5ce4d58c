import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_VERSION } from './index.js';
import { cairn, offlineRun, tempDir } from './test-support/index.js';

describe('cairn: help, version and usage errors', () => {
  it('--help lists every command and exits 0', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      const result = await cairn([flag]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Usage: cairn <command> \[options\]/);
      expect(result.stdout).toMatch(/\n {2}server +start the tracking server\n/);
      expect(result.stdout).toMatch(/\n {2}sync +upload offline or unfinished runs/);
      expect(result.stderr).toBe('');
    }
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(CLI_VERSION).toBe(pkg.version);
    expect(await cairn(['--version'])).toEqual({ code: 0, stdout: `cairn ${pkg.version}\n`, stderr: '' });
    expect((await cairn(['-v'])).stdout).toBe(`cairn ${pkg.version}\n`);
  });

  it.each(['server', 'sync'])('`cairn %s --help` (and `cairn help <command>`) prints its options', async (name) => {
    const viaFlag = await cairn([name, '--help']);
    expect(viaFlag.code).toBe(0);
    expect(viaFlag.stdout).toMatch(new RegExp(`^Usage: cairn ${name} `));
    expect(viaFlag.stdout).toMatch(/-h, --help/);
    expect(await cairn(['help', name])).toEqual(viaFlag);
  });

  it('no command prints the usage on stderr and exits 2', async () => {
    const result = await cairn([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^Usage: cairn <command>/);
  });

  it('an unknown command or option names it, shows the usage, and exits 2', async () => {
    const command = await cairn(['frobnicate']);
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(/^cairn: unknown command 'frobnicate'\n\nUsage: cairn <command>/);
    const option = await cairn(['--frob']);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/^cairn: unknown option '--frob'/);
    expect((await cairn(['help', 'nope'])).stderr).toMatch(/unknown command 'nope'/);
  });

  it('a bad flag of a command names it, shows the command usage, and exits 2', async () => {
    expect(await cairn(['sync', '--bogus'])).toEqual({
      code: 2,
      stdout: '',
      stderr: "cairn sync: unknown option '--bogus'\nUsage: cairn sync [DIR...] [options]\nRun `cairn sync --help` for its options.\n",
    });
    expect((await cairn(['sync', '--base-url'])).stderr).toMatch(/^cairn sync: option '--base-url <value>' argument missing/);
    expect((await cairn(['sync', '--include-synced=yes'])).code).toBe(2);
    const port = await cairn(['server', '--port', '70000']);
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/^cairn server: --port must be a whole number from 0 to 65535, got '70000'/);
    expect((await cairn(['server', 'extra'])).stderr).toMatch(/^cairn server: unexpected argument 'extra'/);
  });
});

describe('cairn sync without a server', () => {
  it('says there is nothing to sync when ./cairn is absent or empty', async () => {
    const cwd = tempDir();
    expect(await cairn(['sync'], { cwd })).toMatchObject({ code: 0, stdout: expect.stringMatching(/^nothing to sync: there is no \.\/cairn directory/) as unknown });
    expect(await cairn(['sync', cwd])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^nothing to sync: no run directories in /) as unknown });
  });

  it('fails on a directory that does not exist', async () => {
    const cwd = tempDir();
    const result = await cairn(['sync', 'missing'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`cairn sync: ${path.join(cwd, 'missing')} does not exist; pass a run directory, a cairn/ directory, or a directory that holds cairn/\n`);
  });

  it('says how to start the server when none answers, and stops trying the other runs', async () => {
    const root = tempDir();
    await offlineRun(root, 3);
    await offlineRun(root, 3);
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await cairn(['sync'], { cwd: root, env: { CAIRN_BASE_URL: url } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^cairn\/\S+: failed: cannot reach the Cairn server at http:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED 127\.0\.0\.1:\d+; start it with `npx cairn server`/,
    );
    expect(result.stderr).toMatch(/cairn sync: stopped; 1 more run not tried\n$/);
    expect(result.stdout).toBe(`sync to ${url}: 2 runs failed\n`);
  });
});

/** A loopback port nothing listens on: one the system just handed out and we released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
