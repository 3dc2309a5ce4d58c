/**
 * Ingest throughput, end to end: batches of 1,000 steps × 10 keys POSTed one after another
 * with fetch over 127.0.0.1 to a server started in this process, into SQLite, against two
 * baselines measured in the same run:
 *
 *   - store.applyBatch called in-process with the same records (no HTTP, no log decoding);
 *   - the raw ceiling of the same SQLite layout: better-sqlite3 prepared statements writing,
 *     per batch and in one transaction, one history_chunks row (the rows' JSON) and the
 *     series_chunks rows of its 12 series (10 keys, _runtime, _timestamp: what the store
 *     keeps), their Float64 blobs built by appendPoints from tails kept in memory.
 *
 * The figure is the ratio of throughputs, HTTP / raw. Rounds alternate the writers (each
 * into a fresh run) and the median round of each is compared. PostgreSQL the same when
 * CAIRN_TEST_POSTGRES_URL names a server, its raw baseline a COPY of the same rows into a
 * plain table (through pg-copy-streams, a dev dependency), with an INSERT … SELECT FROM
 * unnest() of them printed beside it. Last, where an HTTP batch's time goes: each in-memory phase timed on
 * its own, the statements applyBatch issues, and a CPU profile of one more HTTP pass.
 * Prints figures; never fails on timing.
 *
 *     node --conditions=source --import tsx bench/ingest.ts
 */
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import BetterSqlite3 from 'better-sqlite3';
import type { KyselyPlugin, RootOperationNode } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import {
  apiPaths,
  decodeJson,
  decodeRecordLog,
  encodeJson,
  encodeRecordLine,
  RECORDS_CONTENT_TYPE,
  RunReplay,
  type IngestResult,
  type RunReplaySnapshot,
} from '@cairn/protocol';
import { migrateToLatest, openDatabase, startServer, Store, type OpenDatabase, type RunningServer } from '@cairn/server';
import { appendPoints, type SeriesChunk } from '../packages/server/src/series/series-chunk.js';
import { collectSeries } from '../packages/server/src/store/series-leaves.js';
import { machineLine, makeTempDir, removeTempDir, reportResult, ROW_KEYS, scalarRow } from './lib/harness.js';
import { databaseUrl, dropDatabase } from './lib/postgres.js';
import { formatMillis, formatRate } from './lib/stats.js';

const STEPS_PER_BATCH = 1000;
const POINTS_PER_BATCH = STEPS_PER_BATCH * ROW_KEYS.length;
/** Batches per pass: 50 × 10,000 points = 500,000 points on SQLite; PostgreSQL is slower here. */
const SQLITE_BATCHES = 50;
const POSTGRES_BATCHES = 20;
const ROUNDS = 3;
const WARMUP_BATCHES = 10;
const TARGET_RATE = 1_000_000;
const TARGET_RATIO = 0.4;
/** What the store keeps a series of: every numeric leaf but _step (the x-axis). */
const SERIES_KEYS = [...ROW_KEYS, '_runtime', '_timestamp'] as const;
const ENTITY = 'bench';
const PROJECT = 'ingest';
const WRITER = 'bench-writer';

type Row = Record<string, number>;
type LogRecord = Record<string, unknown>;

// ── the workload: built once, before any clock starts ───────────────────────

const BATCHES = Math.max(SQLITE_BATCHES, POSTGRES_BATCHES);
const batchRows: Row[][] = [];
const historyRecords: LogRecord[][] = [];
const historyBodies: Buffer[] = [];
for (let b = 0; b < BATCHES; b++) {
  const rows: Row[] = [];
  for (let i = 0; i < STEPS_PER_BATCH; i++) {
    const step = b * STEPS_PER_BATCH + i;
    rows.push({ ...scalarRow(step), _step: step, _runtime: step * 0.05, _timestamp: 1.7e9 + step * 0.05 });
  }
  batchRows.push(rows);
  historyRecords.push(rows.map((row) => ({ t: 'history', row })));
  historyBodies.push(Buffer.from(historyRecords[b]!.map((record) => encodeRecordLine(record, crc32)).join('')));
}

/** The header and run records that open a run's log, as the SDK writes them. */
function openingRecords(id: string): LogRecord[] {
  return [
    { t: 'header', version: 1, writer: 'bench', writerId: WRITER, pid: process.pid, time: 1.7e9 },
    {
      t: 'run', id, project: PROJECT, entity: ENTITY, name: id, group: null, jobType: null, tags: [], notes: null,
      startTime: 1.7e9, startingStep: 0, resumed: false, sweepId: null, mode: 'online',
    },
  ];
}

/** Record index of batch b's first record: the two opening records come before batch 0's rows. */
function firstIndex(b: number): number {
  return b === 0 ? 0 : 2 + b * STEPS_PER_BATCH;
}

function batchRecords(id: string, b: number): LogRecord[] {
  return b === 0 ? [...openingRecords(id), ...historyRecords[0]!] : historyRecords[b]!;
}

function batchBody(id: string, b: number): Buffer {
  if (b > 0) return historyBodies[b]!;
  return Buffer.concat([Buffer.from(openingRecords(id).map((r) => encodeRecordLine(r, crc32)).join('')), historyBodies[0]!]);
}

// ── the writers: each ingests batches [0, count) of one new run, returns milliseconds ──

/**
 * POSTs one batch, once more if the connection was reset before an answer: on a loaded
 * machine the server's keep-alive timer can close an idle connection in the same turn as
 * fetch reuses it. Ingest is idempotent, so the retry is what the SDK's uploader does too.
 */
async function postBatch(url: string, body: Buffer): Promise<Response> {
  const send = () => fetch(url, { method: 'POST', headers: { 'content-type': RECORDS_CONTENT_TYPE }, body });
  try {
    return await send();
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw error;
    return send();
  }
}

async function ingestOverHttp(server: RunningServer, id: string, count: number): Promise<number> {
  const bodies = Array.from({ length: count }, (_, b) => batchBody(id, b));
  const expected = Array.from({ length: count }, (_, b) => batchRecords(id, b).length);
  const start = performance.now();
  for (let b = 0; b < count; b++) {
    const url = `${server.url}${apiPaths.records(ENTITY, PROJECT, id)}?writer=${WRITER}&first=${firstIndex(b)}`;
    const response = await postBatch(url, bodies[b]!);
    const answer = (await response.json()) as IngestResult;
    if (!response.ok || answer.applied !== expected[b]) throw new Error(`batch ${b} of ${id}: HTTP ${response.status} ${JSON.stringify(answer)}`);
  }
  return performance.now() - start;
}

async function ingestInProcess(store: Store, id: string, count: number): Promise<number> {
  const key = { entity: ENTITY, project: PROJECT, id };
  const start = performance.now();
  for (let b = 0; b < count; b++) await store.applyBatch(key, WRITER, firstIndex(b), batchRecords(id, b));
  return performance.now() - start;
}

/** The same SQLite layout written directly: no HTTP, no replay, no query builder. */
class RawSqliteWriter {
  private readonly db: BetterSqlite3.Database;
  private readonly insertRun: BetterSqlite3.Statement;
  private readonly insertHistory: BetterSqlite3.Statement;
  private readonly upsertChunk: BetterSqlite3.Statement;
  /** Milliseconds spent in each part of write(), over every call so far. */
  readonly split = { rowsJson: 0, blobs: 0, historyInsert: 0, seriesUpsertsAndCommit: 0 };
  batchesWritten = 0;

  constructor(file: string) {
    this.db = new BetterSqlite3(file);
    // The pragmas of the store's connection (packages/server/src/db/connection.ts).
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.prepare('INSERT INTO entities (name, created_at) VALUES (?, 0)').run(ENTITY);
    this.db.prepare('INSERT INTO projects (entity_id, name, created_at, updated_at) VALUES (1, ?, 0, 0)').run(PROJECT);
    this.insertRun = this.db.prepare(`INSERT INTO runs (project_id, run_id, tags, state, created_at, updated_at, heartbeat_at, start_time, runtime,
      last_step, history_rows, config, summary, metrics, replay) VALUES (1, ?, '[]', 'running', 0, 0, 0, 0, 0, -1, 0, '{}', '{}', '[]', '{}')`);
    this.insertHistory = this.db.prepare('INSERT INTO history_chunks (run_pk, seq, first_step, last_step, row_count, rows) VALUES (?, ?, ?, ?, ?, ?)');
    this.upsertChunk = this.db.prepare(`INSERT INTO series_chunks (run_pk, key, first_step, last_step, count, min, max, first_value, last_value, data)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_pk, key, first_step) DO UPDATE SET last_step = excluded.last_step,
      count = excluded.count, min = excluded.min, max = excluded.max, first_value = excluded.first_value, last_value = excluded.last_value, data = excluded.data`);
  }

  ingest(id: string, count: number): number {
    const pk = Number(this.insertRun.run(id).lastInsertRowid);
    const tails: Array<SeriesChunk | undefined> = SERIES_KEYS.map(() => undefined);
    const start = performance.now();
    for (let b = 0; b < count; b++) this.write(pk, b, batchRows[b]!, tails);
    return performance.now() - start;
  }

  private write(pk: number, seq: number, rows: Row[], tails: Array<SeriesChunk | undefined>): void {
    const t0 = performance.now();
    const json = JSON.stringify({ v: rows }); // encodeJson's text for rows without NaN or bigint
    const t1 = performance.now();
    const written: Array<[string, SeriesChunk]> = [];
    const steps = new Float64Array(rows.length);
    const values = new Float64Array(rows.length);
    for (let k = 0; k < SERIES_KEYS.length; k++) {
      const key = SERIES_KEYS[k]!;
      for (let i = 0; i < rows.length; i++) {
        steps[i] = rows[i]!._step!;
        values[i] = rows[i]![key]!;
      }
      const chunks = appendPoints(tails[k], steps, values);
      tails[k] = chunks[chunks.length - 1] ?? tails[k];
      for (const chunk of chunks) written.push([key, chunk]);
    }
    const t2 = performance.now();
    let t3 = t2;
    this.db.transaction(() => {
      this.insertHistory.run(pk, seq, rows[0]!._step, rows[rows.length - 1]!._step, rows.length, json);
      t3 = performance.now();
      for (const [key, c] of written) this.upsertChunk.run(pk, key, c.firstStep, c.lastStep, c.count, c.min, c.max, c.first, c.last, c.data);
    })();
    const t4 = performance.now();
    this.split.rowsJson += t1 - t0;
    this.split.blobs += t2 - t1;
    this.split.historyInsert += t3 - t2;
    this.split.seriesUpsertsAndCommit += t4 - t3;
    this.batchesWritten++;
  }

  close(): void {
    this.db.close();
  }
}

/**
 * PostgreSQL's raw baseline: each batch's rows as one `COPY plain_rows FROM STDIN` of 13
 * float8 columns in COPY's text format, the text built inside the timed loop (the server
 * encodes its rows too). Numbers print in JavaScript's shortest round-trip form, which
 * float8's input reads back exactly.
 */
async function ingestCopy(client: pg.Client, count: number): Promise<number> {
  const columns = ['_step', ...SERIES_KEYS];
  const start = performance.now();
  for (let b = 0; b < count; b++) {
    let text = '';
    for (const row of batchRows[b]!) text += `${columns.map((column) => row[column]!).join('\t')}\n`;
    const stream = client.query(copyFrom('COPY plain_rows FROM STDIN'));
    await pipeline(Readable.from([text]), stream);
  }
  return performance.now() - start;
}

/** The former baseline, kept for comparison: each batch as one INSERT … SELECT FROM unnest() of 13 float8 arrays. */
async function ingestUnnest(client: pg.Client, count: number): Promise<number> {
  const columns = ['_step', ...SERIES_KEYS];
  const sql = `INSERT INTO plain_rows SELECT * FROM unnest(${columns.map((_, i) => `$${i + 1}::float8[]`).join(', ')})`;
  const start = performance.now();
  for (let b = 0; b < count; b++) {
    const rows = batchRows[b]!;
    await client.query(sql, columns.map((column) => rows.map((row) => row[column]!)));
  }
  return performance.now() - start;
}

// ── measuring ───────────────────────────────────────────────────────────────

interface Writer {
  name: string;
  warmUp(): Promise<unknown>;
  pass(round: number): Promise<number>;
}

interface Passes {
  batches: number;
  /** Wall milliseconds of each round, and CPU milliseconds (user + system) of all rounds, per writer. */
  wallMs: Map<string, number[]>;
  cpuMs: Map<string, number>;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;

/**
 * Lets the event loop run its timers before a pass. A synchronous SQLite pass blocks the loop
 * for seconds; the server's keep-alive timer then fires only after it, in the same turn as the
 * next fetch picks that idle connection, and the fetch fails with ECONNRESET.
 */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 50));
}

/** ROUNDS rounds of every writer in turn, after one warm-up each. */
async function measure(batches: number, writers: Writer[]): Promise<Passes> {
  for (const writer of writers) {
    await settle();
    await writer.warmUp();
  }
  const passes: Passes = { batches, wallMs: new Map(writers.map((w) => [w.name, []])), cpuMs: new Map() };
  for (let round = 1; round <= ROUNDS; round++) {
    for (const writer of writers) {
      await settle();
      const cpu = process.cpuUsage();
      passes.wallMs.get(writer.name)!.push(await writer.pass(round));
      const used = process.cpuUsage(cpu);
      passes.cpuMs.set(writer.name, (passes.cpuMs.get(writer.name) ?? 0) + (used.user + used.system) / 1000);
    }
  }
  return passes;
}

function pointsPerSecond(passes: Passes, name: string): number {
  return (passes.batches * POINTS_PER_BATCH) / (median(passes.wallMs.get(name)!) / 1000);
}

function printRates(engine: string, passes: Passes, httpName: string, rawName: string, storeName: string): Record<string, unknown> {
  const figures: Record<string, unknown> = {};
  for (const [name, wall] of passes.wallMs) {
    const rounds = wall.map((ms) => formatRate((passes.batches * POINTS_PER_BATCH) / (ms / 1000))).join(' / ');
    // Below 100% the process waited: on the database, on I/O, or (on a shared machine) for a core.
    const cpuShare = passes.cpuMs.get(name)! / wall.reduce((a, b) => a + b, 0);
    const perCpuSecond = pointsPerSecond(passes, name) / cpuShare;
    console.log(
      `  ${name.padEnd(35)} ${formatRate(pointsPerSecond(passes, name)).padStart(8)} points/s  ${formatMillis(median(wall) / passes.batches).padStart(8)}/batch`
      + `  CPU ${(100 * cpuShare).toFixed(0).padStart(3)}% of wall → ${formatRate(perCpuSecond)} points per CPU-second  (rounds ${rounds})`,
    );
    figures[name] = { pointsPerSecond: pointsPerSecond(passes, name), medianMsPerBatch: median(wall) / passes.batches, roundsMs: wall, cpuShare, perCpuSecond };
  }
  const http = pointsPerSecond(passes, httpName);
  const ratio = http / pointsPerSecond(passes, rawName);
  const storeRatio = http / pointsPerSecond(passes, storeName);
  console.log(
    `${engine}: HTTP ${formatRate(http)} points/s | raw ${formatRate(pointsPerSecond(passes, rawName))} points/s | ratio ${ratio.toFixed(2)}`
    + ` (HTTP / applyBatch ${storeRatio.toFixed(2)}) | targets: ≥ ${formatRate(TARGET_RATE)} points/s ${http >= TARGET_RATE ? 'met' : 'missed'};`
    + ` ratio ≥ ${TARGET_RATIO} ${ratio >= TARGET_RATIO ? 'met' : 'missed'}`,
  );
  return { ...figures, ratio, storeRatio };
}

function header(engine: string, batches: number): void {
  console.log(
    `\n${engine}: ${batches} sequential batches of ${STEPS_PER_BATCH.toLocaleString('en-US')} steps × ${ROW_KEYS.length} keys`
    + ` (${(batches * POINTS_PER_BATCH).toLocaleString('en-US')} points) per pass, each into a new run; median of ${ROUNDS} rounds`,
  );
}

async function benchSqlite(dir: string): Promise<Record<string, unknown>> {
  const server = await startServer({ port: 0, dataDir: path.join(dir, 'http'), quiet: true });
  const direct = openDatabase(undefined, path.join(dir, 'store'));
  await migrateToLatest(direct.db, direct.capabilities);
  const store = new Store(direct.db, direct.capabilities);
  const rawDb = openDatabase(undefined, path.join(dir, 'raw'));
  await migrateToLatest(rawDb.db, rawDb.capabilities);
  await rawDb.close();
  const raw = new RawSqliteWriter(path.join(dir, 'raw', 'cairn.sqlite'));
  try {
    const batches = SQLITE_BATCHES;
    const names = { http: 'HTTP → SQLite', store: 'store.applyBatch in-process', raw: 'raw better-sqlite3, same layout' };
    const passes = await measure(batches, [
      { name: names.http, warmUp: () => ingestOverHttp(server, 'warm-up', WARMUP_BATCHES), pass: (r) => ingestOverHttp(server, `http-${r}`, batches) },
      { name: names.store, warmUp: () => ingestInProcess(store, 'warm-up', WARMUP_BATCHES), pass: (r) => ingestInProcess(store, `store-${r}`, batches) },
      { name: names.raw, warmUp: async () => raw.ingest('warm-up', WARMUP_BATCHES), pass: async (r) => raw.ingest(`raw-${r}`, batches) },
    ]);
    header('SQLite', batches);
    const figures = printRates('SQLite', passes, names.http, names.raw, names.store);
    const split = Object.fromEntries(Object.entries(raw.split).map(([part, ms]) => [part, ms / raw.batchesWritten]));
    console.log(
      `  raw writer per batch: rows JSON ${formatMillis(split.rowsJson!)}, ${SERIES_KEYS.length} series blobs (appendPoints) ${formatMillis(split.blobs!)},`
      + ` history INSERT ${formatMillis(split.historyInsert!)}, series upserts + COMMIT ${formatMillis(split.seriesUpsertsAndCommit!)}`,
    );
    const phases = await breakdown(server, direct, median(passes.wallMs.get(names.http)!) / batches, median(passes.wallMs.get(names.store)!) / batches);
    return { batches, ...figures, rawSplitMsPerBatch: split, breakdown: phases };
  } finally {
    raw.close();
    await direct.close();
    await server.close();
  }
}

async function benchPostgres(adminUrl: string, dir: string): Promise<Record<string, unknown>> {
  const names = ['http', 'store', 'raw'].map((n) => `cairn_bench_ingest_${process.pid}_${n}`);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const opened: Array<RunningServer | OpenDatabase | pg.Client> = [];
  try {
    for (const name of names) await admin.query(`CREATE DATABASE ${name}`);
    const server = await startServer({ port: 0, dataDir: path.join(dir, 'pg'), db: databaseUrl(adminUrl, names[0]!), quiet: true });
    opened.push(server);
    const direct = openDatabase(databaseUrl(adminUrl, names[1]!), dir);
    opened.push(direct);
    await migrateToLatest(direct.db, direct.capabilities);
    const store = new Store(direct.db, direct.capabilities);
    const client = new pg.Client({ connectionString: databaseUrl(adminUrl, names[2]!) });
    await client.connect();
    opened.push(client);
    await client.query(`CREATE TABLE plain_rows (${['_step', ...SERIES_KEYS].map((c) => `"${c}" float8 NOT NULL`).join(', ')})`);
    const batches = POSTGRES_BATCHES;
    const writers = {
      http: 'HTTP → PostgreSQL',
      store: 'store.applyBatch in-process',
      raw: 'raw COPY, plain table',
      unnest: 'raw INSERT … unnest(), plain table',
    };
    const passes = await measure(batches, [
      { name: writers.http, warmUp: () => ingestOverHttp(server, 'warm-up', WARMUP_BATCHES), pass: (r) => ingestOverHttp(server, `http-${r}`, batches) },
      { name: writers.store, warmUp: () => ingestInProcess(store, 'warm-up', WARMUP_BATCHES), pass: (r) => ingestInProcess(store, `store-${r}`, batches) },
      { name: writers.raw, warmUp: () => ingestCopy(client, WARMUP_BATCHES), pass: () => ingestCopy(client, batches) },
      { name: writers.unnest, warmUp: () => ingestUnnest(client, WARMUP_BATCHES), pass: () => ingestUnnest(client, batches) },
    ]);
    header(`PostgreSQL (${new URL(adminUrl).host})`, batches);
    console.log('  raw = COPY plain_rows FROM STDIN (text format, 13 float8 columns), one per batch, through pg-copy-streams;');
    console.log('  unnest = INSERT INTO plain_rows SELECT * FROM unnest($1::float8[], … 13 arrays), one per batch.');
    console.log('  "CPU" is this process only; the PostgreSQL server shares the 2 cores.');
    const rates = printRates('PostgreSQL', passes, writers.http, writers.raw, writers.store);
    const unnest = pointsPerSecond(passes, writers.unnest);
    console.log(`  (INSERT … unnest() ${formatRate(unnest)} points/s; HTTP / unnest ${(pointsPerSecond(passes, writers.http) / unnest).toFixed(2)})`);
    return { batches, ...rates, unnestPointsPerSecond: unnest };
  } finally {
    for (const resource of opened.reverse()) await ('end' in resource ? resource.end() : resource.close());
    for (const name of names) await dropDatabase(admin, name);
    await admin.end();
  }
}

// ── where an HTTP batch's time goes ─────────────────────────────────────────

/** Times fn over every SQLite batch; returns milliseconds per batch. */
function perBatch(fn: (b: number) => void): number {
  const start = performance.now();
  for (let b = 0; b < SQLITE_BATCHES; b++) fn(b);
  return (performance.now() - start) / SQLITE_BATCHES;
}

async function breakdown(server: RunningServer, direct: OpenDatabase, httpMs: number, storeMs: number): Promise<Record<string, unknown>> {
  const bodies = Array.from({ length: SQLITE_BATCHES }, (_, b) => batchBody('phases', b));
  // What the route and applyBatch do in memory, each phase alone (http/app.ts records route;
  // store.ts applyBatch, appendHistory, appendSeries, runColumns).
  const decodeMs = perBatch((b) => decodeRecordLog(bodies[b]!, crc32));
  let snapshot = encodeJson(new RunReplay().snapshot());
  const replayMs = perBatch((b) => {
    const replay = new RunReplay(decodeJson(snapshot) as RunReplaySnapshot);
    for (const record of batchRecords('phases', b)) replay.apply(record);
    encodeJson(replay.config);
    encodeJson(replay.summary.toJSON());
    snapshot = encodeJson(replay.snapshot());
  });
  const historyMs = perBatch((b) => encodeJson(batchRows[b]));
  const tails = new Map<string, SeriesChunk | undefined>();
  const seriesMs = perBatch((b) => {
    for (const [key, points] of collectSeries(batchRows[b]!)) {
      const chunks = appendPoints(tails.get(key), points.steps, points.values);
      tails.set(key, chunks[chunks.length - 1]);
    }
  });
  const sqlMs = storeMs - replayMs - historyMs - seriesMs;
  const httpOverheadMs = httpMs - storeMs - decodeMs;
  const line = (what: string, ms: number): void => console.log(`  ${what.padEnd(66)} ${formatMillis(ms).padStart(8)} ${((100 * ms) / httpMs).toFixed(0).padStart(4)}%`);
  console.log(`\nwhere an HTTP batch's ${formatMillis(httpMs)} goes (SQLite; in-memory phases each timed alone over the same batches, the rest by difference):`);
  line('decode the record log (utf8 + crc32 + JSON.parse per line)', decodeMs);
  line('RunReplay: restore snapshot, apply 1,000 rows, encode snapshot', replayMs);
  line('history chunk text: encodeJson(rows)', historyMs);
  line(`series: collectSeries + appendPoints (${SERIES_KEYS.length} series)`, seriesMs);
  line('SQL: Kysely + SQLite + tail re-reads (applyBatch − the three above)', sqlMs);
  line('HTTP: fetch, Hono, body, response (HTTP − applyBatch − decode)', httpOverheadMs);
  const statements = await countStatements(direct);
  const profile = await profileHttp(server);
  return { httpMs, storeMs, decodeMs, replayMs, historyMs, seriesMs, sqlMs, httpOverheadMs, statements, profile };
}

/** The statements one applyBatch issues, by kind and table: a Kysely plugin counts them. */
async function countStatements(direct: OpenDatabase): Promise<Record<string, number>> {
  const counts = new Map<string, number>();
  const counter: KyselyPlugin = {
    transformQuery({ node }) {
      const label = statementLabel(node);
      counts.set(label, (counts.get(label) ?? 0) + 1);
      return node;
    },
    transformResult: async ({ result }) => result,
  };
  const store = new Store(direct.db.withPlugin(counter), direct.capabilities);
  const batches = 8;
  await ingestInProcess(store, 'counted', batches);
  const perBatchCounts = [...counts].map(([label, n]) => [label, n / batches] as const).sort((a, b) => b[1] - a[1]);
  const total = perBatchCounts.reduce((sum, [, n]) => sum + n, 0);
  console.log(`statements per applyBatch (mean of ${batches} batches, besides BEGIN and COMMIT): ${total.toFixed(1)}, each prepared once per distinct SQL text (db/connection.ts keeps them):`);
  console.log(`  ${perBatchCounts.map(([label, n]) => `${label} ×${Number.isInteger(n) ? n : n.toFixed(2)}`).join(', ')}`);
  return Object.fromEntries(perBatchCounts);
}

function statementLabel(node: RootOperationNode): string {
  const tableOf = (table: unknown): string => (table as { table?: { identifier?: { name?: string } } } | undefined)?.table?.identifier?.name ?? '?';
  const n = node as { kind: string; from?: { froms?: unknown[] }; into?: unknown; table?: unknown };
  const verb = n.kind.replace(/QueryNode$/, '').toLowerCase();
  if (n.kind === 'SelectQueryNode') return `${verb} ${tableOf(n.from?.froms?.[0])}`;
  if (n.kind === 'InsertQueryNode') return `${verb} ${tableOf(n.into)}`;
  if (n.kind === 'UpdateQueryNode') return `${verb} ${tableOf(n.table)}`;
  return verb;
}

/** A CPU profile of one more HTTP pass (client and server share this process), by self time. */
async function profileHttp(server: RunningServer): Promise<Record<string, number>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  const batches = 30;
  await ingestOverHttp(server, 'profiled', batches);
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();

  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFrame = new Map<string, number>();
  const byArea = new Map<string, number>();
  let total = 0;
  const deltas = profile.timeDeltas ?? [];
  (profile.samples ?? []).forEach((id, i) => {
    const frame = nodes.get(id)!.callFrame;
    // The inspector's own Profiler.stop shows up as a native `dispatch`: not ingest.
    if (frame.url === '' && frame.functionName === 'dispatch') return;
    const ms = (deltas[i] ?? 0) / 1000;
    // No line numbers: tsx compiles each module on load, so they would be the generated code's.
    const label = `${frame.functionName || '(anonymous)'}${frame.url === '' ? '' : ` ${frame.url.replace(/^.*\/(node_modules|packages)\//, '')}`}`;
    const area = areaOf(frame.functionName, frame.url);
    byFrame.set(label, (byFrame.get(label) ?? 0) + ms);
    byArea.set(area, (byArea.get(area) ?? 0) + ms);
    total += ms;
  });
  const top = (map: Map<string, number>, count: number): Array<[string, number]> => [...map].sort((a, b) => b[1] - a[1]).slice(0, count);
  const percent = (ms: number): string => `${((100 * ms) / total).toFixed(1).padStart(5)}%`;
  console.log(`CPU profile of one more HTTP pass of ${batches} batches (${formatMillis(total)} sampled; client and server share this process), self time:`);
  for (const [area, ms] of top(byArea, 12)) console.log(`  ${percent(ms)}  ${area}`);
  console.log('  top frames:');
  for (const [label, ms] of top(byFrame, 10)) console.log(`  ${percent(ms)}  ${label}`);
  return Object.fromEntries(top(byArea, 12).map(([area, ms]) => [area, ms / batches]));
}

function areaOf(functionName: string, url: string): string {
  if (url === '') {
    const natives: Record<string, string> = {
      '(garbage collector)': 'garbage collection',
      '(idle)': 'idle (waiting on I/O)',
      '(program)': 'native, unattributed (V8, libuv)',
      parse: 'JSON.parse / JSON.stringify',
      stringify: 'JSON.parse / JSON.stringify',
      run: 'SQLite statements (better-sqlite3 run/get/all; the COMMIT writes the WAL)',
      get: 'SQLite statements (better-sqlite3 run/get/all; the COMMIT writes the WAL)',
      all: 'SQLite statements (better-sqlite3 run/get/all; the COMMIT writes the WAL)',
      Statement: 'SQLite prepare (better-sqlite3 Statement)',
      crc32: 'zlib crc32 (record checksums)',
      decode: 'TextDecoder (record lines)',
    };
    return natives[functionName] ?? `native: ${functionName}`;
  }
  const areas: Array<[RegExp, string]> = [
    [/packages\/protocol\/src\/record-log/, 'protocol record-log (decodeRecordLine, encodeJson)'],
    [/packages\/protocol\/src\//, 'protocol replay (RunReplay, summary, metrics)'],
    [/packages\/server\/src\/series\//, 'server series chunks (appendPoints)'],
    [/packages\/server\/src\/store\//, 'server store (applyBatch, collectSeries)'],
    [/packages\/server\/src\//, 'server http routes'],
    [/node_modules\/kysely\//, 'Kysely (compile, driver, transactions)'],
    [/node_modules\/better-sqlite3\//, 'better-sqlite3 (JS)'],
    [/node_modules\/(hono|@hono)\//, 'Hono + @hono/node-server'],
    [/undici/, 'fetch client (undici)'],
    [/^node:/, 'Node internals (http, net, streams, buffers)'],
    [/\/bench\//, 'this benchmark'],
  ];
  return areas.find(([pattern]) => pattern.test(url))?.[1] ?? url;
}

// ── main ────────────────────────────────────────────────────────────────────

const started = performance.now();
console.log(machineLine());
const dir = makeTempDir('ingest');
const figures: Record<string, unknown> = { stepsPerBatch: STEPS_PER_BATCH, keys: ROW_KEYS.length, rounds: ROUNDS };
try {
  figures.sqlite = await benchSqlite(dir);
  const postgresUrl = process.env.CAIRN_TEST_POSTGRES_URL;
  if (postgresUrl) figures.postgres = await benchPostgres(postgresUrl, dir);
  else console.log('\nPostgreSQL: SKIPPED, CAIRN_TEST_POSTGRES_URL is not set (export CAIRN_TEST_POSTGRES_URL=$(bash scripts/start-postgres.sh 55440) to include it)');
} finally {
  removeTempDir(dir);
}
console.log(`\n(${((performance.now() - started) / 1000).toFixed(0)} s; machine at the end: ${machineLine()})`);
reportResult(figures);
