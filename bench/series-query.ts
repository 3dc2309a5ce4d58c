/**
 * Series query cost over HTTP: POST /series for 1,000 M4 buckets over the whole range of
 *
 *   1. one run × one key × 1,000,000 steps, and
 *   2. 100 runs × one key × 100,000 steps each, in one query,
 *
 * p50 / p95 of 30 queries after 2 warm-up ones, timed from the request until the client holds
 * the parsed answer, against the same answer computed in the same run by a raw full scan: the
 * series' chunk blobs read from the database by a plain SELECT, every point decoded and
 * bucketed (min, max, first, last per bucket). The two answers must be equal, or the figures
 * would compare different work, and the benchmark fails. The data is ingested in-process
 * through store.applyBatch (batches of 10,000 rows), which is not what is timed.
 * SQLite, then PostgreSQL when CAIRN_TEST_POSTGRES_URL names a server (case 2 scaled down to
 * 100 runs × 10,000 steps there: each query over 10,000,000 points would take seconds). A
 * case that would start after TIME_BUDGET_S is skipped, loudly: run-all stops a benchmark
 * at 5 minutes, and a loaded machine can take that long.
 * Prints figures; never fails on timing.
 *
 *     node --conditions=source --import tsx bench/series-query.ts
 */
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { apiPaths, decodeSeriesBinary, readSeriesBinary, type M4Bucket, type SeriesRequest, type SeriesResponse } from '@cairn/protocol';
import { startServer, type RunningServer } from '@cairn/server';
import { querySeriesBinary } from '../packages/server/src/query/series-query.js';
import { m4Columns } from '../packages/server/src/series/m4.js';
import { decodeChunk } from '../packages/server/src/series/series-chunk.js';
import { machineLine, makeTempDir, removeTempDir, reportResult } from './lib/harness.js';
import { databaseUrl, dropDatabase } from './lib/postgres.js';
import { formatMillis, formatRate, quantile } from './lib/stats.js';

const BUCKETS = 1000;
const WARMUP_QUERIES = 2;
const TIMED_QUERIES = 30;
/** The in-process query and the full scan are context, not the figure: fewer repeats. */
const IN_PROCESS_QUERIES = 5;
const SCAN_REPEATS = 3;
const ROWS_PER_BATCH = 10_000;
/** Seconds after which no further case starts (run-all.ts kills a benchmark at 300 s). */
const TIME_BUDGET_S = 170;
const started = performance.now();
const KEY = 'loss';
const ENTITY = 'bench';
const PROJECT = 'series';

interface Case {
  name: string;
  runs: number;
  steps: number;
  targetP95Ms: number;
  /** Why the case is smaller than the issue's, when it is. */
  scaledDown?: string;
}

const ONE_RUN: Case = { name: '1 run × 1,000,000 steps', runs: 1, steps: 1_000_000, targetP95Ms: 25 };
const MANY_RUNS: Case = { name: '100 runs × 100,000 steps', runs: 100, steps: 100_000, targetP95Ms: 250 };
const MANY_RUNS_POSTGRES: Case = {
  name: '100 runs × 10,000 steps',
  runs: 100,
  steps: 10_000,
  targetP95Ms: 250,
  scaledDown: 'SCALED DOWN from 100 runs × 100,000 steps: one such query takes several seconds through PostgreSQL here, so 30 of them would take minutes',
};

// ── ingest (not timed against anything) ─────────────────────────────────────

/** A loss-like curve: decaying, noisy, deterministic, different per seed. */
function lossValue(step: number, noise: number): number {
  return 2.3 / (1 + step * 1e-4) + (noise / 2 ** 32 - 0.5) * 0.05;
}

async function ingestRun(server: RunningServer, id: string, steps: number, seed: number): Promise<void> {
  const key = { entity: ENTITY, project: PROJECT, id };
  let noise = (0x2545f491 + seed * 7919) >>> 0;
  let index = 0;
  for (let offset = 0; offset < steps; offset += ROWS_PER_BATCH) {
    const records: Array<Record<string, unknown>> = [];
    if (offset === 0) {
      records.push({ t: 'header', version: 1, writer: 'bench', writerId: 'w', pid: process.pid, time: 1.7e9 });
      records.push({
        t: 'run', id, project: PROJECT, entity: ENTITY, name: id, group: null, jobType: null, tags: [], notes: null,
        startTime: 1.7e9, startingStep: 0, resumed: false, sweepId: null, mode: 'online',
      });
    }
    for (let step = offset; step < Math.min(steps, offset + ROWS_PER_BATCH); step++) {
      noise = (Math.imul(noise, 1103515245) + 12345) >>> 0;
      records.push({ t: 'history', row: { [KEY]: lossValue(step, noise), _step: step } });
    }
    await server.store.applyBatch(key, 'w', index, records);
    index += records.length;
  }
}

// ── the raw full scan: every chunk read and decoded, every point bucketed ───

/** Reads the blobs of one series, in step order. */
type BlobReader = (runPk: number) => Promise<Uint8Array[]>;

/**
 * M4 of one series by reading every point: the same bucket rule as the server's m4()
 * (floor((x − from) / width), clamped) and the same ties (the first point of an extreme).
 */
function fullScanM4(blobs: Uint8Array[], buckets: number): Array<M4Bucket | null> {
  const chunks = blobs.map((data) => {
    // decodeChunk checks the header against the row's count; the scan trusts the blob's own.
    const count = new DataView(data.buffer, data.byteOffset, 8).getUint32(4, true);
    return decodeChunk({ firstStep: 0, lastStep: 0, count, min: 0, max: 0, first: 0, last: 0, data });
  });
  if (chunks.length === 0) return [];
  const from = chunks[0]!.steps[0]!;
  const lastSteps = chunks[chunks.length - 1]!.steps;
  const to = lastSteps[lastSteps.length - 1]!;
  const width = (to - from) / buckets;
  const counts = new Float64Array(buckets);
  const state = new Float64Array(8 * buckets); // per bucket: firstX, firstY, lastX, lastY, minX, minY, maxX, maxY
  for (const { steps, values } of chunks) {
    for (let i = 0; i < steps.length; i++) {
      const x = steps[i]!;
      const y = values[i]!;
      const q = Math.floor((x - from) / width);
      const k = q >= buckets - 1 ? buckets - 1 : q >= 0 ? q : 0;
      const at = 8 * k;
      if (counts[k] === 0) {
        state[at] = x;
        state[at + 1] = y;
        state[at + 4] = x;
        state[at + 5] = y;
        state[at + 6] = x;
        state[at + 7] = y;
      } else {
        if (y < state[at + 5]!) {
          state[at + 4] = x;
          state[at + 5] = y;
        }
        if (y > state[at + 7]!) {
          state[at + 6] = x;
          state[at + 7] = y;
        }
      }
      state[at + 2] = x;
      state[at + 3] = y;
      counts[k]!++;
    }
  }
  return Array.from({ length: buckets }, (_, k) => {
    const at = 8 * k;
    return counts[k] === 0 ? null : {
      count: counts[k]!,
      first: [state[at]!, state[at + 1]!] as [number, number],
      last: [state[at + 2]!, state[at + 3]!] as [number, number],
      min: [state[at + 4]!, state[at + 5]!] as [number, number],
      max: [state[at + 6]!, state[at + 7]!] as [number, number],
    };
  });
}

async function fullScan(read: BlobReader, runPks: number[]): Promise<{ answer: Array<Array<M4Bucket | null>>; readMs: number; computeMs: number }> {
  let readMs = 0;
  let computeMs = 0;
  const answer: Array<Array<M4Bucket | null>> = [];
  for (const pk of runPks) {
    const t0 = performance.now();
    const blobs = await read(pk);
    const t1 = performance.now();
    answer.push(fullScanM4(blobs, BUCKETS));
    readMs += t1 - t0;
    computeMs += performance.now() - t1;
  }
  return { answer, readMs, computeMs };
}

// ── timing ──────────────────────────────────────────────────────────────────

interface Spread {
  p50: number;
  p95: number;
}

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95) };
}

const show = (s: Spread): string => `p50 ${formatMillis(s.p50).padStart(8)}  p95 ${formatMillis(s.p95).padStart(8)}`;

/**
 * Lets the event loop run its timers before a query (untimed). Ingest, and the in-process
 * queries and scans on SQLite, block the loop for seconds; the server's keep-alive timer for
 * the idle connection then fires only after, in the same turn as the next fetch picks that
 * connection: ECONNRESET.
 */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 50));
}

async function postSeries(server: RunningServer, request: SeriesRequest): Promise<{ totalMs: number; parseMs: number; bytes: number; answer: SeriesResponse }> {
  const start = performance.now();
  const response = await fetch(`${server.url}${apiPaths.series()}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  if (request.format === 'binary' && response.ok) {
    // A binary answer is parsed once unpacked into one Float64Array of bucket columns per
    // series (readSeriesBinary): the dashboard reads the columns from there. Decoding it into
    // bucket objects (for the equality check) is timed apart, as parseMs.
    const body = await response.arrayBuffer();
    readSeriesBinary(body, request.runs.length * request.keys.length);
    const received = performance.now();
    const answer = decodeSeriesBinary(body, request);
    const end = performance.now();
    return { totalMs: received - start, parseMs: end - received, bytes: body.byteLength, answer };
  }
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${apiPaths.series()}: HTTP ${response.status} ${text.slice(0, 300)}`);
  const received = performance.now();
  const answer = JSON.parse(text) as SeriesResponse;
  const end = performance.now();
  return { totalMs: end - start, parseMs: end - received, bytes: Buffer.byteLength(text), answer };
}

async function timeCase(engine: string, server: RunningServer, read: BlobReader, c: Case, runIds: string[]): Promise<Record<string, unknown>> {
  const request: SeriesRequest = { runs: runIds.map((id) => ({ entity: ENTITY, project: PROJECT, id })), keys: [KEY], buckets: BUCKETS };
  const runPks: number[] = [];
  for (const id of runIds) runPks.push((await server.store.runPk({ entity: ENTITY, project: PROJECT, id }))!);

  // The same query without HTTP (querySeriesBinary: the store's reads, m4 and the answer's bytes), then its
  // parts apart as query/series-query.ts does them: one lookup of the runs, one read of their
  // chunks (chunk lists and data from memory once warm, keyed by the versions just read), m4 per run.
  const inProcess: number[] = [];
  const lookups: number[] = [];
  const selects: number[] = [];
  const m4s: number[] = [];
  let blobBytes = 0;
  const timeInProcess = async (): Promise<void> => {
    server.store.series.forgetAnswers();
    const start = performance.now();
    await querySeriesBinary(server.store, request);
    inProcess.push(performance.now() - start);
    let lookupMs = 0;
    let selectMs = 0;
    let m4Ms = 0;
    blobBytes = 0;
    const lookupStart = performance.now();
    const refs = (await server.store.runRefs(runIds.map((id) => ({ entity: ENTITY, project: PROJECT, id })))).map((ref) => ref!);
    const t0 = performance.now();
    lookupMs += t0 - lookupStart;
    const versions = new Map(refs.map((ref) => [ref.pk, ref.historyRows]));
    const chunksByRun = await server.store.series.chunks(refs.map((ref) => ref.pk), KEY, undefined, undefined, versions);
    const t1 = performance.now();
    selectMs += t1 - t0;
    for (const chunks of chunksByRun.values()) {
      m4Columns(chunks, chunks[0]!.firstStep, chunks[chunks.length - 1]!.lastStep, BUCKETS);
      for (const chunk of chunks) blobBytes += chunk.data.byteLength;
    }
    m4Ms += performance.now() - t1;
    lookups.push(lookupMs);
    selects.push(selectMs);
    m4s.push(m4Ms);
  };
  const scans: number[] = [];
  let scanRead = 0;
  let scanCompute = 0;
  let scanned: Awaited<ReturnType<typeof fullScan>> | undefined;
  const timeScan = async (): Promise<void> => {
    const start = performance.now();
    scanned = await fullScan(read, runPks);
    scans.push(performance.now() - start);
    scanRead += scanned.readMs;
    scanCompute += scanned.computeMs;
  };

  await settle();
  for (let i = 0; i < WARMUP_QUERIES; i++) await postSeries(server, request);
  const totals: number[] = [];
  const parses: number[] = [];
  let last: Awaited<ReturnType<typeof postSeries>> | undefined;
  // The in-process queries and the scans are spread among the HTTP ones, so that all three
  // sample the same moments of a noisy machine.
  // Each timed query computes its answer (chunk data in memory, as warm): the server's kept
  // answers are dropped before it. A repeated query answered from them is timed apart below.
  for (let i = 0; i < TIMED_QUERIES; i++) {
    server.store.series.forgetAnswers();
    last = await postSeries(server, request);
    totals.push(last.totalMs);
    parses.push(last.parseMs);
    if (i % Math.floor(TIMED_QUERIES / IN_PROCESS_QUERIES) === 0) await timeInProcess();
    if (i % Math.floor(TIMED_QUERIES / SCAN_REPEATS) === 0) await timeScan();
    await settle();
  }
  if (!isDeepStrictEqual(last!.answer.series.map((s) => s.buckets), scanned!.answer)) {
    throw new Error(`${engine}, ${c.name}: the server's buckets and the full scan's differ; a bug, not a timing`);
  }

  // The same query with the binary answer (what a chart of many runs asks for).
  const binaryRequest: SeriesRequest = { ...request, format: 'binary' };
  const binaryTotals: number[] = [];
  const binaryDecodes: number[] = [];
  let binaryLast: Awaited<ReturnType<typeof postSeries>> | undefined;
  for (let i = 0; i < TIMED_QUERIES; i++) {
    server.store.series.forgetAnswers();
    binaryLast = await postSeries(server, binaryRequest);
    binaryTotals.push(binaryLast.totalMs);
    binaryDecodes.push(binaryLast.parseMs);
    await settle();
  }
  if (!isDeepStrictEqual(binaryLast!.answer.series.map((s) => s.buckets), scanned!.answer)) {
    throw new Error(`${engine}, ${c.name}: the binary answer and the full scan's differ; a bug, not a timing`);
  }
  const binary = spread(binaryTotals);
  // The same binary query repeated, answered from the answers the server kept (a chart opened
  // again over runs that got no rows since).
  const keptTotals: number[] = [];
  await postSeries(server, binaryRequest);
  for (let i = 0; i < TIMED_QUERIES; i++) {
    keptTotals.push((await postSeries(server, binaryRequest)).totalMs);
    await settle();
  }
  const kept = spread(keptTotals);

  const http = spread(totals);
  const scan = spread(scans);
  const points = c.runs * c.steps;
  console.log(`${engine}, ${c.name} (${points.toLocaleString('en-US')} points) → ${c.runs === 1 ? '' : `${c.runs} × `}${BUCKETS} buckets, ${TIMED_QUERIES} queries:`);
  if (c.scaledDown) console.log(`  ${c.scaledDown}`);
  console.log(`  POST /series, until parsed   ${show(http)}   (JSON.parse alone p50 ${formatMillis(spread(parses).p50)}; answer ${(last!.bytes / 1024).toFixed(0)} KB)`);
  console.log(`  POST /series, binary answer  ${show(binary)}   (until unpacked into bucket columns, as the dashboard reads it; answer ${(binaryLast!.bytes / 1024).toFixed(0)} KB;`
    + ` decoding it into bucket objects, not counted: p50 ${formatMillis(spread(binaryDecodes).p50)})`);
  console.log(`  the same, repeated            ${show(kept)}   (answered from the M4 answers the server kept; every query above computed its own)`);
  console.log(`  querySeriesBinary in-process ${show(spread(inProcess))}   (${IN_PROCESS_QUERIES} queries, no HTTP), of which:`);
  console.log(`    store.runRefs              ${show(spread(lookups))}   (one query for ${c.runs} run${c.runs === 1 ? '' : 's'}: keys and versions)`);
  console.log(`    store.series.chunks        ${show(spread(selects))}   (chunk lists and ${(blobBytes / 2 ** 20).toFixed(1)} MB of chunk data, from memory once warm)`);
  console.log(`    m4 over those chunks       ${show(spread(m4s))}`);
  const overhead = http.p50 - spread(inProcess).p50;
  console.log(`  HTTP + JSON, by difference   p50 ${(overhead > 0 ? formatMillis(overhead) : '≈ 0').padStart(8)}                 (bucket objects, stringify, send, receive, parse)`);
  console.log(
    `  raw full scan                ${show(scan)}   (${SCAN_REPEATS} times; read blobs ${formatMillis(scanRead / SCAN_REPEATS)}, decode + bucket every point`
    + ` ${formatMillis(scanCompute / SCAN_REPEATS)}; ${formatRate(points / (scan.p50 / 1000))} points/s)`,
  );
  console.log(
    `  ratio query / full scan (p50) json ${(http.p50 / scan.p50).toFixed(3)}, binary ${(binary.p50 / scan.p50).toFixed(3)}`
    + ` | target p95 ≤ ${formatMillis(c.targetP95Ms)}: json ${http.p95 <= c.targetP95Ms ? 'met' : 'missed'}, binary ${binary.p95 <= c.targetP95Ms ? 'met' : 'missed'}`
    + `${c.scaledDown ? ' (on the scaled-down case)' : ''}`,
  );
  return {
    runs: c.runs, steps: c.steps, scaledDown: c.scaledDown ?? null, httpMs: http, parseMs: spread(parses), answerBytes: last!.bytes,
    binaryMs: binary, keptBinaryMs: kept, inProcessMs: spread(inProcess), lookupsMs: spread(lookups), seriesChunksMs: spread(selects), m4Ms: spread(m4s), blobBytesPerQuery: blobBytes, fullScanMs: scan, fullScanReadMs: scanRead / SCAN_REPEATS, ratio: http.p50 / scan.p50,
    met: http.p95 <= c.targetP95Ms,
  };
}

async function benchEngine(engine: string, server: RunningServer, read: BlobReader, cases: Case[]): Promise<Record<string, unknown>> {
  const figures: Record<string, unknown> = {};
  for (const c of cases) {
    const elapsedS = (performance.now() - started) / 1000;
    if (elapsedS > TIME_BUDGET_S) {
      console.log(`\n${engine}, ${c.name}: SKIPPED, the benchmark has run ${elapsedS.toFixed(0)} s (budget ${TIME_BUDGET_S} s; the machine is slow or busy)`);
      figures[c.name] = { skipped: `time budget: ${elapsedS.toFixed(0)} s elapsed` };
      continue;
    }
    const start = performance.now();
    const runIds = Array.from({ length: c.runs }, (_, r) => `${c.runs}x${c.steps}-${r}`);
    for (const [r, id] of runIds.entries()) await ingestRun(server, id, c.steps, r);
    const ingestMs = performance.now() - start;
    console.log(`\n(ingest through store.applyBatch: ${(ingestMs / 1000).toFixed(1)} s, ${formatRate((c.runs * c.steps) / (ingestMs / 1000))} points/s; not the figure)`);
    figures[c.name] = { ingestMs, ...(await timeCase(engine, server, read, c, runIds)) };
  }
  return figures;
}

async function benchSqlite(dir: string): Promise<Record<string, unknown>> {
  const server = await startServer({ port: 0, dataDir: dir, quiet: true });
  // A second connection to the same file, as any reader of the database would open one.
  const reader = new BetterSqlite3(path.join(dir, 'cairn.sqlite'), { readonly: true });
  try {
    const select = reader.prepare('SELECT data FROM series_chunks WHERE run_pk = ? AND key = ? ORDER BY first_step').pluck();
    const read: BlobReader = async (pk) => select.all(pk, KEY) as Uint8Array[];
    return await benchEngine('SQLite', server, read, [ONE_RUN, MANY_RUNS]);
  } finally {
    reader.close();
    await server.close();
  }
}

async function benchPostgres(adminUrl: string, dir: string): Promise<Record<string, unknown>> {
  const name = `cairn_bench_series_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = databaseUrl(adminUrl, name);
  let server: RunningServer | undefined;
  const client = new pg.Client({ connectionString: url });
  try {
    server = await startServer({ port: 0, dataDir: dir, db: url, quiet: true });
    await client.connect();
    const read: BlobReader = async (pk) => {
      const result = await client.query<{ data: Buffer }>('SELECT data FROM series_chunks WHERE run_pk = $1 AND key = $2 ORDER BY first_step', [pk, KEY]);
      return result.rows.map((row) => row.data);
    };
    console.log(`\nPostgreSQL (${new URL(adminUrl).host}): the same, the full scan's SELECTs through pg on one connection`);
    return await benchEngine('PostgreSQL', server, read, [ONE_RUN, MANY_RUNS_POSTGRES]);
  } finally {
    await client.end();
    await server?.close();
    await dropDatabase(admin, name);
    await admin.end();
  }
}

// ── main ────────────────────────────────────────────────────────────────────

console.log(machineLine());
const dir = makeTempDir('series-query');
const figures: Record<string, unknown> = { buckets: BUCKETS, queries: TIMED_QUERIES };
try {
  figures.sqlite = await benchSqlite(path.join(dir, 'sqlite'));
  const postgresUrl = process.env.CAIRN_TEST_POSTGRES_URL;
  if (postgresUrl) figures.postgres = await benchPostgres(postgresUrl, path.join(dir, 'postgres'));
  else console.log('\nPostgreSQL: SKIPPED, CAIRN_TEST_POSTGRES_URL is not set (export CAIRN_TEST_POSTGRES_URL=$(bash scripts/start-postgres.sh 55440) to include it)');
} finally {
  removeTempDir(dir);
}
console.log(`\n(${((performance.now() - started) / 1000).toFixed(0)} s; machine at the end: ${machineLine()})`);
reportResult(figures);
