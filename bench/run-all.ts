/**
 * Runs every benchmark (or those whose name contains the filter argument) in a child process
 * of its own, so that one benchmark's JIT state, heap and open files cannot disturb another;
 * prints their output as it comes and writes the figures to bench/results/latest.json.
 * A benchmark prints figures and never fails on timing; this exits non-zero only when a
 * benchmark crashes.
 *
 *     npm run bench                  # all of them
 *     npm run bench -- log-latency   # those whose name contains "log-latency"
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLine, makeTempDir, millisSince, removeTempDir, RESULT_FILE_ENV } from './lib/harness.js';

interface Benchmark {
  name: string;
  /** Runs with --expose-gc, so that it can collect garbage before sampling memory. */
  exposeGc: boolean;
}

const BENCHMARKS: Benchmark[] = [
  { name: 'log-latency', exposeGc: false },
  { name: 'init-finish', exposeGc: false },
  { name: 'log-memory', exposeGc: true },
  { name: 'ingest', exposeGc: false },
  { name: 'series-query', exposeGc: false },
  { name: 'runs-list', exposeGc: false },
  { name: 'live-update', exposeGc: false },
  { name: 'web-chart', exposeGc: false },
  { name: 'web-workspace', exposeGc: false },
  { name: 'web-table', exposeGc: false },
  { name: 'web-size', exposeGc: false },
];
/** Generous: the whole suite takes about a minute on a shared 2-core machine. */
const TIMEOUT_MS = 5 * 60 * 1000;

interface Outcome {
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  figures: unknown;
}

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const rootDir = path.dirname(benchDir);
const filter = process.argv[2];
const selected = filter === undefined ? BENCHMARKS : BENCHMARKS.filter((b) => b.name.includes(filter));
if (selected.length === 0) {
  console.error(`no benchmark matches '${filter}'; the benchmarks are: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
  process.exit(2);
}

function runBenchmark(benchmark: Benchmark, resultFile: string): Outcome {
  const args = ['--conditions=source', '--import', 'tsx', ...(benchmark.exposeGc ? ['--expose-gc'] : []), path.join(benchDir, `${benchmark.name}.ts`)];
  const start = process.hrtime.bigint();
  const child = spawnSync(process.execPath, args, {
    cwd: rootDir,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, [RESULT_FILE_ENV]: resultFile },
    timeout: TIMEOUT_MS,
  });
  const durationMs = millisSince(start);
  if (child.error) console.error(`${benchmark.name}: ${child.error.message}`);
  const figures: unknown = existsSync(resultFile) ? JSON.parse(readFileSync(resultFile, 'utf8')) : null;
  return { exitCode: child.status, signal: child.signal, durationMs, figures };
}

const scratch = makeTempDir('run-all');
const outcomes: Record<string, Outcome> = {};
try {
  console.log(`machine: ${machineLine()}`);
  for (const benchmark of selected) {
    console.log(`\n── ${benchmark.name} ${'─'.repeat(Math.max(0, 60 - benchmark.name.length))}`);
    const outcome = runBenchmark(benchmark, path.join(scratch, `${benchmark.name}.json`));
    outcomes[benchmark.name] = outcome;
    const ended = outcome.exitCode === 0 ? 'done' : `FAILED (exit ${outcome.exitCode ?? outcome.signal})`;
    console.log(`── ${benchmark.name} ${ended} in ${(outcome.durationMs / 1000).toFixed(1)} s`);
  }
} finally {
  removeTempDir(scratch);
}

const resultsDir = path.join(benchDir, 'results');
mkdirSync(resultsDir, { recursive: true });
const summaryFile = path.join(resultsDir, 'latest.json');
const summary = { finishedAt: new Date().toISOString(), machine: machineLine(), filter: filter ?? null, benchmarks: outcomes };
writeFileSync(summaryFile, `${JSON.stringify(summary, null, 2)}\n`);
console.log(`\nfigures written to ${path.relative(process.cwd(), summaryFile)}`);

if (Object.values(outcomes).some((o) => o.exitCode !== 0)) process.exitCode = 1;
