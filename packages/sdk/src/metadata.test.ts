import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readGitInfo } from './metadata.js';
import { tempDir } from './test-support/index.js';

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
