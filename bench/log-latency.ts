/**
 * log() latency: per-call p50/p99/p99.9/max/mean of `run.log()` with a 10-key scalar row,
 * against a floor measured in the same process (the same ten values appended to
 * preallocated Float64Arrays), and the amortised throughput of an untimed loop that
 * includes serialising the batches to disk. Prints figures; never fails on timing.
 *
 *     node --conditions=source --import tsx bench/log-latency.ts
 */
import { init } from '@cairn/sdk';
import {
  exposedGc, machineLine, makeTempDir, removeTempDir, reportResult, ROW_KEYS, scalarRow, timerOverheadNs, verdict,
  type ScalarRow,
} from './lib/harness.js';
import { formatMicros, formatRate, formatRatio, latencyStats, type LatencyStats } from './lib/stats.js';

const WARMUP_CALLS = 50_000;
const TIMED_CALLS = 200_000;
const THROUGHPUT_CALLS = 1_000_000;
const TARGET_P50_NS = 1_000;
const TARGET_P99_NS = 20_000;
/** A per-call sample this slow is a stall (a batch write, a GC pause), counted separately. */
const STALL_NS = 1_000_000;

/** The floor: the row's ten values stored into preallocated columns, the least a logger can do. */
class ColumnFloor {
  private readonly columns: Float64Array[];
  private length = 0;

  constructor(private readonly capacity: number) {
    this.columns = ROW_KEYS.map(() => new Float64Array(capacity));
  }

  append(row: ScalarRow): void {
    const index = this.length++ % this.capacity;
    for (let k = 0; k < ROW_KEYS.length; k++) this.columns[k]![index] = row[ROW_KEYS[k]!];
  }
}

/** Times each call of `record` on its own; the row is built before the clock starts. */
function sampleLatency(calls: number, firstStep: number, record: (row: ScalarRow) => void): Float64Array {
  const samples = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const row = scalarRow(firstStep + i);
    const t0 = process.hrtime.bigint();
    record(row);
    const t1 = process.hrtime.bigint();
    samples[i] = Number(t1 - t0);
  }
  return samples;
}

/** Calls per second of an untimed loop (row construction included), `finish` inside the clock. */
function throughput(calls: number, firstStep: number, record: (row: ScalarRow) => void, finish?: () => void): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) record(scalarRow(firstStep + i));
  finish?.();
  return calls / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** How many samples are at least `ns`, and their share of the total time. */
function stallsOf(samples: Float64Array, ns: number): { count: number; share: number } {
  let count = 0;
  let stalled = 0;
  let total = 0;
  for (let i = 0; i < samples.length; i++) {
    const sample = samples[i]!;
    total += sample;
    if (sample >= ns) {
      count++;
      stalled += sample;
    }
  }
  return { count, share: total > 0 ? stalled / total : 0 };
}

function statsLine(label: string, stats: LatencyStats): string {
  return (
    `${label.padEnd(7)} p50 ${formatMicros(stats.p50)}  p99 ${formatMicros(stats.p99)}  p99.9 ${formatMicros(stats.p999)}` +
    `  max ${formatMicros(stats.max)}  mean ${formatMicros(stats.mean)}`
  );
}

function collectGarbage(): void {
  exposedGc()?.();
}

const dir = makeTempDir('log-latency');
try {
  console.log(`log-latency: run.log() of a ${ROW_KEYS.length}-key scalar row, ${TIMED_CALLS.toLocaleString('en')} timed calls after ${WARMUP_CALLS.toLocaleString('en')} warm-up, one thread`);
  console.log(`machine: ${machineLine()}`);

  const timer = timerOverheadNs();
  console.log(`timer:   process.hrtime.bigint() pair costs ${timer.p50} ns (p99 ${timer.p99} ns); its p50 is subtracted from every per-call figure`);

  const floor = new ColumnFloor(WARMUP_CALLS + TIMED_CALLS);
  const appendToFloor = (row: ScalarRow): void => floor.append(row);
  sampleLatency(WARMUP_CALLS, 0, appendToFloor);
  collectGarbage();
  const floorSamples = sampleLatency(TIMED_CALLS, WARMUP_CALLS, appendToFloor);

  const run = await init({ project: 'bench', dir, mode: 'offline', silent: true });
  const logToRun = (row: ScalarRow): void => run.log(row);
  sampleLatency(WARMUP_CALLS, 0, logToRun);
  collectGarbage();
  const logSamples = sampleLatency(TIMED_CALLS, WARMUP_CALLS, logToRun);

  const floorStats = latencyStats(floorSamples, timer.p50);
  const logStats = latencyStats(logSamples, timer.p50);
  const stalls = stallsOf(logSamples, STALL_NS);
  console.log(statsLine('floor', floorStats) + '   (10 values → preallocated Float64Arrays)');
  console.log(statsLine('log()', logStats) + `   (${stalls.count} of ${TIMED_CALLS.toLocaleString('en')} calls ≥ 1 ms, ${(stalls.share * 100).toFixed(0)}% of log() time)`);
  console.log(
    `log() p50 ${formatMicros(logStats.p50)}  p99 ${formatMicros(logStats.p99)} | floor p50 ${formatMicros(floorStats.p50)}` +
      ` | ratio ${formatRatio(logStats.p50, floorStats.p50)}`,
  );
  console.log(
    `targets: p50 ≤ ${formatMicros(TARGET_P50_NS)}: ${verdict(logStats.p50, TARGET_P50_NS)}` +
      ` | p99 ≤ ${formatMicros(TARGET_P99_NS)}: ${verdict(logStats.p99, TARGET_P99_NS)}`,
  );

  const firstStep = WARMUP_CALLS + TIMED_CALLS;
  const floorRate = throughput(THROUGHPUT_CALLS, firstStep, appendToFloor);
  const logRate = throughput(THROUGHPUT_CALLS, firstStep, logToRun, () => run.flush());
  console.log(
    `throughput (${THROUGHPUT_CALLS.toLocaleString('en')} untimed calls, row construction included; log() includes batch writes and a final flush):`,
  );
  console.log(
    `log() ${formatRate(logRate)} calls/s (${formatMicros(1e9 / logRate)}/call) | floor ${formatRate(floorRate)} calls/s` +
      ` (${formatMicros(1e9 / floorRate)}/call) | ratio ${formatRatio(floorRate, logRate)}`,
  );
  console.log("reference: wandb's Python client ~47 µs per call (reference figure, not measured here)");
  await run.finish();

  reportResult({
    timerOverheadNs: timer.p50,
    logNs: logStats,
    floorNs: floorStats,
    ratioP50: logStats.p50 / floorStats.p50,
    stallsAtLeast1ms: stalls,
    throughputCallsPerSecond: { log: logRate, floor: floorRate },
    targets: { p50: verdict(logStats.p50, TARGET_P50_NS), p99: verdict(logStats.p99, TARGET_P99_NS) },
  });
} finally {
  removeTempDir(dir);
}
