/**
 * The local run directory:
 *
 *     <dir>/cairn/
 *       latest-run -> run-YYYYMMDD_HHMMSS-<id>      (symlink, replaced atomically)
 *       cairn-resume.json                           (resume: 'auto' only)
 *       run-YYYYMMDD_HHMMSS-<id>/                   ("offline-run-…" in offline mode)
 *         run-<id>.cairn                            append-only record log (the source of truth)
 *         files/                                    run.dir: config.yaml, cairn-summary.json,
 *                                                   cairn-metadata.json, output.log (console),
 *                                                   saved files, media
 *         files.synced.json                         what of files/ was uploaded, to where
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunMode } from '@cairn/protocol';

export const CAIRN_DIR_NAME = 'cairn';
export const LATEST_RUN_LINK = 'latest-run';
export const RESUME_FILE = 'cairn-resume.json';
export const FILES_DIR = 'files';
export const CONFIG_FILE = 'config.yaml';
export const SUMMARY_FILE = 'cairn-summary.json';
export const METADATA_FILE = 'cairn-metadata.json';
/** What the process printed while the run was active (see console-capture.ts for the format). */
export const OUTPUT_LOG_FILE = 'output.log';
export const LOG_EXTENSION = '.cairn';
export const SYNCED_SUFFIX = '.synced';

/** `<root>/cairn`, where run directories live. */
export function cairnDir(rootDir: string): string {
  return path.join(rootDir, CAIRN_DIR_NAME);
}

export function logFileName(id: string): string {
  return `run-${id}${LOG_EXTENSION}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `run-YYYYMMDD_HHMMSS-<id>` in local time, `offline-run-…` offline. */
export function runDirName(mode: RunMode, start: Date, id: string): string {
  const stamp =
    `${start.getFullYear()}${pad(start.getMonth() + 1)}${pad(start.getDate())}_` +
    `${pad(start.getHours())}${pad(start.getMinutes())}${pad(start.getSeconds())}`;
  return `${mode === 'offline' ? 'offline-' : ''}run-${stamp}-${id}`;
}

/** Creates a new run directory (with `-1`, `-2`… when the name is taken) and its files/. */
export function createRunDir(cairn: string, name: string): string {
  mkdirSync(cairn, { recursive: true });
  let candidate = path.join(cairn, name);
  for (let n = 1; existsSync(candidate); n++) candidate = path.join(cairn, `${name}-${n}`);
  mkdirSync(path.join(candidate, FILES_DIR), { recursive: true });
  return candidate;
}

/** Points `latest-run` at `runDir`: a new link under a temporary name, renamed over the old one. */
export function linkLatestRun(cairn: string, runDir: string): void {
  const link = path.join(cairn, LATEST_RUN_LINK);
  const temp = `${link}.${process.pid}`;
  try {
    rmSync(temp, { force: true });
    symlinkSync(path.basename(runDir), temp, 'dir');
    renameSync(temp, link);
  } catch {
    // A platform without symlinks loses only the convenience link.
    rmSync(temp, { force: true });
  }
}

const RUN_DIR_PATTERN = /^(?:offline-)?run-\d{8}_\d{6}-(.+?)(?:-\d+)?$/;

/** The run directories under `cairn` (oldest first), with the id each belongs to. */
export function listRunDirs(cairn: string): Array<{ dir: string; id: string }> {
  let names: string[];
  try {
    names = readdirSync(cairn);
  } catch {
    return [];
  }
  const found: Array<{ dir: string; id: string; stamp: string }> = [];
  for (const name of names) {
    const match = RUN_DIR_PATTERN.exec(name);
    if (!match) continue;
    const dir = path.join(cairn, name);
    // The log file names the id for certain (an id may itself end in -<digits>).
    const log = safeReaddir(dir).find((f) => f.startsWith('run-') && f.endsWith(LOG_EXTENSION));
    if (!log) continue;
    found.push({ dir, id: log.slice(4, -LOG_EXTENSION.length), stamp: name.replace(/^offline-/, '') });
  }
  found.sort((a, b) => (a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : 0));
  return found.map(({ dir, id }) => ({ dir, id }));
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The most recent run directory of the run `id`, if any. */
export function findRunDir(cairn: string, id: string): string | undefined {
  const dirs = listRunDirs(cairn).filter((d) => d.id === id);
  return dirs[dirs.length - 1]?.dir;
}

export function readResumeFile(cairn: string): string | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path.join(cairn, RESUME_FILE), 'utf8')) as { run_id?: unknown };
    return typeof parsed.run_id === 'string' ? parsed.run_id : undefined;
  } catch {
    return undefined;
  }
}

export function writeResumeFile(cairn: string, id: string): void {
  mkdirSync(cairn, { recursive: true });
  writeFileSync(path.join(cairn, RESUME_FILE), `${JSON.stringify({ run_id: id })}\n`);
}

export function deleteResumeFile(cairn: string): void {
  rmSync(path.join(cairn, RESUME_FILE), { force: true });
}

/** Writes a file so that readers see the old or the new content, never a mix. */
export function writeFileAtomic(file: string, content: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, content);
  renameSync(temp, file);
}
