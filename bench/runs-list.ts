/**
 * The runs list of a project of 10,000 runs (a dozen config and summary keys each, metadata
 * and a replay snapshot like real runs): GET …/runs for the first page of 100,
 *
 *   1. sorted by created, newest first (what the dashboard asks first),
 *   2. sorted by a summary value (`summary.loss`, ascending),
 *   3. filtered by a config comparison (`config.lr < 0.001`, about half the runs), newest first,
 *   4. and, for scale, page 50 of listing 1 (its cursor found once, untimed): keyset pages
 *      cost the same however deep,
 *
 * p50 / p95 of 30 rounds after 3 warm-ups, each timed from the request until the parsed
 * answer, against a baseline measured in the same rounds: the plain
 * `SELECT * FROM runs WHERE project_id = ? ORDER BY created_at DESC LIMIT 100` through
 * better-sqlite3 (a second connection to the same file) or pg directly, rows returned and
 * nothing decoded. The server's own part (store.listRuns in-process, no HTTP or JSON) is
 * printed beside each. SQLite, then PostgreSQL when CAIRN_TEST_POSTGRES_URL names a server.
 * The runs are inserted directly into the runs table in batches (not timed, not the figure).
 * Then, SQLite only and not the figure, where the time goes: the database's size against the
 * connection's page cache, and store.listRuns again after PRAGMA cache_size = -65536 (64 MB)
 * on the server's connection.
 * Target: first page ≤ 50 ms p95. Prints figures; never fails on timing.
 *
 *     node --conditions=source --import tsx bench/runs-list.ts
 */
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { apiPaths, encodeJson, RunReplay, type RunPage } from '@cairn/protocol';
import { startServer, type RunningServer } from '@cairn/server';
import { parseRunListQuery } from '../packages/server/src/query/runs-query.js';
import { machineLine, makeTempDir, removeTempDir, reportResult, verdict } from './lib/harness.js';
import { databaseUrl, dropDatabase } from './lib/postgres.js';
import { formatMillis, formatRatio, medianAndP95 } from './lib/stats.js';

const RUNS = 10_000;
const WARMUP_ROUNDS = 3;
const TIMED_ROUNDS = 30;
const IN_PROCESS_REPEATS = 5;
const DEEP_PAGE = 50;
const TARGET_P95_MS = 50;
const ENTITY = 'bench';
const PROJECT = 'runs';
const INSERT_BATCH = 200;

interface Case {
  name: string;
  query: string;
  /** A first page: the target applies. */
  first: boolean;
}

const FILTER = JSON.stringify([{ field: 'config.lr', op: '<', value: 0.001 }]);
const CASES: Case[] = [
  { name: 'first page, sort=created desc', query: 'sort=created&order=desc&limit=100', first: true },
  { name: 'first page, sort=summary.loss asc', query: 'sort=summary.loss&order=asc&limit=100', first: true },
  { name: 'first page, filter config.lr < 0.001', query: `filter=${encodeURIComponent(FILTER)}&sort=created&order=desc&limit=100`, first: true },
  { name: `page ${DEEP_PAGE}, sort=created desc`, query: 'sort=created&order=desc&limit=100', first: false },
];

// ── the runs: deterministic, varied, the size of real ones ──────────────────

function random(seed: number): () => number {
  let state = (0x9e3779b9 ^ seed) >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** The runs table's row for run `i` (the columns the store's ingest would have written). */
function runRow(projectId: number, i: number, createdBase: number) {
  const next = random(i);
  const id = `run-${i.toString(36).padStart(4, '0')}`;
  const config = {
    lr: 10 ** (-5 + 4 * next()),
    batch_size: [32, 64, 128, 256][i % 4],
    optimizer: i % 3 === 0 ? 'sgd' : 'adam',
    model: { layers: 2 + (i % 10), hidden: 128 * (1 + (i % 4)), dropout: Math.round(next() * 50) / 100 },
    seed: i,
    epochs: 10 + (i % 5) * 10,
    dataset: 'cifar10',
    augment: i % 2 === 0,
  };
  const loss = 0.05 + next() * 2;
  const summary: Record<string, unknown> = {
    loss,
    acc: 1 - loss / 2.1,
    val_loss: loss * (1 + next() * 0.2),
    epoch: config.epochs,
    lr: config.lr,
    best: { acc: 1 - loss / 2.2, step: 900 + (i % 100) },
    _step: 999,
    _runtime: 60 + next() * 3600,
    _timestamp: createdBase + i * 30 + 3600,
  };
  // Some runs without val_acc, some with a string: a real project's mix.
  if (i % 10 !== 0) summary.val_acc = 1 - loss / 1.9;
  if (i % 97 === 0) summary.loss = 'diverged';
  const metadata = {
    host: `node-${i % 16}`, os: 'Linux-6.1.0-x86_64', node: 'v20.20.2', program: 'train.ts',
    args: ['--lr', String(config.lr), '--batch-size', String(config.batch_size), '--epochs', String(config.epochs)],
    git: { remote: 'https://example.com/lab/model.git', commit: (i * 2654435761).toString(16).padStart(40, '0').slice(0, 40) },
    gpu: { count: 1 + (i % 8), name: 'NVIDIA A100-SXM4-80GB' }, cpuCount: 32, startedAt: new Date((createdBase + i * 30) * 1000).toISOString(),
  };
  const createdAt = createdBase + i * 30;
  const replay = new RunReplay();
  replay.apply({ t: 'run', id, project: PROJECT, entity: ENTITY, name: `run ${i}`, group: `sweep-${i % 20}`, jobType: 'train', tags: i % 5 === 0 ? ['baseline'] : [], notes: null, startTime: createdAt, startingStep: 0, resumed: false, sweepId: null, mode: 'online' });
  replay.apply({ t: 'config', update: config });
  replay.apply({ t: 'metadata', metadata });
  replay.apply({ t: 'history', row: { loss, acc: summary.acc, val_loss: summary.val_loss, _step: 999, _runtime: summary._runtime, _timestamp: summary._timestamp } });
  const failed = i % 10 === 3;
  const running = i % 50 === 7;
  if (!running) replay.apply({ t: 'exit', exitCode: failed ? 1 : 0, runtime: summary._runtime, time: createdAt + Number(summary._runtime) });
  return {
    project_id: projectId,
    run_id: id,
    name: `run ${i}`,
    group_name: `sweep-${i % 20}`,
    job_type: 'train',
    tags: JSON.stringify(i % 5 === 0 ? ['baseline'] : []),
    notes: null,
    state: running ? 'running' : failed ? 'failed' : 'finished',
    exit_code: running ? null : failed ? 1 : 0,
    created_at: createdAt,
    updated_at: createdAt + Number(summary._runtime),
    heartbeat_at: createdAt + Number(summary._runtime),
    start_time: createdAt,
    runtime: Number(summary._runtime),
    last_step: 999,
    history_rows: 1000,
    config: encodeJson(config),
    summary: encodeJson(summary),
    metadata: encodeJson(metadata),
    metrics: '[]',
    replay: encodeJson(replay.snapshot()),
  };
}

/** The project (through the store, one run) and RUNS runs inserted directly; returns the project id. */
async function insertRuns(server: RunningServer): Promise<number> {
  const key = { entity: ENTITY, project: PROJECT, id: 'seed' };
  await server.store.applyBatch(key, 'w', 0, [{ t: 'run', id: 'seed', project: PROJECT, entity: ENTITY, name: 'seed', group: null, jobType: null, tags: [], notes: null, startTime: 0, startingStep: 0, resumed: false, sweepId: null, mode: 'online' }]);
  await server.store.deleteRun(key);
  const db = server.store.db;
  const project = await db.selectFrom('projects').select('id').where('name', '=', PROJECT).executeTakeFirstOrThrow();
  const createdBase = Date.now() / 1000 - RUNS * 30 - 86_400;
  for (let start = 0; start < RUNS; start += INSERT_BATCH) {
    const rows = Array.from({ length: Math.min(INSERT_BATCH, RUNS - start) }, (_, k) => runRow(project.id, start + k, createdBase));
    await db.insertInto('runs').values(rows).execute();
  }
  return project.id;
}

// ── timing ──────────────────────────────────────────────────────────────────

async function getPage(server: RunningServer, query: string): Promise<{ ms: number; page: RunPage; bytes: number }> {
  const t0 = performance.now();
  const response = await fetch(`${server.url}${apiPaths.runs(ENTITY, PROJECT)}?${query}`);
  const text = await response.text();
  const page = JSON.parse(text) as RunPage;
  const ms = performance.now() - t0;
  if (response.status !== 200) throw new Error(`GET ?${query}: ${response.status} ${text.slice(0, 200)}`);
  return { ms, page, bytes: text.length };
}

type Baseline = () => Promise<number>;

/** `afterInsert`: what the engine would have done by itself before anyone reads (PostgreSQL's autovacuum ANALYZE). */
async function benchEngine(
  engine: string,
  server: RunningServer,
  baseline: Baseline,
  afterInsert?: () => Promise<unknown>,
): Promise<{ figures: Record<string, unknown>; queries: string[] }> {
  const insertStart = performance.now();
  await insertRuns(server);
  await afterInsert?.();
  console.log(`(${RUNS.toLocaleString('en-US')} runs inserted directly in ${((performance.now() - insertStart) / 1000).toFixed(1)} s; not the figure)`);
  await new Promise((resolve) => setTimeout(resolve, 50));

  // The deep page's cursor: walk listing 1 once.
  let cursor: string | null = null;
  for (let page = 1; page < DEEP_PAGE; page++) cursor = (await getPage(server, `${CASES[3]!.query}${cursor ? `&cursor=${cursor}` : ''}`)).page.nextCursor;
  const queries = CASES.map((c) => (c.first ? c.query : `${c.query}&cursor=${cursor}`));

  const http = CASES.map(() => [] as number[]);
  const baselineMs: number[] = [];
  const pages: Array<{ rows: number; total: number; bytes: number }> = [];
  for (let round = 0; round < WARMUP_ROUNDS + TIMED_ROUNDS; round++) {
    for (const [c, query] of queries.entries()) {
      const { ms, page, bytes } = await getPage(server, query);
      if (round >= WARMUP_ROUNDS) http[c]!.push(ms);
      pages[c] = { rows: page.runs.length, total: page.total, bytes };
    }
    const ms = await baseline();
    if (round >= WARMUP_ROUNDS) baselineMs.push(ms);
  }
  const inProcess = await timeInProcess(server, queries);

  const base = medianAndP95(baselineMs);
  console.log(`${engine}: ${RUNS.toLocaleString('en-US')} runs, GET …/runs until parsed, ${TIMED_ROUNDS} rounds after ${WARMUP_ROUNDS} warm-up (cases and baseline interleaved)`);
  const figures: Record<string, unknown> = { baseline: { ...base } };
  for (const [c, spec] of CASES.entries()) {
    const stats = medianAndP95(http[c]!);
    const page = pages[c]!;
    const target = spec.first ? ` | target p95 ≤ ${TARGET_P95_MS} ms: ${verdict(stats.p95, TARGET_P95_MS)}` : '';
    console.log(
      `  ${spec.name.padEnd(38)} p50 ${formatMillis(stats.median).padStart(9)}  p95 ${formatMillis(stats.p95).padStart(9)}  ` +
        `(store.listRuns in-process ${formatMillis(inProcess[c]!)}; ${page.rows} runs of ${page.total.toLocaleString('en-US')}, ${(page.bytes / 1024).toFixed(0)} KB)` +
        ` | ratio p95 ${formatRatio(stats.p95, base.p95)}${target}`,
    );
    figures[spec.name] = { ...stats, inProcessMs: inProcess[c], ...page };
  }
  console.log(`  ${'baseline: SELECT * … LIMIT 100, raw'.padEnd(38)} p50 ${formatMillis(base.median).padStart(9)}  p95 ${formatMillis(base.p95).padStart(9)}`);
  return { figures, queries };
}

/** Median of IN_PROCESS_REPEATS calls of store.listRuns per query (no HTTP, no JSON). */
async function timeInProcess(server: RunningServer, queries: string[]): Promise<number[]> {
  const medians: number[] = [];
  for (const query of queries) {
    const parsed = parseRunListQuery(new URLSearchParams(query), `${ENTITY}/${PROJECT}`).query;
    const times: number[] = [];
    for (let i = 0; i < IN_PROCESS_REPEATS; i++) {
      const t0 = performance.now();
      await server.store.listRuns(ENTITY, PROJECT, parsed);
      times.push(performance.now() - t0);
    }
    medians.push(medianAndP95(times).median);
  }
  return medians;
}

async function benchSqlite(dir: string): Promise<Record<string, unknown>> {
  const server = await startServer({ port: 0, dataDir: dir, quiet: true });
  const reader = new BetterSqlite3(path.join(dir, 'cairn.sqlite'), { readonly: true });
  try {
    let select: BetterSqlite3.Statement | undefined;
    let projectId = 0;
    const baseline: Baseline = async () => {
      if (!select) {
        projectId = (reader.prepare('SELECT id FROM projects WHERE name = ?').get(PROJECT) as { id: number }).id;
        select = reader.prepare('SELECT * FROM runs WHERE project_id = ? ORDER BY created_at DESC LIMIT 100');
      }
      const t0 = performance.now();
      select.all(projectId);
      return performance.now() - t0;
    };
    console.log('\nSQLite: the baseline on a second better-sqlite3 connection to the same file');
    const { figures, queries } = await benchEngine('SQLite', server, baseline);

    // Where the time goes: a field sort or filter reads every run of the project, and the
    // table is far larger than SQLite's default page cache, so every such scan re-reads pages.
    const pragma = (name: string) => Number(reader.pragma(name, { simple: true }));
    const tableMb = (pragma('page_count') * pragma('page_size')) / 2 ** 20;
    const cacheMb = -(await sql<{ cache_size: number }>`PRAGMA cache_size`.execute(server.store.db)).rows[0]!.cache_size / 1024;
    const scan = reader.prepare('SELECT sum(length(summary)) FROM runs');
    const scanMs = () => {
      const times = Array.from({ length: IN_PROCESS_REPEATS }, () => {
        const t0 = performance.now();
        scan.get();
        return performance.now() - t0;
      });
      return medianAndP95(times).median;
    };
    const before = { scanMs: scanMs(), listRunsMs: await timeInProcess(server, queries) };
    await sql`PRAGMA cache_size = -65536`.execute(server.store.db);
    reader.pragma('cache_size = -65536');
    scanMs();
    const after = { scanMs: scanMs(), listRunsMs: await timeInProcess(server, queries) };
    console.log(`where the time goes (SQLite; not the figure): the database is ${tableMb.toFixed(1)} MB, the server connection's page cache ${cacheMb.toFixed(1)} MB (the default of better-sqlite3's build)`);
    console.log(`  reading every run's summary (SELECT sum(length(summary)) FROM runs): ${formatMillis(before.scanMs)}; with a 64 MB page cache ${formatMillis(after.scanMs)}`);
    for (const [c, spec] of CASES.entries()) {
      console.log(`  store.listRuns, ${spec.name.padEnd(38)} ${formatMillis(before.listRunsMs[c]!).padStart(9)}; with PRAGMA cache_size = -65536 ${formatMillis(after.listRunsMs[c]!).padStart(9)}`);
    }
    return { ...figures, pageCache: { tableMb, cacheMb, before, after } };
  } finally {
    reader.close();
    await server.close();
  }
}

async function benchPostgres(adminUrl: string, dir: string): Promise<Record<string, unknown>> {
  const name = `cairn_bench_runs_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = databaseUrl(adminUrl, name);
  let server: RunningServer | undefined;
  const client = new pg.Client({ connectionString: url });
  try {
    server = await startServer({ port: 0, dataDir: dir, db: url, quiet: true });
    await client.connect();
    const baseline: Baseline = async () => {
      const t0 = performance.now();
      await client.query({
        name: 'baseline',
        text: 'SELECT * FROM runs WHERE project_id = (SELECT id FROM projects WHERE name = $1) ORDER BY created_at DESC LIMIT 100',
        values: [PROJECT],
      });
      return performance.now() - t0;
    };
    console.log(`\nPostgreSQL (${new URL(adminUrl).host}): the baseline through pg on a connection of its own (a prepared statement)`);
    return (await benchEngine('PostgreSQL', server, baseline, () => client.query('ANALYZE runs'))).figures;
  } finally {
    await client.end();
    await server?.close();
    await dropDatabase(admin, name);
    await admin.end();
  }
}

// ── main ────────────────────────────────────────────────────────────────────

const started = performance.now();
console.log(machineLine());
const dir = makeTempDir('runs-list');
const figures: Record<string, unknown> = { runs: RUNS, rounds: TIMED_ROUNDS, targetP95Ms: TARGET_P95_MS };
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
