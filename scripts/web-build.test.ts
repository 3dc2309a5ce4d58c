import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { webBuildNeeded } from './web-build.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A repository with a web source file, a protocol source file and (optionally) a build, each at its own time (s). */
function repo(times: { webSource: number; protocolSource: number; built?: number }): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'cairn-web-build-'));
  roots.push(root);
  const file = (relative: string, seconds: number) => {
    const full = path.join(root, relative);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, 'x');
    utimesSync(full, seconds, seconds);
  };
  file('packages/web/src/app.tsx', times.webSource);
  file('packages/protocol/src/series-binary.ts', times.protocolSource);
  if (times.built !== undefined) file('packages/web/dist/index.html', times.built);
  return root;
}

describe('webBuildNeeded', () => {
  it('asks for a build when there is none', () => {
    expect(webBuildNeeded(repo({ webSource: 1000, protocolSource: 1000 }))).toBe('missing');
  });

  it('takes a build newer than every source as current', () => {
    expect(webBuildNeeded(repo({ webSource: 1000, protocolSource: 1000, built: 2000 }))).toBeUndefined();
  });

  it('asks again when a web source or a protocol source changed after the build', () => {
    expect(webBuildNeeded(repo({ webSource: 3000, protocolSource: 1000, built: 2000 }))).toBe('stale');
    expect(webBuildNeeded(repo({ webSource: 1000, protocolSource: 3000, built: 2000 }))).toBe('stale');
  });
});
