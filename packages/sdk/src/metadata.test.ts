import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readGitInfo } from './metadata.js';
import { openRun } from './read.js';
import { startRun, tempDir } from './test-support/index.js';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, encoding: 'utf8' }).trim();
}

describe('readGitInfo (reads .git without spawning git)', () => {
  it('agrees with git on commit, branch and a credential-free remote', () => {
    const repo = tempDir();
    git(repo, 'init', '-q', '-b', 'trunk');
    writeFileSync(path.join(repo, 'a.txt'), 'a');
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'first');
    git(repo, 'remote', 'add', 'origin', 'https://user:secret@example.com/team/repo.git');
    mkdirSync(path.join(repo, 'src'));
    const info = readGitInfo(path.join(repo, 'src'));
    expect(info).toEqual({ commit: git(repo, 'rev-parse', 'HEAD'), branch: 'trunk', remote: 'https://example.com/team/repo.git' });
  });

  it('resolves packed refs and detached heads', () => {
    const repo = tempDir();
    git(repo, 'init', '-q', '-b', 'main');
    writeFileSync(path.join(repo, 'a.txt'), 'a');
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'first');
    git(repo, 'pack-refs', '--all');
    const head = git(repo, 'rev-parse', 'HEAD');
    expect(readGitInfo(repo)?.commit).toBe(head);
    git(repo, 'checkout', '-q', '--detach');
    expect(readGitInfo(repo)).toMatchObject({ commit: head, branch: 'HEAD' });
  });

  it('is undefined outside a repository or in one without commits or remote', () => {
    expect(readGitInfo(tempDir())).toBeUndefined();
    const empty = tempDir();
    git(empty, 'init', '-q');
    expect(readGitInfo(empty)).toBeUndefined();
  });
});

/** Whether `git` can be run here; without it there is nothing to compare the recorded commit with. */
function gitOnPath(): boolean {
  try {
    execFileSync('git', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** What git prints for `args` in `cwd`, or undefined when it exits with an error (no such config key). */
function gitOutput(cwd: string, ...args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function readMetadataFile(dir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(dir, 'cairn-metadata.json'), 'utf8')) as Record<string, unknown>;
}

describe('cairn-metadata.json of a run started by this test', () => {
  it('holds host, OS, Node, the program and its arguments, where it ran and when it started, in the file and in the log', async () => {
    const before = Date.now();
    const run = await startRun();
    const after = Date.now();
    const atStart = readMetadataFile(run.dir);
    // The program is the script Node was started with (process.argv[1]) relative to the
    // working directory, and args the rest of argv: under vitest, its worker and its arguments.
    const program = path.relative(process.cwd(), process.argv[1]!) || process.argv[1]!;
    let username = 'unknown';
    try {
      username = os.userInfo().username;
    } catch {
      // As the SDK does without a passwd entry.
    }
    expect(atStart).toMatchObject({
      os: `${os.type()} ${os.release()}`,
      arch: process.arch,
      node: process.version,
      host: os.hostname(),
      username,
      cpuCount: os.cpus().length,
      memoryBytes: os.totalmem(),
      executable: process.execPath,
      args: process.argv.slice(2),
      program,
      cwd: process.cwd(),
      root: run.settings.rootDir,
      pid: process.pid,
      state: 'running',
    });
    expect(run.settings.program).toBe(program);
    const startedAt = Date.parse(atStart.startedAt as string);
    expect(atStart.startedAt).toBe(new Date(startedAt).toISOString());
    expect(startedAt).toBeGreaterThanOrEqual(before);
    expect(startedAt).toBeLessThanOrEqual(after);
    expect(startedAt).toBe(Math.round(run.startTime * 1000));
    expect(atStart).not.toHaveProperty('exitCode');
    expect(atStart).not.toHaveProperty('finishedAt');

    await run.finish(2);
    // The log keeps the metadata as it was at the start; the file gets the end added.
    expect(openRun(run.runDir!).metadata).toEqual(atStart);
    const atEnd = readMetadataFile(run.dir);
    expect(atEnd).toEqual({ ...atStart, state: 'failed', exitCode: 2, finishedAt: atEnd.finishedAt });
    expect(Date.parse(atEnd.finishedAt as string)).toBeGreaterThanOrEqual(startedAt);
  });

  it.skipIf(!gitOnPath())(
    "records the commit, branch and origin remote of the repository the program is in, as git says them (skipped: no 'git' on PATH to compare with)",
    async () => {
      const run = await startRun();
      await run.finish();
      const metadata = openRun(run.runDir!).metadata!;
      // The SDK reads git info for the program's directory: this repository's checkout
      // (the vitest worker is in its node_modules), in CI too, where it is a clone.
      const programDir = path.dirname(path.resolve(process.cwd(), metadata.program as string));
      const commit = gitOutput(programDir, 'rev-parse', 'HEAD');
      expect(commit).toMatch(/^[0-9a-f]{40,64}$/);
      const remote = gitOutput(programDir, 'config', '--local', '--get', 'remote.origin.url');
      const expected = {
        commit,
        // git says HEAD for a detached head (CI checks out pull requests that way); so does the SDK.
        branch: gitOutput(programDir, 'rev-parse', '--abbrev-ref', 'HEAD'),
        remote: remote === undefined ? undefined : withoutCredentials(remote),
      };
      expect(metadata.git).toEqual(expected);
      expect(readMetadataFile(run.dir).git).toEqual(expected);
    },
  );
});

/** A remote URL as the SDK stores it: without user name and password (a CI clone's URL may carry a token). */
function withoutCredentials(remote: string): string {
  try {
    const url = new URL(remote);
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return remote;
  }
}
