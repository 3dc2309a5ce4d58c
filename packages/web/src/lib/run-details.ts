/**
 * The run page's details: its tags as a person edits them, its environment read from
 * `RunInfo.metadata` (written by the SDK at init, any field possibly absent), file sizes.
 */

/** The server's limit on one tag's length. */
export const MAX_TAG_LENGTH = 64;

export type TagsEdit = { ok: true; tags: string[] } | { ok: false; problem: string };

/**
 * `current` with the comma-separated tags of `input` added (trimmed, blanks and repeats
 * dropped), or a problem to show when one is too long.
 *
 * @example
 * addTags(['baseline'], 'sgd, baseline , lr-sweep'); // → { ok: true, tags: ['baseline', 'sgd', 'lr-sweep'] }
 */
export function addTags(current: readonly string[], input: string): TagsEdit {
  const tags = [...current];
  for (const raw of input.split(',')) {
    const tag = raw.trim();
    if (tag === '') continue;
    if (tag.length > MAX_TAG_LENGTH) return { ok: false, problem: `a tag may be at most ${MAX_TAG_LENGTH} characters; “${tag.slice(0, 20)}…” has ${tag.length}` };
    if (!tags.includes(tag)) tags.push(tag);
  }
  return { ok: true, tags };
}

/** `1.5 KiB`, `12 B`, `3.2 MiB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = unit === 0 ? String(value) : value >= 100 ? value.toFixed(0) : String(Number(value.toFixed(1)));
  return `${shown} ${units[unit]}`;
}

/** Where and how a run was started, as far as its metadata tells. */
export interface RunEnvironment {
  gitRemote?: string;
  gitCommit?: string;
  gitBranch?: string;
  node?: string;
  os?: string;
  host?: string;
  user?: string;
  program?: string;
  args: string[];
  /** The whole command line, as a shell would take it: `node train.ts --lr 0.1`. */
  command?: string;
  cwd?: string;
  cpuCount?: number;
  memoryBytes?: number;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

/**
 * Words as a shell line, each quoted when it holds spaces, quotes, `$` or a backslash.
 *
 * @example
 * shellLine(['--name', 'my run']); // → '--name "my run"'
 */
export function shellLine(words: readonly string[]): string {
  return words.map((word) => (/[\s"'$\\]/.test(word) ? JSON.stringify(word) : word)).join(' ');
}

/**
 * The environment in a run's metadata; absent or malformed fields are left out.
 *
 * @example
 * readEnvironment({ node: 'v22.1.0', executable: '/usr/bin/node', program: 'train.ts', args: ['--lr', '0.1'] }).command;
 * // → 'node train.ts --lr 0.1'
 */
export function readEnvironment(metadata: Record<string, unknown> | null): RunEnvironment {
  if (!metadata) return { args: [] };
  const git = metadata.git !== null && typeof metadata.git === 'object' && !Array.isArray(metadata.git) ? (metadata.git as Record<string, unknown>) : {};
  const args = Array.isArray(metadata.args) ? metadata.args.filter((arg): arg is string => typeof arg === 'string') : [];
  const executable = text(metadata.executable)?.split(/[\\/]/).pop();
  const program = text(metadata.program);
  const arch = text(metadata.arch);
  const os = text(metadata.os);
  const words = [executable, program, ...args].filter((word): word is string => word !== undefined);
  return {
    gitRemote: text(git.remote),
    gitCommit: text(git.commit),
    gitBranch: text(git.branch),
    node: text(metadata.node),
    os: os && arch ? `${os} (${arch})` : os,
    host: text(metadata.host),
    user: text(metadata.username),
    program,
    args,
    command: words.length > 0 ? shellLine(words) : undefined,
    cwd: text(metadata.cwd),
    cpuCount: count(metadata.cpuCount),
    memoryBytes: count(metadata.memoryBytes),
  };
}

/**
 * The web page of a git remote (`git@github.com:o/r.git` → `https://github.com/o/r`), or
 * undefined for a remote that is not on a web host (a local path, `file://`).
 */
export function gitWebUrl(remote: string): string | undefined {
  const scp = /^[\w.-]+@([\w.-]+):(?!\/)(.+?)(?:\.git)?\/?$/.exec(remote);
  if (scp) return `https://${scp[1]}/${scp[2]}`;
  let url: URL;
  try {
    url = new URL(remote);
  } catch {
    return undefined;
  }
  if (!['https:', 'http:', 'ssh:', 'git:'].includes(url.protocol) || url.hostname === '') return undefined;
  const protocol = url.protocol === 'http:' ? 'http:' : 'https:';
  const repoPath = url.pathname.replace(/\/+$/, '').replace(/\.git$/, '');
  if (repoPath === '') return undefined;
  return `${protocol}//${url.hostname}${protocol === 'http:' && url.port ? `:${url.port}` : ''}${repoPath}`;
}

/** Hosts whose commit pages we know how to link to, and the path segment before the sha. */
const COMMIT_PAGES: Record<string, string> = {
  'github.com': 'commit',
  'gitlab.com': '-/commit',
  'bitbucket.org': 'commits',
  'codeberg.org': 'commit',
};

/** The web page of `commit` in `remote`, on the hosts whose URL scheme is known; else undefined. */
export function commitUrl(remote: string | undefined, commit: string | undefined): string | undefined {
  if (!remote || !commit || !/^[0-9a-f]{7,64}$/i.test(commit)) return undefined;
  const web = gitWebUrl(remote);
  if (!web) return undefined;
  const segment = COMMIT_PAGES[new URL(web).hostname];
  return segment ? `${web}/${segment}/${commit}` : undefined;
}
