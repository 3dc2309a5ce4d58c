/**
 * cairn-metadata.json: where and how the run was started, written at init; state and exit
 * are added at finish.
 */
import { readFileSync, statSync } from 'node:fs';
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

/**
 * Commit, remote and branch of the repository holding `dir`, read from the .git directory
 * itself: spawning git would cost init tens of milliseconds. Undefined outside a repository.
 */
export function readGitInfo(dir: string): GitInfo | undefined {
  const root = findGitRoot(dir);
  if (!root) return undefined;
  try {
    const gitDir = resolveGitDir(path.join(root, '.git'));
    // Linked work trees keep HEAD in their own dir and refs/config in the common one.
    const commonDir = readOptional(path.join(gitDir, 'commondir'));
    const sharedDir = commonDir ? path.resolve(gitDir, commonDir.trim()) : gitDir;
    const head = (readOptional(path.join(gitDir, 'HEAD')) ?? '').trim();
    let commit: string | undefined;
    let branch: string | undefined;
    if (head.startsWith('ref: ')) {
      const ref = head.slice(5);
      branch = ref.replace(/^refs\/heads\//, '');
      commit = readOptional(path.join(sharedDir, ref))?.trim() ?? packedRef(sharedDir, ref);
    } else if (/^[0-9a-f]{40,64}$/.test(head)) {
      commit = head;
      branch = 'HEAD';
    }
    const remote = originUrl(readOptional(path.join(sharedDir, 'config')) ?? '');
    if (!commit && !remote) return undefined;
    return { commit, remote: remote ? stripCredentials(remote) : undefined, branch };
  } catch {
    return undefined;
  }
}

function readOptional(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** `.git` is a directory, or (work trees, submodules) a file saying `gitdir: <path>`. */
function resolveGitDir(dotGit: string): string {
  if (statSync(dotGit).isDirectory()) return dotGit;
  const pointer = readFileSync(dotGit, 'utf8').trim();
  return path.resolve(path.dirname(dotGit), pointer.replace(/^gitdir:\s*/, ''));
}

function packedRef(gitDir: string, ref: string): string | undefined {
  for (const line of (readOptional(path.join(gitDir, 'packed-refs')) ?? '').split('\n')) {
    const [sha, name] = line.split(' ');
    if (name === ref && sha && /^[0-9a-f]{40,64}$/.test(sha)) return sha;
  }
  return undefined;
}

/** The url of [remote "origin"] in a git config file. */
function originUrl(config: string): string | undefined {
  let inOrigin = false;
  for (const raw of config.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) inOrigin = /^\[remote\s+"origin"\]$/.test(line);
    else if (inOrigin) {
      const match = /^url\s*=\s*(.+)$/.exec(line);
      if (match) return match[1]!.trim();
    }
  }
  return undefined;
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
