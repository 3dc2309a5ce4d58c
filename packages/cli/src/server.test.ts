import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { apiPaths, type Viewer } from '@cairn/protocol';
import { cairn, startTestServer, tempDir } from './test-support/index.js';

const BIN = fileURLToPath(new URL('../bin/cairn.js', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Waits until `read()` matches `pattern`, for at most `ms`. */
async function waitFor(read: () => string, pattern: RegExp, ms = 20_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const match = pattern.exec(read());
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output so far:\n${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('cairn server', () => {
  it('serves the API in its data directory until stopped, then exits 0', async () => {
    const data = tempDir();
    const signalListeners = process.listenerCount('SIGINT');
    const controller = new AbortController();
    let stdout = '';
    let stderr = '';
    const exit = import('./index.js').then(({ main }) =>
      main(['server', '--port', '0', '--data', data], {
        env: {},
        signal: controller.signal,
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stderr += text) },
      }),
    );
    const [, url] = await waitFor(() => stdout, /^Cairn server listening on (http:\/\/127\.0\.0\.1:\d+)\n {2}data: (.*)\n/);
    expect(stdout).toContain(`  data: ${data}\n`);
    const viewer = (await (await fetch(url + apiPaths.viewer())).json()) as Viewer;
    expect(viewer.entity).toBe('local');

    controller.abort();
    expect(await exit).toBe(0);
    expect(stderr).toMatch(/stopping, finishing in-flight requests.*\ncairn server: stopped\n$/);
    await expect(fetch(url + apiPaths.viewer())).rejects.toThrow();
    expect(process.listenerCount('SIGINT')).toBe(signalListeners);
  });

  it('rejects a bad --heartbeat-timeout with usage exit code 2', async () => {
    const { main } = await import('./index.js');
    let stderr = '';
    const code = await main(['server', '--port', '0', '--data', tempDir(), '--heartbeat-timeout', 'soon'], {
      env: {},
      stdout: { write: () => true },
      stderr: { write: (text: string) => (stderr += text) },
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/--heartbeat-timeout must be a positive number of seconds, got 'soon'/);
  });

  it('says so when the port is taken, and exits 1', async () => {
    const { url } = await startTestServer();
    const port = new URL(url).port;
    const result = await cairn(['server', '--port', port, '--data', tempDir()]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`cairn server: port ${port} on 127.0.0.1 is already in use (another Cairn server?); stop it, or pick another port with --port\n`);
  });

  it('as a process, stops on SIGINT with exit code 0 (run from source through bin/cairn.js)', async () => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', BIN, 'server', '--port', '0', '--data', tempDir()], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const [, url] = await waitFor(() => output, /listening on (http:\/\/\S+)\n/);
      expect((await fetch(url + apiPaths.viewer())).status).toBe(200);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(output).toMatch(/cairn server: interrupted, finishing in-flight requests.*\ncairn server: stopped\n$/);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('bin/cairn.js', () => {
  it('runs the built CLI, or says to build it when dist/ is missing', async () => {
    const child = spawn(process.execPath, [BIN, '--version'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (existsSync(new URL('../dist/index.js', import.meta.url))) {
      expect({ code, stdout }).toEqual({ code: 0, stdout: expect.stringMatching(/^cairn \d+\.\d+\.\d+\n$/) as unknown });
    } else {
      expect(code).toBe(1);
      expect(stderr).toMatch(/^cairn: the CLI is not built yet \(packages\/cli\/dist is missing\)\.\nRun `npm run build` at the repository root/);
    }
  });
});
