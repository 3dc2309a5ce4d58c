/**
 * `npm start`: Cairn on its embedded store. Starts the tracking server (SQLite and files under
 * $CAIRN_DATA or ~/.cairn, port $PORT or 8080) and, when the store is empty, trains a small
 * model that logs live into it for about a minute (examples/quickstart.ts, paced:
 * QUICKSTART_EPOCHS, QUICKSTART_STEP_MS), so there is a run to watch grow within seconds.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '@cairn/server';
import { webBuildNeeded } from './web-build.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const port = Number(process.env.PORT ?? 8080);
const dataDir = path.resolve(process.env.CAIRN_DATA ?? path.join(os.homedir(), '.cairn'));

// The dashboard is served from its build; a fresh clone builds it once (about half a minute),
// and so does a start after its sources changed (a pull).
const webRoot = path.join(root, 'packages', 'web', 'dist');
const buildNeeded = webBuildNeeded(root);
if (buildNeeded) {
  console.log(buildNeeded === 'missing' ? 'Building the dashboard (first start only)...' : 'Building the dashboard (its sources changed since the last build)...');
  const build = spawnSync('npm', ['run', 'build', '-w', 'packages/web'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) console.error('The dashboard did not build; the API works without it (see the output above).');
}

let server: Awaited<ReturnType<typeof startServer>>;
try {
  server = await startServer({ port, dataDir, quiet: true, webRoot });
} catch (error) {
  const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
  console.error(
    inUse
      ? `Port ${port} is in use: is Cairn already running? Start on another port with PORT=8081 npm start.`
      : `Cairn could not start: ${(error as Error).message}`,
  );
  process.exit(1);
}

console.log(`Cairn is running at ${server.url}  (dashboard; embedded SQLite store in ${dataDir}; stop with Ctrl+C)`);
console.log(`  runs:  curl ${server.url}/api/v1/projects`);
console.log(`  log from TypeScript:  const run = await init({ project: 'demo' }); run.log({ loss: 0.1 });${port === 8080 ? '' : `  (with CAIRN_BASE_URL=${server.url})`}`);

if ((await server.store.listProjects()).length === 0) {
  // About 2,600 steps over 40–60 s: long enough to open the dashboard and watch the charts grow.
  const epochs = process.env.QUICKSTART_EPOCHS ?? '100';
  const stepMs = process.env.QUICKSTART_STEP_MS ?? '15';
  console.log(`\nThe store is empty: training a small logistic regression (${epochs} epochs) that logs live into it; open ${server.url}/local/quickstart to watch its charts grow...`);
  const localRuns = process.env.CAIRN_DIR ?? path.join(dataDir, 'local-runs');
  mkdirSync(localRuns, { recursive: true });
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', path.join(root, 'examples', 'quickstart.ts')], {
    cwd: root,
    // The run's local copy (its record log) lives beside the store.
    env: { ...process.env, CAIRN_BASE_URL: server.url, CAIRN_MODE: 'online', CAIRN_DIR: localRuns, QUICKSTART_EPOCHS: epochs, QUICKSTART_STEP_MS: stepMs },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', (code) => {
    if (code === 0) console.log(`\nThe quickstart run is in the store: curl ${server.url}/api/v1/projects/local/quickstart/runs`);
    else console.error(`The quickstart exited with code ${code}; the server keeps running.`);
  });
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(130);
    stopping = true;
    console.log('\nStopping Cairn (finishing in-flight requests)...');
    void server.close().then(() => process.exit(0));
  });
}
