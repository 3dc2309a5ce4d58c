/**
 * A live panel's cost per update: a chart of 20 finished runs × 100,000 steps and one running
 * run, drawn at 1,000 buckets, while the running run gets 250 more steps before each update
 * (a second of a loop logging every 4 ms). Each round times, over HTTP against the real
 * server, both ways of bringing the panel up to date, in alternating order:
 *
 *   - baseline: the whole panel asked for again (what the dashboard did before live-update.ts;
 *     the finished runs answered from the server's kept answers);
 *   - live update: the running run's tail and its count (packages/web/src/lib/live-update.ts).
 *
 * Printed: bytes over the wire and time until the answer is unpacked (p50, p95 of 40 rounds),
 * with their ratios. Both answers must hold every point of the running run and the same last
 * point and extremes, or the benchmark fails. Never fails on timing.
 *
 *     node --conditions=source --import tsx bench/live-update.ts
 */
import path from 'node:path';
import { apiPaths, type SeriesRequest } from '@cairn/protocol';
import { startServer, type RunningServer } from '@cairn/server';
import { BUCKET_STRIDE, bucketCount, bucketExtent, COUNT, lastBucketY } from '../packages/web/src/lib/buckets.js';
import { liveUpdate, type UpdateReport } from '../packages/web/src/lib/live-update.js';
import { queryPanel, type PanelAnswer, type PanelQuery } from '../packages/web/src/lib/panel-query.js';
import { decodeSeries, type SeriesAnswer } from '../packages/web/src/lib/series-binary.js';
import { machineLine, makeTempDir, removeTempDir, reportResult } from './lib/harness.js';
import { formatMillis, quantile } from './lib/stats.js';

const FINISHED_RUNS = 20;
const FINISHED_STEPS = 100_000;
const LIVE_START_STEPS = 20_000;
const STEPS_PER_ROUND = 250;
const WARMUP_ROUNDS = 3;
const ROUNDS = 40;
const BUCKETS = 1000;
const ROWS_PER_BATCH = 10_000;
const KEY = 'loss';
const ENTITY = 'bench';
const PROJECT = 'live';

function lossValue(step: number, seed: number): number {
  return 2.3 / (1 + step * 1e-4) + Math.sin(step * 0.7 + seed) * 0.05 + (step % 4099 === seed ? 1 : 0);
}

/** Writes steps [from, to) of a run into the store, as the ingest route would. */
class BenchRun {
  private index = 0;
  steps = 0;

  constructor(
    private readonly server: RunningServer,
    readonly id: string,
    private readonly seed: number,
  ) {}

  get ref() {
    return { entity: ENTITY, project: PROJECT, id: this.id };
  }

  async grow(to: number): Promise<void> {
    for (let offset = this.steps; offset < to; offset += ROWS_PER_BATCH) {
      const records: Array<Record<string, unknown>> = [];
      if (this.index === 0) {
        records.push({ t: 'header', version: 1, writer: 'bench', writerId: 'w', pid: process.pid, time: 1.7e9 });
        records.push({ t: 'run', id: this.id, project: PROJECT, entity: ENTITY, name: this.id, group: null, jobType: null, tags: [], notes: null, startTime: 1.7e9, startingStep: 0, resumed: false, sweepId: null, mode: 'online' });
      }
      for (let step = offset; step < Math.min(to, offset + ROWS_PER_BATCH); step++) records.push({ t: 'history', row: { [KEY]: lossValue(step, this.seed), _step: step } });
      await this.server.store.applyBatch(this.ref, 'w', this.index, records);
      this.index += records.length;
    }
    this.steps = to;
  }
}

/** The dashboard's binary series fetch, counting the bytes of each answer. */
function client(url: string) {
  const counter = { bytes: 0 };
  const fetchSeries = async (request: SeriesRequest): Promise<SeriesAnswer> => {
    const response = await fetch(`${url}${apiPaths.series()}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...request, format: 'binary' }) });
    if (!response.ok) throw new Error(`series: ${response.status} ${await response.text()}`);
    const body = await response.arrayBuffer();
    counter.bytes += body.byteLength;
    return decodeSeries(body, request);
  };
  return { counter, fetchSeries };
}

/** What both answers must agree on about the running run: its points, last value and extent. */
function liveFacts(answer: PanelAnswer, id: string) {
  const buckets = answer.series.series.find((s) => s.run.id === id)!.buckets;
  let points = 0;
  for (let k = 0; k < bucketCount(buckets); k++) points += buckets[k * BUCKET_STRIDE + COUNT]!;
  return { points, last: lastBucketY(buckets), extent: bucketExtent(buckets) };
}

async function main(): Promise<void> {
  console.log(`live-update: ${machineLine()}`);
  const dir = makeTempDir('live-update');
  const server = await startServer({ port: 0, dataDir: path.join(dir, 'server'), quiet: true });
  try {
    const finished = Array.from({ length: FINISHED_RUNS }, (_, i) => new BenchRun(server, `done${i}`, i + 1));
    for (const run of finished) await run.grow(FINISHED_STEPS);
    const live = new BenchRun(server, 'live', 0);
    await live.grow(LIVE_START_STEPS);
    const query: PanelQuery = { runs: [...finished, live].map((run) => run.ref), key: KEY, x: '_step', buckets: BUCKETS, zoom: undefined, shared: false };

    const whole = client(server.url);
    const tails = client(server.url);
    let held = await queryPanel(tails.fetchSeries, query);
    const samples = { wholeMs: [] as number[], wholeBytes: [] as number[], tailMs: [] as number[], tailBytes: [] as number[] };
    let respread = 0;
    for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
      await live.grow(live.steps + STEPS_PER_ROUND);
      const timeWhole = async () => {
        whole.counter.bytes = 0;
        const start = performance.now();
        const answer = await queryPanel(whole.fetchSeries, query);
        return { answer, ms: performance.now() - start, bytes: whole.counter.bytes };
      };
      const timeTail = async () => {
        tails.counter.bytes = 0;
        const report: UpdateReport = { tails: [], whole: [], full: false };
        const start = performance.now();
        const answer = await liveUpdate(tails.fetchSeries, query, held, new Set(['live']), undefined, report);
        if (report.whole.length > 0) respread++;
        return { answer, ms: performance.now() - start, bytes: tails.counter.bytes };
      };
      const [a, b] = round % 2 === 0 ? [await timeWhole(), await timeTail()] : await timeTail().then(async (tail) => [await timeWhole(), tail] as const);
      held = b.answer;
      const expected = liveFacts(a.answer, 'live');
      const got = liveFacts(b.answer, 'live');
      if (expected.points !== live.steps || JSON.stringify(got) !== JSON.stringify(expected)) {
        throw new Error(`round ${round}: the live update holds ${JSON.stringify(got)}, the whole panel ${JSON.stringify(expected)} (${live.steps} steps written)`);
      }
      if (round < WARMUP_ROUNDS) continue;
      samples.wholeMs.push(a.ms);
      samples.wholeBytes.push(a.bytes);
      samples.tailMs.push(b.ms);
      samples.tailBytes.push(b.bytes);
    }

    const sorted = (values: number[]) => Float64Array.from(values).sort();
    const p = (values: number[], q: number) => quantile(sorted(values), q);
    const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
    console.log(`\n${FINISHED_RUNS} finished runs × ${FINISHED_STEPS.toLocaleString('en-US')} steps and one running run from ${LIVE_START_STEPS.toLocaleString('en-US')} steps, +${STEPS_PER_ROUND} steps a round, ${BUCKETS} buckets, ${ROUNDS} rounds:`);
    console.log(`  whole panel again (baseline):  p50 ${formatMillis(p(samples.wholeMs, 0.5))}, p95 ${formatMillis(p(samples.wholeMs, 0.95))}, ${kib(p(samples.wholeBytes, 0.5))} an update`);
    console.log(`  live update (tail + count):    p50 ${formatMillis(p(samples.tailMs, 0.5))}, p95 ${formatMillis(p(samples.tailMs, 0.95))}, ${kib(p(samples.tailBytes, 0.5))} an update (the running run spread anew in ${respread} of ${WARMUP_ROUNDS + ROUNDS} rounds)`);
    console.log(`  ratio live/baseline:           time ${(p(samples.tailMs, 0.5) / p(samples.wholeMs, 0.5)).toFixed(3)}, bytes ${(p(samples.tailBytes, 0.5) / p(samples.wholeBytes, 0.5)).toFixed(4)}`);
    reportResult({
      wholeP50Ms: p(samples.wholeMs, 0.5),
      wholeBytes: p(samples.wholeBytes, 0.5),
      liveP50Ms: p(samples.tailMs, 0.5),
      liveBytes: p(samples.tailBytes, 0.5),
      respread,
    });
  } finally {
    await server.close();
    removeTempDir(dir);
  }
}

await main();
