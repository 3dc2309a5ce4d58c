import { describe, expect, it } from 'vitest';
import { addTags, commitUrl, formatBytes, gitWebUrl, MAX_TAG_LENGTH, readEnvironment } from './run-details.js';
import { fileUrl } from './run-requests.js';

describe('addTags', () => {
  it('adds comma-separated tags, trimmed, without blanks or repeats', () => {
    expect(addTags(['baseline'], 'sgd, baseline , lr-sweep,,')).toEqual({ ok: true, tags: ['baseline', 'sgd', 'lr-sweep'] });
    expect(addTags([], '  ')).toEqual({ ok: true, tags: [] });
  });

  it('refuses a tag longer than the server accepts', () => {
    const result = addTags(['a'], `ok, ${'x'.repeat(MAX_TAG_LENGTH + 1)}`);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toContain(`at most ${MAX_TAG_LENGTH} characters`);
    expect(addTags([], 'y'.repeat(MAX_TAG_LENGTH))).toEqual({ ok: true, tags: ['y'.repeat(MAX_TAG_LENGTH)] });
  });
});

describe('formatBytes', () => {
  it('uses binary units with at most one decimal', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(2048)).toBe('2 KiB');
    expect(formatBytes(150 * 1024 * 1024)).toBe('150 MiB');
    expect(formatBytes(-1)).toBe('—');
  });
});

describe('readEnvironment', () => {
  it('reads what the SDK records, with the command line as a shell would take it', () => {
    const environment = readEnvironment({
      os: 'Linux 6.1.0',
      arch: 'x64',
      node: 'v22.1.0',
      host: 'gpu-01',
      username: 'ada',
      executable: '/usr/local/bin/node',
      program: '/home/ada/train.ts',
      args: ['--lr', '0.1', '--name', 'my run'],
      cwd: '/home/ada',
      cpuCount: 16,
      memoryBytes: 64 * 2 ** 30,
      git: { remote: 'git@github.com:ada/nets.git', commit: 'a'.repeat(40), branch: 'main' },
    });
    expect(environment).toEqual({
      gitRemote: 'git@github.com:ada/nets.git',
      gitCommit: 'a'.repeat(40),
      gitBranch: 'main',
      node: 'v22.1.0',
      os: 'Linux 6.1.0 (x64)',
      host: 'gpu-01',
      user: 'ada',
      program: '/home/ada/train.ts',
      args: ['--lr', '0.1', '--name', 'my run'],
      command: 'node /home/ada/train.ts --lr 0.1 --name "my run"',
      cwd: '/home/ada',
      cpuCount: 16,
      memoryBytes: 64 * 2 ** 30,
    });
  });

  it('leaves out what is absent or malformed', () => {
    expect(readEnvironment(null)).toEqual({ args: [] });
    const environment = readEnvironment({ git: 'nope', args: ['a', 3], node: 22, program: '' });
    expect(environment.gitCommit).toBeUndefined();
    expect(environment.node).toBeUndefined();
    expect(environment.program).toBeUndefined();
    expect(environment.args).toEqual(['a']);
    expect(environment.command).toBe('a');
  });
});

describe('git links', () => {
  it('turns ssh, scp-like and https remotes into the repository\'s web page', () => {
    expect(gitWebUrl('git@github.com:ada/nets.git')).toBe('https://github.com/ada/nets');
    expect(gitWebUrl('ssh://git@gitlab.com/group/sub/nets.git')).toBe('https://gitlab.com/group/sub/nets');
    expect(gitWebUrl('https://github.com/ada/nets.git')).toBe('https://github.com/ada/nets');
    expect(gitWebUrl('http://git.local:3000/ada/nets/')).toBe('http://git.local:3000/ada/nets');
  });

  it('gives no page for a local remote', () => {
    expect(gitWebUrl('/srv/git/nets.git')).toBeUndefined();
    expect(gitWebUrl('file:///srv/git/nets.git')).toBeUndefined();
    expect(gitWebUrl('../nets')).toBeUndefined();
  });

  it('links a commit only on hosts whose commit pages are known', () => {
    const sha = '0123456789abcdef0123456789abcdef01234567';
    expect(commitUrl('git@github.com:ada/nets.git', sha)).toBe(`https://github.com/ada/nets/commit/${sha}`);
    expect(commitUrl('https://gitlab.com/g/nets', sha)).toBe(`https://gitlab.com/g/nets/-/commit/${sha}`);
    expect(commitUrl('https://git.example.org/ada/nets', sha)).toBeUndefined();
    expect(commitUrl('git@github.com:ada/nets.git', 'not-a-sha')).toBeUndefined();
    expect(commitUrl(undefined, sha)).toBeUndefined();
  });
});

describe('fileUrl', () => {
  it('encodes each segment of the file path, keeping the slashes', () => {
    expect(fileUrl('local', 'mnist', 'abc', 'media/images/sample 1.png')).toBe('/api/v1/projects/local/mnist/runs/abc/files/media/images/sample%201.png');
    expect(fileUrl('local', 'mnist', 'abc', 'a#b?.txt')).toBe('/api/v1/projects/local/mnist/runs/abc/files/a%23b%3F.txt');
  });
});
