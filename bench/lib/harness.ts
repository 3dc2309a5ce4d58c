/**
 * What every benchmark shares: the logged row, a temp directory, the timer's own cost, the
 * machine line, and the hand-off of figures to run-all.ts (a JSON file named by an
 * environment variable, so a benchmark run on its own prints and nothing else).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { quantile } from './stats.js';

/** run-all.ts sets this to the file a benchmark writes its figures to. */
export const RESULT_FILE_ENV = 'CAIRN_BENCH_RESULT';

/** The keys of the benchmark row: a typical training step's scalars. */
export const ROW_KEYS = [
  'loss', 'acc', 'lr', 'grad_norm', 'val_loss', 'val_acc', 'perplexity', 'tokens_per_s', 'momentum', 'weight_decay',
] as const;

export type ScalarRow = Record<(typeof ROW_KEYS)[number], number>;

/** A fresh 10-key row of changing, non-integer floats, as a training loop would log at step `i`. */
export function scalarRow(i: number): ScalarRow {
  const x = 0.5 + i * 1e-4;
  return {
    loss: 2.3 / (1 + x),
    acc: 1 - 0.9 / (1 + x),
    lr: 1e-3 * (1.01 + Math.cos(x)),
    grad_norm: 1.1 + Math.sin(i * 0.37),
    val_loss: 2.5 / (1 + 0.9 * x),
    val_acc: 0.95 - 0.8 / (1 + x),
    perplexity: Math.exp(2.3 / (1 + x)),
    tokens_per_s: 1234.5 + (i % 97) * 0.25,
    momentum: 0.9 + 1e-6 * (i % 13) + 1e-9,
    weight_decay: 1e-4 * (1 + 1 / (1 + x)),
  };
}

/** A new directory under the OS temp dir; pair with removeTempDir in a `finally`. */
export function makeTempDir(name: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `cairn-bench-${name}-`));
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * The cost of one `process.hrtime.bigint()` reading, as seen between two back-to-back
 * readings: what a per-call sample carries on top of the code it times.
 */
export function timerOverheadNs(pairs = 200_000): { p50: number; p99: number } {
  const samples = new Float64Array(pairs);
  for (let i = 0; i < pairs; i++) {
    const t0 = process.hrtime.bigint();
    const t1 = process.hrtime.bigint();
    samples[i] = Number(t1 - t0);
  }
  samples.sort();
  return { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99) };
}

/** Milliseconds since `start` (a `process.hrtime.bigint()` reading). */
export function millisSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** `2 cores (Intel Xeon …), load 1.2 0.8 0.4, node v20.19.0`: enough to judge a figure's noise. */
export function machineLine(): string {
  const cpus = os.cpus();
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  return `${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown cpu'}), load ${load}, node ${process.version}, ${os.platform()} ${os.arch()}`;
}

/** `global.gc` when the process runs with --expose-gc. */
export function exposedGc(): (() => void) | undefined {
  return (globalThis as { gc?: () => void }).gc;
}

/** `met` or `missed`: printed beside a figure, never asserted. */
export function verdict(value: number, limit: number): 'met' | 'missed' {
  return value <= limit ? 'met' : 'missed';
}

/** Hands this benchmark's figures to run-all.ts, when it is the one running us. */
export function reportResult(figures: object): void {
  const file = process.env[RESULT_FILE_ENV];
  if (file) writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
}
