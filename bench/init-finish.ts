/**
 * init → first log → finish of an offline run: the first one in the process (cold: JIT and
 * file system caches) on its own, then the median and p95 of repetitions in the same process.
 * The baseline, measured in the same run, is the raw file system floor: mkdir + open + write +
 * close of a file in a temp dir (and the same with the fsync that finish() does).
 *
 *     node --conditions=source --import tsx bench/init-finish.ts
 */
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { machineLine, makeTempDir, millisSince, removeTempDir, reportResult, scalarRow, verdict } from './lib/harness.js';
import { formatMillis, formatRatio, medianAndP95 } from './lib/stats.js';

const REPETITIONS = 30;
const TARGET_MS = 50;

interface Lifecycle {
  init: number;
  log: number;
  finish: number;
  total: number;
}

const importStart = process.hrtime.bigint();
const { init } = await import('@cairn/sdk');
const importMs = millisSince(importStart);

let previousRunId: string | undefined;

async function lifecycle(dir: string): Promise<Lifecycle> {
  const start = process.hrtime.bigint();
  const run = await init({ project: 'bench', dir, mode: 'offline', silent: true });
  const initMs = millisSince(start);
  // init() hands back the active run unless it has finished; a reused run would time nothing.
  if (run.id === previousRunId) throw new Error(`init() returned the previous run ${run.id}; it was not finished`);
  previousRunId = run.id;
  const logStart = process.hrtime.bigint();
  run.log(scalarRow(0));
  const logMs = millisSince(logStart);
  const finishStart = process.hrtime.bigint();
  await run.finish();
  const finishMs = millisSince(finishStart);
  return { init: initMs, log: logMs, finish: finishMs, total: millisSince(start) };
}

/** mkdir + open + write + close of one small file: the least a run directory can cost. */
function fsFloor(dir: string, index: number, fsync: boolean): number {
  const start = process.hrtime.bigint();
  const runDir = path.join(dir, `floor-${fsync ? 'fsync-' : ''}${index}`);
  mkdirSync(runDir);
  const fd = openSync(path.join(runDir, 'run.log'), 'a');
  writeSync(fd, `${JSON.stringify({ t: 'history', row: scalarRow(index) })}\n`);
  if (fsync) fsyncSync(fd);
  closeSync(fd);
  return millisSince(start);
}

function phaseLine(label: string, values: number[]): string {
  const { median, p95 } = medianAndP95(values);
  return `${label.padEnd(22)} median ${formatMillis(median).padStart(9)}  p95 ${formatMillis(p95).padStart(9)}`;
}

const dir = makeTempDir('init-finish');
try {
  console.log(`init-finish: init → log → finish of an offline run, ${REPETITIONS} repetitions in one process`);
  console.log(`machine: ${machineLine()}`);

  const cold = await lifecycle(dir);
  console.log(
    `cold: import @cairn/sdk ${formatMillis(importMs)} (TypeScript compiled on load by tsx); first init → log → finish ` +
      `${formatMillis(cold.total)} (init ${formatMillis(cold.init)}, log ${formatMillis(cold.log)}, finish ${formatMillis(cold.finish)})`,
  );

  const warm: Lifecycle[] = [];
  const floor: number[] = [];
  const floorWithFsync: number[] = [];
  for (let i = 0; i < REPETITIONS; i++) {
    warm.push(await lifecycle(dir));
    floor.push(fsFloor(dir, i, false));
    floorWithFsync.push(fsFloor(dir, i, true));
  }

  const totals = warm.map((w) => w.total);
  const { median, p95 } = medianAndP95(totals);
  const floorMedian = medianAndP95(floor).median;
  console.log(phaseLine('init → log → finish', totals));
  console.log(phaseLine('  of which init()', warm.map((w) => w.init)));
  console.log(phaseLine('  of which log()', warm.map((w) => w.log)));
  console.log(phaseLine('  of which finish()', warm.map((w) => w.finish)));
  console.log(phaseLine('fs floor', floor) + '   (mkdir + open + write + close)');
  console.log(phaseLine('fs floor + fsync', floorWithFsync) + '   (finish() fsyncs the log)');
  console.log(
    `init → log → finish median ${formatMillis(median)}  p95 ${formatMillis(p95)} | fs floor median ${formatMillis(floorMedian)}` +
      ` | ratio ${formatRatio(median, floorMedian)}`,
  );
  console.log(`target: median ≤ ${TARGET_MS} ms: ${verdict(median, TARGET_MS)} | p95 ≤ ${TARGET_MS} ms: ${verdict(p95, TARGET_MS)}`);

  reportResult({
    importMs,
    coldMs: cold,
    warmMs: {
      total: medianAndP95(totals),
      init: medianAndP95(warm.map((w) => w.init)),
      log: medianAndP95(warm.map((w) => w.log)),
      finish: medianAndP95(warm.map((w) => w.finish)),
    },
    fsFloorMs: medianAndP95(floor),
    fsFloorWithFsyncMs: medianAndP95(floorWithFsync),
    ratioMedian: median / floorMedian,
    targets: { median: verdict(median, TARGET_MS), p95: verdict(p95, TARGET_MS) },
  });
} finally {
  removeTempDir(dir);
}
