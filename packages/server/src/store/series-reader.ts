/**
 * Reading series chunks for charts. Chunk data (steps, values, block summaries) is large,
 * and is served from an in-process LRU cache of bounded size. A chunk only ever changes by
 * having points appended, so (run, key, first step, count) names one version of its data
 * exactly: a cached entry is never stale, only unused.
 *
 * Chunk metadata (range and summaries) is small and read from the database, or, when the
 * caller passes each run's history row count, from a second cache keyed by it: a run's
 * series change only when it gets history rows, so a list cached at the count the caller
 * just read from the database is the current one. A chart of 100 runs then costs one small
 * query for the runs, not a read of every chunk's row. The same count keys a third cache,
 * of whole answers: a series' M4 buckets for one query (axis, range, buckets), so a chart
 * opened again over runs that got no rows since costs no bucketing at all. All three are
 * optimisations only; another server process sharing the database has its own, and stays
 * correct because the counts come from the database.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { M4Columns } from '../series/m4.js';
import type { SeriesChunk } from '../series/series-chunk.js';

/** Default bytes of chunk data kept in memory. */
export const DEFAULT_CHUNK_CACHE_BYTES = 256 * 1024 * 1024;
/** Bytes of M4 answers kept: 1,400 series of 323 buckets, or 100 series of 4,500. */
export const ANSWER_CACHE_BYTES = 32 * 1024 * 1024;
/** Most parameters of one IN (...) list: well below SQLite's and PostgreSQL's limits. */
const IN_LIST_LIMIT = 500;
/** Series whose chunk lists are kept (a few hundred bytes per chunk each). */
const META_CACHE_SERIES = 20_000;

interface ChunkMeta {
  run_pk: number;
  first_step: number;
  last_step: number;
  count: number;
  min: number;
  max: number;
  first_value: number;
  last_value: number;
}

export class SeriesReader {
  private readonly cache = new Map<string, Uint8Array>();
  private cachedBytes = 0;
  /** (run, key) → its whole chunk list, as of the run's history row count `version`. */
  private readonly metaCache = new Map<string, { version: number; metas: ChunkMeta[] }>();
  /** {@link answerKey} → a series' M4 answer; least recently used first. */
  private readonly answers = new Map<string, M4Columns>();
  private answerBytes = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly cacheBytes = DEFAULT_CHUNK_CACHE_BYTES,
  ) {}

  /**
   * For each run in `runPks`, the chunks of series `key` that overlap [from, to] (the whole
   * series when absent), ordered by first step. Runs without the series are absent from the
   * map. `versions` (run → history row count, read from the database for this request) lets
   * the chunk lists come from memory when the run has not changed since they were read.
   */
  async chunks(runPks: readonly number[], key: string, from?: number, to?: number, versions?: ReadonlyMap<number, number>): Promise<Map<number, SeriesChunk[]>> {
    const out = new Map<number, SeriesChunk[]>();
    const metas = versions === undefined ? await this.readMetas(runPks, key, from, to) : await this.cachedMetas(runPks, key, from, to, versions);
    // Hits are taken before loading (which may evict them); what is loaded is used as loaded.
    const hits = new Map<string, Uint8Array>();
    const missing: ChunkMeta[] = [];
    for (const meta of metas) {
      const data = this.touch(cacheKey(meta, key));
      if (data) hits.set(cacheKey(meta, key), data);
      else missing.push(meta);
    }
    const loaded = await this.load(key, missing);
    for (const listed of metas) {
      const fresh = loaded.get(`${listed.run_pk}\u0000${listed.first_step}`);
      const meta = fresh ?? listed;
      const data = fresh ? fresh.data : hits.get(cacheKey(listed, key));
      if (!data) continue; // deleted since it was listed
      let list = out.get(Number(meta.run_pk));
      if (!list) out.set(Number(meta.run_pk), (list = []));
      list.push(toChunk(meta, data));
    }
    return out;
  }

  /** Chunk metadata from the database, restricted to [from, to], by run then first step. */
  private async readMetas(runPks: readonly number[], key: string, from?: number, to?: number): Promise<ChunkMeta[]> {
    const metas: ChunkMeta[] = [];
    for (const group of groups(runPks)) {
      let query = this.db
        .selectFrom('series_chunks')
        .select(['run_pk', 'first_step', 'last_step', 'count', 'min', 'max', 'first_value', 'last_value'])
        .where('run_pk', 'in', group)
        .where('key', '=', key);
      if (from !== undefined) query = query.where('last_step', '>=', from);
      if (to !== undefined) query = query.where('first_step', '<=', to);
      metas.push(...(await query.orderBy('run_pk').orderBy('first_step').execute()));
    }
    return metas;
  }

  /** Chunk metadata from the cache where the run's version matches; whole series read for the rest. */
  private async cachedMetas(runPks: readonly number[], key: string, from: number | undefined, to: number | undefined, versions: ReadonlyMap<number, number>): Promise<ChunkMeta[]> {
    const lists = new Map<number, ChunkMeta[]>();
    const stale: number[] = [];
    const unique = [...new Set(runPks)];
    for (const pk of unique) {
      const cacheKeyText = `${pk}\u0000${key}`;
      const cached = this.metaCache.get(cacheKeyText);
      if (cached !== undefined && cached.version === versions.get(pk)) {
        this.metaCache.delete(cacheKeyText);
        this.metaCache.set(cacheKeyText, cached);
        lists.set(pk, cached.metas);
      } else {
        stale.push(pk);
      }
    }
    if (stale.length > 0) {
      const read = await this.readMetas(stale, key);
      for (const pk of stale) lists.set(pk, []);
      for (const meta of read) lists.get(Number(meta.run_pk))!.push(meta);
      for (const pk of stale) {
        const version = versions.get(pk);
        if (version === undefined) continue;
        this.metaCache.set(`${pk}\u0000${key}`, { version, metas: lists.get(pk)! });
        if (this.metaCache.size > META_CACHE_SERIES) this.metaCache.delete(this.metaCache.keys().next().value!);
      }
    }
    const metas: ChunkMeta[] = [];
    for (const pk of unique) {
      for (const meta of lists.get(pk) ?? []) {
        if ((from === undefined || meta.last_step >= from) && (to === undefined || meta.first_step <= to)) metas.push(meta);
      }
    }
    return metas;
  }

  /**
   * The last chunk of each of `keys` for one run (inside the ingest transaction `db`): one
   * metadata query, the data from the cache when it holds that version.
   */
  async tails(db: Kysely<Database>, runPk: number, keys: readonly string[]): Promise<Map<string, SeriesChunk>> {
    const out = new Map<string, SeriesChunk>();
    for (const group of groups(keys)) {
      const metas = await db
        .selectFrom('series_chunks as c')
        .select(['c.run_pk', 'c.key', 'c.first_step', 'c.last_step', 'c.count', 'c.min', 'c.max', 'c.first_value', 'c.last_value'])
        .where('c.run_pk', '=', runPk)
        .where('c.key', 'in', group)
        .where((eb) =>
          eb(
            'c.first_step',
            '=',
            eb
              .selectFrom('series_chunks as t')
              .select((inner) => inner.fn.max('t.first_step').as('first_step'))
              .whereRef('t.run_pk', '=', 'c.run_pk')
              .whereRef('t.key', '=', 'c.key'),
          ),
        )
        .execute();
      for (const meta of metas) {
        let data = this.touch(cacheKey(meta, meta.key));
        if (!data) {
          const row = await db
            .selectFrom('series_chunks')
            .select('data')
            .where('run_pk', '=', runPk)
            .where('key', '=', meta.key)
            .where('first_step', '=', meta.first_step)
            .executeTakeFirstOrThrow();
          data = toBytes(row.data);
          this.put(cacheKey(meta, meta.key), data);
        }
        out.set(meta.key, toChunk(meta, data));
      }
    }
    return out;
  }

  /** Keeps the version of a chunk that was just written (so that the next read needs no blob). */
  remember(runPk: number, key: string, chunk: SeriesChunk): void {
    this.put(cacheKey({ run_pk: runPk, first_step: chunk.firstStep, count: chunk.count }, key), chunk.data);
  }

  /**
   * The M4 answer kept for `key` (see {@link answerKey}), or undefined. Shared between
   * requests: never mutate it.
   */
  cachedAnswer(key: string): M4Columns | undefined {
    const columns = this.answers.get(key);
    if (columns) {
      this.answers.delete(key);
      this.answers.set(key, columns);
    }
    return columns;
  }

  /** Keeps an M4 answer just computed for `key`, evicting the least recently used past the budget. */
  rememberAnswer(key: string, columns: M4Columns): void {
    if (this.answers.has(key)) return;
    this.answers.set(key, columns);
    this.answerBytes += columnsBytes(columns);
    for (const [oldest, old] of this.answers) {
      if (this.answerBytes <= ANSWER_CACHE_BYTES) break;
      this.answers.delete(oldest);
      this.answerBytes -= columnsBytes(old);
    }
  }

  /** Drops every kept M4 answer (the benchmarks time computing answers with it). */
  forgetAnswers(): void {
    this.answers.clear();
    this.answerBytes = 0;
  }

  /** Bytes of chunk data held in memory. */
  get heldBytes(): number {
    return this.cachedBytes;
  }

  /** Reads the missing chunks whole (metadata too: a chunk may have grown since it was listed). */
  private async load(key: string, missing: ChunkMeta[]): Promise<Map<string, ChunkMeta & { data: Uint8Array }>> {
    const loaded = new Map<string, ChunkMeta & { data: Uint8Array }>();
    const byRun = new Map<number, number[]>();
    for (const meta of missing) {
      const steps = byRun.get(Number(meta.run_pk)) ?? [];
      steps.push(Number(meta.first_step));
      byRun.set(Number(meta.run_pk), steps);
    }
    for (const [runPk, steps] of byRun) {
      for (const group of groups(steps)) {
        const rows = await this.db
          .selectFrom('series_chunks')
          .select(['run_pk', 'first_step', 'last_step', 'count', 'min', 'max', 'first_value', 'last_value', 'data'])
          .where('run_pk', '=', runPk)
          .where('key', '=', key)
          .where('first_step', 'in', group)
          .execute();
        for (const row of rows) {
          const chunk = { ...row, data: toBytes(row.data) };
          loaded.set(`${row.run_pk}\u0000${row.first_step}`, chunk);
          this.put(cacheKey(row, key), chunk.data);
        }
      }
    }
    return loaded;
  }

  private touch(cacheKeyText: string): Uint8Array | undefined {
    const data = this.cache.get(cacheKeyText);
    if (data) {
      // Map order is insertion order: re-inserting marks the entry as most recently used.
      this.cache.delete(cacheKeyText);
      this.cache.set(cacheKeyText, data);
    }
    return data;
  }

  private put(cacheKeyText: string, data: Uint8Array): void {
    if (this.cache.has(cacheKeyText)) return;
    this.cache.set(cacheKeyText, data);
    this.cachedBytes += data.byteLength;
    for (const [oldest, bytes] of this.cache) {
      if (this.cachedBytes <= this.cacheBytes) break;
      this.cache.delete(oldest);
      this.cachedBytes -= bytes.byteLength;
    }
  }
}

/**
 * Names one series' M4 answer exactly: the run, its history row count `version` (read from
 * the database for this request: the run's series change only with new rows), the key, the
 * x-axis, the range asked for (none: the whole series) and the bucket count.
 *
 * An answer computed from chunks read after the version is at least as new as the version,
 * never older, so it may be kept under it.
 */
export function answerKey(runPk: number, version: number, key: string, x: string, range: readonly [number, number] | undefined, buckets: number): string {
  return `${runPk}\u0000${version}\u0000${key}\u0000${x}\u0000${range ? `${range[0]}\u0000${range[1]}` : ''}\u0000${buckets}`;
}

function columnsBytes(columns: M4Columns): number {
  return 9 * columns.counts.byteLength;
}

function toChunk(meta: ChunkMeta, data: Uint8Array): SeriesChunk {
  return {
    firstStep: Number(meta.first_step),
    lastStep: Number(meta.last_step),
    count: meta.count,
    min: meta.min,
    max: meta.max,
    first: meta.first_value,
    last: meta.last_value,
    data,
  };
}

function cacheKey(meta: { run_pk: number; first_step: number; count: number }, key: string): string {
  return `${meta.run_pk}\u0000${key}\u0000${meta.first_step}\u0000${meta.count}`;
}

function toBytes(data: Uint8Array | ArrayBuffer): Uint8Array {
  return data instanceof Uint8Array ? data : new Uint8Array(data);
}

function* groups<T>(items: readonly T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += IN_LIST_LIMIT) yield items.slice(i, i + IN_LIST_LIMIT);
}
