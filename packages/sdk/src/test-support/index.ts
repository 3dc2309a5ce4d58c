/** Shared helpers of the SDK's tests: real temp directories, real runs, real logs. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, vi } from 'vitest';
import { decodeRecordLog } from '@cairn/protocol';
import { finish, init, run as activeRun } from '../init.js';
import type { Run } from '../run.js';
import type { InitOptions } from '../settings.js';

const created: string[] = [];

/** A fresh temp directory, removed after the test. */
export function tempDir(prefix = 'cairn-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

afterEach(async () => {
  if (activeRun) await finish();
  vi.restoreAllMocks();
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Starts a silent offline run in its own temp directory. */
export async function startRun(options: InitOptions = {}): Promise<Run> {
  return init({ mode: 'offline', silent: true, dir: tempDir(), project: 'test', ...options });
}

/** The records of a run's log as they are on disk now (without flushing anything). */
export function recordsOnDisk(run: Run): Array<Record<string, unknown>> {
  const file = path.join(run.runDir!, `run-${run.id}.cairn`);
  return decodeRecordLog(readFileSync(file), crc32).records.map((r) => r.record);
}

/** Captures what the SDK writes to stderr (warnings), for the duration of a test. */
export function captureStderr(): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  return lines;
}

/** The error `fn` throws; fails the test when it throws nothing. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

/** The error `promise` rejects with (a test fails when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
