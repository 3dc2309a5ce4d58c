/**
 * Memory under 1,000,000 log() calls: rss and heapUsed every 100,000 calls (after a full GC
 * when run with --expose-gc, as run-all.ts does), and the growth of heapUsed from the
 * 100,000th call to the last. The baseline, measured in the same run, is the same loop
 * appending each row to a bounded ring buffer of plain objects (bounded memory by design).
 *
 *     node --expose-gc --conditions=source --import tsx bench/log-memory.ts
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { init } from '@cairn/sdk';
import { exposedGc, machineLine, makeTempDir, removeTempDir, reportResult, scalarRow, verdict, type ScalarRow } from './lib/harness.js';
import { formatMegabytes } from './lib/stats.js';

const CALLS = 1_000_000;
const SAMPLE_EVERY = 100_000;
/** The same capacity as the record writer's in-memory batch. */
const RING_CAPACITY = 4096;
/** "A few MB": growth of heapUsed from the first sample to the last that still counts as flat. */
const FLAT_LIMIT_BYTES = 4 * 2 ** 20;

interface MemorySample {
  calls: number;
  rss: number;
  heapUsed: number;
}

function sampleMemory(calls: number): MemorySample {
  exposedGc()?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { calls, rss, heapUsed };
}

/** Runs `record` CALLS times, sampling memory every SAMPLE_EVERY calls. */
function measure(record: (row: ScalarRow) => void): MemorySample[] {
  const samples: MemorySample[] = [];
  for (let i = 1; i <= CALLS; i++) {
    record(scalarRow(i));
    if (i % SAMPLE_EVERY === 0) samples.push(sampleMemory(i));
  }
  return samples;
}

/** heapUsed at the last sample minus heapUsed at the first (the 100,000th call). */
function growth(samples: MemorySample[]): number {
  return samples[samples.length - 1]!.heapUsed - samples[0]!.heapUsed;
}

function bytesOnDisk(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

const dir = makeTempDir('log-memory');
try {
  console.log(`log-memory: ${CALLS.toLocaleString('en')} calls, rss and heapUsed every ${SAMPLE_EVERY.toLocaleString('en')}`);
  console.log(`machine: ${machineLine()}`);
  if (!exposedGc()) console.log('note: run without --expose-gc, so heapUsed includes garbage not yet collected');

  const ring = new Array<ScalarRow | undefined>(RING_CAPACITY);
  let ringNext = 0;
  const ringSamples = measure((row) => {
    ring[ringNext] = row;
    ringNext = (ringNext + 1) % RING_CAPACITY;
  });

  const run = await init({ project: 'bench', dir, mode: 'offline', silent: true });
  const logSamples = measure((row) => run.log(row));
  await run.finish();
  const disk = bytesOnDisk(dir);

  console.log(`${'calls'.padStart(9)} | ${'log() rss'.padStart(10)} ${'heapUsed'.padStart(10)} | ${'ring rss'.padStart(10)} ${'heapUsed'.padStart(10)}`);
  for (let i = 0; i < logSamples.length; i++) {
    const log = logSamples[i]!;
    const ringSample = ringSamples[i]!;
    console.log(
      `${log.calls.toLocaleString('en').padStart(9)} | ${formatMegabytes(log.rss).padStart(10)} ${formatMegabytes(log.heapUsed).padStart(10)}` +
        ` | ${formatMegabytes(ringSample.rss).padStart(10)} ${formatMegabytes(ringSample.heapUsed).padStart(10)}`,
    );
  }
  const logGrowth = growth(logSamples);
  const ringGrowth = growth(ringSamples);
  const flat = verdict(logGrowth, FLAT_LIMIT_BYTES) === 'met' ? 'flat' : 'growing';
  console.log(
    `log() heapUsed growth 100k → 1M ${formatMegabytes(logGrowth)} (${flat}) | ring buffer baseline ${formatMegabytes(ringGrowth)}` +
      ` | target: bounded, ≤ ${formatMegabytes(FLAT_LIMIT_BYTES)}: ${verdict(logGrowth, FLAT_LIMIT_BYTES)}`,
  );
  console.log(`on disk: ${formatMegabytes(disk)} for ${CALLS.toLocaleString('en')} rows (${(disk / CALLS).toFixed(0)} bytes/row)`);

  reportResult({
    gcExposed: exposedGc() !== undefined,
    samples: { log: logSamples, ring: ringSamples },
    heapGrowthBytes: { log: logGrowth, ring: ringGrowth },
    verdict: flat,
    bytesOnDisk: disk,
    target: verdict(logGrowth, FLAT_LIMIT_BYTES),
  });
} finally {
  removeTempDir(dir);
}
