/**
 * cairn-metadata.json: where and how the run was started. Written at init; git details
 * are looked up in the background (spawning git must not slow init down) and added when
 * they arrive; state and exit are added at finish.
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { findGitRoot } from './settings.js';

export interface GitInfo {
  commit?: string;
  remote?: string;
  branch?: string;
}

export interface RunMetadata {
  os: string;
  arch: string;
  node: string;
  host: string;
  username: string;
  cpuCount: number;
  memoryBytes: number;
  executable: string;
  args: string[];
  program: string | null;
  cwd: string;
  root: string;
  pid: number;
  startedAt: string;
  state: 'running' | 'finished' | 'failed';
  git?: GitInfo;
  exitCode?: number;
  finishedAt?: string;
}

export function collectMetadata(program: string | null, rootDir: string, start: Date): RunMetadata {
  let username = 'unknown';
  try {
    username = os.userInfo().username;
  } catch {
    // No passwd entry (some containers): keep 'unknown'.
  }
  return {
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
    root: rootDir,
    pid: process.pid,
    startedAt: start.toISOString(),
    state: 'running',
  };
}

function git(args: string[], cwd: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, timeout: 2000, windowsHide: true }, (error, stdout) => {
      resolve(error ? undefined : stdout.trim() || undefined);
    });
  });
}

/** Commit, remote and branch of the repository holding `dir`; undefined outside a repository. */
export async function collectGitInfo(dir: string): Promise<GitInfo | undefined> {
  const root = findGitRoot(dir);
  if (!root) return undefined;
  const [commit, remote, branch] = await Promise.all([
    git(['rev-parse', 'HEAD'], root),
    git(['config', '--get', 'remote.origin.url'], root),
    git(['rev-parse', '--abbrev-ref', 'HEAD'], root),
  ]);
  if (!commit && !remote) return undefined;
  return { commit, remote: remote ? stripCredentials(remote) : undefined, branch };
}

/** A remote URL may carry a token (https://user:token@host/…); never store it. */
function stripCredentials(remote: string): string {
  try {
    const url = new URL(remote);
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return remote;
  }
}

export function programDir(program: string | null): string {
  return program ? path.dirname(path.resolve(program)) : process.cwd();
}
