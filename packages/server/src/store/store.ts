/**
 * The store: MetaStore (entities, projects, runs) and HistoryStore (row chunks, numeric
 * series chunks) over one Kysely database. Every write goes through `applyBatch`, the one
 * write primitive: records in, everything derived (summary, state, series) maintained there.
 */
import type { Kysely, Transaction } from 'kysely';
import {
  CairnError,
  decodeJson,
  encodeJson,
  RunReplay,
  type AlertInfo,
  type IngestResult,
  type ProjectSummary,
  type RunInfo,
  type RunReplaySnapshot,
  type RunState,
} from '@cairn/protocol';
import type { Capabilities } from '../db/connection.js';
import type { Database, NewRun, RunRow, RunUpdate } from '../db/schema.js';
import { appendPoints, type SeriesChunk } from '../series/series-chunk.js';
import { SeriesReader } from './series-reader.js';
import { collectSeries } from './series-leaves.js';
import { appendAlerts } from './alerts.js';
import { selectRunPage, type RunInfoRow, type RunListQuery, type RunListResult } from './run-list.js';

export interface RunKey {
  entity: string;
  project: string;
  id: string;
}

/** What applyBatch did: the ingest answer, plus what changed when records were applied. */
export interface AppliedBatch extends IngestResult {
  /** The first step whose history is new, and the run's state after the batch. */
  change?: { fromStep: number; state: RunState };
  /** Alerts the batch raised, suppressed repeats included. */
  alerts?: AlertInfo[];
}

export interface StoreOptions {
  /** A running run whose last heartbeat is older than this reads as crashed (or preempted). */
  heartbeatTimeoutSeconds?: number;
  /** Bytes of series chunk data cached in memory for chart queries. */
  chunkCacheBytes?: number;
}

export class OutOfOrderError extends CairnError {
  constructor(readonly nextIndex: number, first: number) {
    super('invalid_argument', `records start at index ${first} but this writer's next index is ${nextIndex}; resend from ${nextIndex}`);
  }
}

type Tx = Transaction<Database> | Kysely<Database>;

const now = (): number => Date.now() / 1000;

export class Store {
  readonly heartbeatTimeoutSeconds: number;
  /** Series chunks for chart queries, with their data cached. */
  readonly series: SeriesReader;

  constructor(
    readonly db: Kysely<Database>,
    readonly capabilities: Capabilities,
    options: StoreOptions = {},
  ) {
    this.heartbeatTimeoutSeconds = options.heartbeatTimeoutSeconds ?? 300;
    this.series = new SeriesReader(db, options.chunkCacheBytes);
  }

  // ── the write primitive ─────────────────────────────────────────────────

  /**
   * Applies the records `first`, `first + 1`, … of one writer of a run, each index once:
   * records below the writer's next index were applied before and are skipped; a gap is an
   * OutOfOrderError. Creates the entity, project and run as needed. All or nothing.
   */
  async applyBatch(key: RunKey, writerId: string, first: number, records: ReadonlyArray<Record<string, unknown>>): Promise<AppliedBatch> {
    for (const record of records) {
      if (record.t === 'run' && record.id !== key.id) {
        throw new CairnError('invalid_argument', `a run record for run '${String(record.id)}' was sent to run '${key.id}'`);
      }
    }
    let written: Array<[string, SeriesChunk]> = [];
    let alerts: AlertInfo[] = [];
    let runPk = 0;
    const result = await this.db.transaction().execute(async (tx) => {
      const time = now();
      const run = await this.lockRun(tx, key, time);
      runPk = run.pk;
      const writer = await tx
        .selectFrom('run_writers')
        .select('next_index')
        .where('run_pk', '=', run.pk)
        .where('writer_id', '=', writerId)
        .executeTakeFirst();
      const nextIndex = writer?.next_index ?? 0;
      if (first > nextIndex) throw new OutOfOrderError(nextIndex, first);
      const fresh = records.slice(nextIndex - first);
      if (fresh.length === 0) return { nextIndex, applied: 0 };

      const replay = new RunReplay(decodeJson(run.replay) as RunReplaySnapshot);
      const fromStep = replay.lastStep + 1;
      const rows: Array<Record<string, unknown>> = [];
      for (const record of fresh) {
        replay.apply(record);
        if (record.t === 'history') rows.push(record.row as Record<string, unknown>);
      }
      if (rows.length > 0) {
        await this.appendHistory(tx, run.pk, rows);
        written = await this.appendSeries(tx, run.pk, rows);
      }
      const alertRecords = fresh.filter((record) => record.t === 'alert');
      if (alertRecords.length > 0) alerts = await appendAlerts(tx, run.pk, alertRecords, time);
      const columns = this.runColumns(replay, time, run.stop_requested === 1);
      await tx.updateTable('runs').set(columns).where('pk', '=', run.pk).execute();
      // The project's last activity, to the second: a stream of batches writes it once a second.
      if (!(time - run.project_updated_at < 1)) await tx.updateTable('projects').set({ updated_at: time }).where('id', '=', run.project_id).execute();
      const newNext = first + records.length;
      if (writer) {
        await tx.updateTable('run_writers').set({ next_index: newNext }).where('run_pk', '=', run.pk).where('writer_id', '=', writerId).execute();
      } else {
        await tx.insertInto('run_writers').values({ run_pk: run.pk, writer_id: writerId, next_index: newNext }).execute();
      }
      return { nextIndex: newNext, applied: fresh.length, change: { fromStep, state: columns.state as RunState } };
    });
    // Only committed versions of chunks enter the cache: the next batch and chart read them.
    for (const [seriesKey, chunk] of written) this.series.remember(runPk, seriesKey, chunk);
    return alerts.length > 0 ? { ...result, alerts } : result;
  }

  /** The run's row, created (with its entity and project) when missing, locked for this transaction. */
  private async lockRun(tx: Tx, key: RunKey, time: number): Promise<Pick<RunRow, 'pk' | 'project_id' | 'replay' | 'stop_requested'> & { project_updated_at: number }> {
    // Almost every batch is for a run that exists: one query finds (and locks) it.
    let existing = tx
      .selectFrom('runs')
      .innerJoin('projects', 'projects.id', 'runs.project_id')
      .innerJoin('entities', 'entities.id', 'projects.entity_id')
      .select(['runs.pk', 'runs.project_id', 'runs.replay', 'runs.stop_requested', 'projects.updated_at as project_updated_at'])
      .where('entities.name', '=', key.entity)
      .where('projects.name', '=', key.project)
      .where('runs.run_id', '=', key.id);
    // Only the run's row: writers to other runs of the project go on in parallel.
    if (this.capabilities.rowLocks) existing = existing.forUpdate('runs');
    const found = await existing.executeTakeFirst();
    if (found) return found;
    await tx.insertInto('entities').values({ name: key.entity, created_at: time }).onConflict((oc) => oc.column('name').doNothing()).execute();
    const entity = await tx.selectFrom('entities').select('id').where('name', '=', key.entity).executeTakeFirstOrThrow();
    await tx
      .insertInto('projects')
      .values({ entity_id: entity.id, name: key.project, created_at: time, updated_at: time })
      .onConflict((oc) => oc.columns(['entity_id', 'name']).doNothing())
      .execute();
    const project = await tx.selectFrom('projects').select('id').where('entity_id', '=', entity.id).where('name', '=', key.project).executeTakeFirstOrThrow();
    await tx
      .insertInto('runs')
      .values(newRunRow(project.id, key.id, time))
      .onConflict((oc) => oc.columns(['project_id', 'run_id']).doNothing())
      .execute();
    let query = tx.selectFrom('runs').select(['pk', 'project_id', 'replay', 'stop_requested']).where('project_id', '=', project.id).where('run_id', '=', key.id);
    if (this.capabilities.rowLocks) query = query.forUpdate();
    // A new run is activity: its project's time is always written.
    return { ...(await query.executeTakeFirstOrThrow()), project_updated_at: Number.NEGATIVE_INFINITY };
  }

  private runColumns(replay: RunReplay, time: number, stopRequested: boolean): RunUpdate {
    const run = replay.run;
    // A run asked to stop ends as killed, whatever code its interrupted script exits with.
    const state: RunState = replay.exit ? (stopRequested ? 'killed' : replay.state(false)) : 'running';
    return {
      name: run?.name ?? null,
      group_name: run?.group ?? null,
      job_type: run?.jobType ?? null,
      tags: JSON.stringify(run?.tags ?? []),
      notes: run?.notes ?? null,
      state,
      exit_code: replay.exit?.exitCode ?? null,
      updated_at: time,
      heartbeat_at: time,
      start_time: run?.startTime ?? time,
      runtime: replay.lastRuntime,
      last_step: replay.lastStep,
      history_rows: replay.historyRows,
      config: encodeJson(replay.config),
      summary: encodeJson(replay.summary.toJSON()),
      metadata: replay.metadata ? encodeJson(replay.metadata) : null,
      metrics: JSON.stringify(replay.metrics.explicit()),
      preempting: replay.preempting ? 1 : 0,
      replay: encodeJson(replay.snapshot()),
    };
  }

  private async appendHistory(tx: Tx, runPk: number, rows: Array<Record<string, unknown>>): Promise<void> {
    const last = await tx
      .selectFrom('history_chunks')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .where('run_pk', '=', runPk)
      .executeTakeFirst();
    const steps = rows.map((row) => (typeof row._step === 'number' ? row._step : 0));
    await tx
      .insertInto('history_chunks')
      .values({
        run_pk: runPk,
        seq: (last?.seq ?? -1) + 1,
        first_step: Math.min(...steps),
        last_step: Math.max(...steps),
        row_count: rows.length,
        rows: encodeJson(rows),
      })
      .execute();
  }

  /** Appends the rows' numeric leaves to their series; returns the chunks written. */
  private async appendSeries(tx: Tx, runPk: number, rows: Array<Record<string, unknown>>): Promise<Array<[string, SeriesChunk]>> {
    const written: Array<[string, SeriesChunk]> = [];
    const series = collectSeries(rows);
    if (series.size === 0) return written;
    const tails = await this.series.tails(tx, runPk, [...series.keys()]);
    for (const [key, points] of series) {
      const tail = tails.get(key);
      // Several writers of one run may interleave steps: the series keeps increasing steps
      // only (the history rows keep everything).
      let start = 0;
      if (tail) while (start < points.steps.length && points.steps[start]! <= tail.lastStep) start++;
      const steps = start === 0 ? points.steps : points.steps.slice(start);
      const values = start === 0 ? points.values : points.values.slice(start);
      if (steps.length === 0 || !isIncreasing(steps)) continue;
      for (const chunk of appendPoints(tail, steps, values)) written.push([key, chunk]);
    }
    // Every key's chunks in one statement: a round trip per key is what a batch paid before.
    const chunkRows = written.map(([key, chunk]) => ({
      run_pk: runPk,
      key,
      first_step: chunk.firstStep,
      last_step: chunk.lastStep,
      count: chunk.count,
      min: chunk.min,
      max: chunk.max,
      first_value: chunk.first,
      last_value: chunk.last,
      data: chunk.data,
    }));
    for (let start = 0; start < chunkRows.length; start += 200) {
      await tx
        .insertInto('series_chunks')
        .values(chunkRows.slice(start, start + 200))
        .onConflict((oc) =>
          oc.columns(['run_pk', 'key', 'first_step']).doUpdateSet((eb) => ({
            last_step: eb.ref('excluded.last_step'),
            count: eb.ref('excluded.count'),
            min: eb.ref('excluded.min'),
            max: eb.ref('excluded.max'),
            first_value: eb.ref('excluded.first_value'),
            last_value: eb.ref('excluded.last_value'),
            data: eb.ref('excluded.data'),
          })),
        )
        .execute();
    }
    return written;
  }

  /** Records that the run is alive; undefined for an unknown run. */
  async heartbeat(key: RunKey): Promise<{ stopRequested: boolean } | undefined> {
    const pk = await this.runPk(key);
    if (pk === undefined) return undefined;
    await this.db.updateTable('runs').set({ heartbeat_at: now() }).where('pk', '=', pk).execute();
    const row = await this.db.selectFrom('runs').select('stop_requested').where('pk', '=', pk).executeTakeFirstOrThrow();
    return { stopRequested: row.stop_requested === 1 };
  }

  /** Asks a run to stop: its next heartbeat answers so, and its exit makes it `killed`. */
  async requestStop(key: RunKey): Promise<RunInfo | undefined> {
    const pk = await this.runPk(key);
    if (pk === undefined) return undefined;
    await this.db.updateTable('runs').set({ stop_requested: 1 }).where('pk', '=', pk).execute();
    return this.getRun(key);
  }

  // ── reads ───────────────────────────────────────────────────────────────

  async writerPosition(key: RunKey, writerId: string): Promise<number> {
    const pk = await this.runPk(key);
    if (pk === undefined) return 0;
    const writer = await this.db.selectFrom('run_writers').select('next_index').where('run_pk', '=', pk).where('writer_id', '=', writerId).executeTakeFirst();
    return writer?.next_index ?? 0;
  }

  async runPk(key: RunKey): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('runs')
      .innerJoin('projects', 'projects.id', 'runs.project_id')
      .innerJoin('entities', 'entities.id', 'projects.entity_id')
      .select('runs.pk')
      .where('entities.name', '=', key.entity)
      .where('projects.name', '=', key.project)
      .where('runs.run_id', '=', key.id)
      .executeTakeFirst();
    return row?.pk;
  }

  async listProjects(): Promise<ProjectSummary[]> {
    const rows = await this.db
      .selectFrom('projects')
      .innerJoin('entities', 'entities.id', 'projects.entity_id')
      .leftJoin('runs', 'runs.project_id', 'projects.id')
      .select((eb) => ['entities.name as entity', 'projects.name as name', 'projects.updated_at as lastActivity', eb.fn.count<number>('runs.pk').as('runCount')])
      .groupBy(['entities.name', 'projects.name', 'projects.updated_at'])
      .orderBy('projects.updated_at', 'desc')
      .execute();
    return rows.map((row) => ({ entity: row.entity, name: row.name, lastActivity: row.lastActivity, runCount: Number(row.runCount) }));
  }

  async getRun(key: RunKey): Promise<RunInfo | undefined> {
    const row = await this.runQuery()
      .where('entities.name', '=', key.entity)
      .where('projects.name', '=', key.project)
      .where('runs.run_id', '=', key.id)
      .executeTakeFirst();
    return row && this.toRunInfo(row);
  }

  /**
   * One page of a project's runs, filtered, sorted and counted by the database (run-list.ts);
   * only the page's rows are decoded. An unknown project is an empty list.
   */
  async listRuns(entity: string, project: string, query: RunListQuery): Promise<RunListResult> {
    const time = now();
    const page = await selectRunPage(this.db, this.capabilities, { entity, project, time, heartbeatTimeoutSeconds: this.heartbeatTimeoutSeconds }, query);
    return { runs: page.rows.map((row) => this.toRunInfo(row, time)), total: page.total, next: page.next };
  }

  /** History rows in order, `limit` at a time; the cursor is the next chunk's sequence number. */
  async scanHistory(key: RunKey, cursor: number, limit: number): Promise<{ rows: Array<Record<string, unknown>>; nextCursor: number | null }> {
    const pk = await this.runPk(key);
    if (pk === undefined) throw new CairnError('run_not_found', `no run ${key.entity}/${key.project}/${key.id}`);
    const rows: Array<Record<string, unknown>> = [];
    let seq = cursor;
    for (;;) {
      const chunks = await this.db
        .selectFrom('history_chunks')
        .select(['seq', 'rows'])
        .where('run_pk', '=', pk)
        .where('seq', '>=', seq)
        .orderBy('seq')
        .limit(16)
        .execute();
      if (chunks.length === 0) return { rows, nextCursor: null };
      for (const chunk of chunks) {
        rows.push(...(decodeJson(chunk.rows) as Array<Record<string, unknown>>));
        seq = chunk.seq + 1;
        if (rows.length >= limit) return { rows, nextCursor: seq };
      }
    }
  }

  /** The chunks of one series overlapping [from, to], by first step. */
  async seriesChunks(runPk: number, key: string, from?: number, to?: number): Promise<SeriesChunk[]> {
    return (await this.series.chunks([runPk], key, from, to)).get(runPk) ?? [];
  }

  /** The internal keys of runs, in the order given; undefined for a run that does not exist. */
  async runPks(keys: readonly RunKey[]): Promise<Array<number | undefined>> {
    return (await this.runRefs(keys)).map((ref) => ref?.pk);
  }

  /**
   * The internal keys of runs with their history row counts, in the order given; undefined
   * for a run that does not exist. The count only grows, and every change to a run's series
   * comes with new history rows, so (pk, historyRows) names one version of its series: what
   * the series reader keys its cached chunk lists by.
   */
  async runRefs(keys: readonly RunKey[]): Promise<Array<{ pk: number; historyRows: number } | undefined>> {
    const found = new Map<string, { pk: number; historyRows: number }>();
    const byProject = new Map<string, RunKey[]>();
    for (const key of keys) {
      const project = `${key.entity}\u0000${key.project}`;
      byProject.set(project, [...(byProject.get(project) ?? []), key]);
    }
    for (const group of byProject.values()) {
      const { entity, project } = group[0]!;
      const rows = await this.db
        .selectFrom('runs')
        .innerJoin('projects', 'projects.id', 'runs.project_id')
        .innerJoin('entities', 'entities.id', 'projects.entity_id')
        .select(['runs.pk', 'runs.run_id', 'runs.history_rows'])
        .where('entities.name', '=', entity)
        .where('projects.name', '=', project)
        .where('runs.run_id', 'in', group.map((key) => key.id))
        .execute();
      for (const row of rows) found.set(`${entity}\u0000${project}\u0000${row.run_id}`, { pk: row.pk, historyRows: Number(row.history_rows) });
    }
    return keys.map((key) => found.get(`${key.entity}\u0000${key.project}\u0000${key.id}`));
  }

  async editRun(key: RunKey, edit: { name?: string | null; notes?: string | null; tags?: string[]; group?: string | null; jobType?: string | null }): Promise<RunInfo> {
    const pk = await this.runPk(key);
    if (pk === undefined) throw new CairnError('run_not_found', `no run ${key.entity}/${key.project}/${key.id}`);
    await this.db.transaction().execute(async (tx) => {
      const row = await tx.selectFrom('runs').select('replay').where('pk', '=', pk).executeTakeFirstOrThrow();
      const replay = new RunReplay(decodeJson(row.replay) as RunReplaySnapshot);
      replay.apply({ t: 'run_update', ...edit });
      const set: RunUpdate = { replay: encodeJson(replay.snapshot()), updated_at: now() };
      if (edit.name !== undefined) set.name = edit.name;
      if (edit.notes !== undefined) set.notes = edit.notes;
      if (edit.tags !== undefined) set.tags = JSON.stringify(edit.tags);
      if (edit.group !== undefined) set.group_name = edit.group;
      if (edit.jobType !== undefined) set.job_type = edit.jobType;
      await tx.updateTable('runs').set(set).where('pk', '=', pk).execute();
    });
    return (await this.getRun(key))!;
  }

  async deleteRun(key: RunKey): Promise<boolean> {
    const pk = await this.runPk(key);
    if (pk === undefined) return false;
    await this.db.transaction().execute(async (tx) => {
      for (const table of ['series_chunks', 'history_chunks', 'run_writers'] as const) await tx.deleteFrom(table).where('run_pk', '=', pk).execute();
      await tx.deleteFrom('runs').where('pk', '=', pk).execute();
    });
    return true;
  }

  private runQuery() {
    return this.db
      .selectFrom('runs')
      .innerJoin('projects', 'projects.id', 'runs.project_id')
      .innerJoin('entities', 'entities.id', 'projects.entity_id')
      .selectAll('runs')
      .select(['entities.name as entity_name', 'projects.name as project_name']);
  }

  private toRunInfo(row: RunInfoRow, time = now()): RunInfo {
    let state = row.state as RunState;
    if (state === 'running' && time - row.heartbeat_at > this.heartbeatTimeoutSeconds) state = row.preempting ? 'preempted' : 'crashed';
    return {
      entity: row.entity_name,
      project: row.project_name,
      id: row.run_id,
      name: row.name,
      group: row.group_name,
      jobType: row.job_type,
      tags: JSON.parse(row.tags) as string[],
      notes: row.notes,
      state,
      exitCode: row.exit_code,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      heartbeatAt: row.heartbeat_at,
      startTime: row.start_time,
      runtime: row.runtime,
      lastStep: Number(row.last_step),
      historyRows: Number(row.history_rows),
      config: decodeJson(row.config) as Record<string, unknown>,
      summary: decodeJson(row.summary) as Record<string, unknown>,
      metadata: row.metadata === null ? null : (decodeJson(row.metadata) as Record<string, unknown>),
      metrics: JSON.parse(row.metrics) as RunInfo['metrics'],
    };
  }
}

function newRunRow(projectId: number, runId: string, time: number): NewRun {
  return {
    project_id: projectId,
    run_id: runId,
    tags: '[]',
    state: 'running',
    created_at: time,
    updated_at: time,
    heartbeat_at: time,
    start_time: time,
    runtime: 0,
    last_step: -1,
    history_rows: 0,
    config: encodeJson({}),
    summary: encodeJson({}),
    metrics: '[]',
    replay: encodeJson(new RunReplay().snapshot()),
  };
}


function isIncreasing(steps: readonly number[]): boolean {
  for (let i = 1; i < steps.length; i++) if (steps[i]! <= steps[i - 1]!) return false;
  return true;
}
