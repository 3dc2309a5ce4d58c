/**
 * Whether the dashboard's build (packages/web/dist) is missing or older than what it is built
 * from: the web package's sources and config, and protocol's sources (the bundle takes the
 * binary series reader from them). `npm start` rebuilds then, so a pull never serves a stale
 * dashboard.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** The newest modification time (ms) of the files under `paths` (files or directories); 0 for none. */
export function newestMtime(paths: readonly string[]): number {
  let newest = 0;
  const visit = (entry: string) => {
    let info;
    try {
      info = statSync(entry);
    } catch {
      return;
    }
    if (info.isDirectory()) {
      for (const name of readdirSync(entry)) if (name !== 'node_modules' && name !== 'dist') visit(path.join(entry, name));
    } else newest = Math.max(newest, info.mtimeMs);
  };
  for (const entry of paths) visit(entry);
  return newest;
}

/** Why the dashboard in `root` needs building ('missing', 'stale'), or undefined when its build is current. */
export function webBuildNeeded(root: string): 'missing' | 'stale' | undefined {
  const web = path.join(root, 'packages', 'web');
  let built: number;
  try {
    built = statSync(path.join(web, 'dist', 'index.html')).mtimeMs;
  } catch {
    return 'missing';
  }
  const sources = newestMtime([path.join(web, 'src'), path.join(web, 'index.html'), path.join(web, 'vite.config.ts'), path.join(web, 'package.json'), path.join(root, 'packages', 'protocol', 'src')]);
  return sources > built ? 'stale' : undefined;
}
