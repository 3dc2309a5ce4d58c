/**
 * Sampled history (the reference's `run.history(samples=…)`): at most `samples` full-fidelity
 * rows, evenly spaced over the run's rows, always with the first and the last. With `keys`,
 * rows are cut down to `_step` and those keys, and rows holding none of them are left out
 * before sampling, so a sparse metric still gets up to `samples` rows of its own.
 */
import { CairnError, decodeJson, splitPath } from '@cairn/protocol';
import type { RunKey, Store } from '../store/store.js';

export type HistoryRow = Record<string, unknown>;

export interface SampleOptions {
  /** Columns to keep besides `_step` (top-level keys, or escaped dotted paths into nested values). */
  keys?: string[];
  /** Most rows to return, ≥ 1. */
  samples: number;
}

/** Rows read per store page when every row must be looked at (sampling with keys). */
const SCAN_PAGE_ROWS = 10_000;
/** Chunks fetched per query when only some chunks hold sampled rows. */
const CHUNKS_PER_QUERY = 200;

/**
 * Up to `samples` rows of the run, in `_step` order.
 *
 * @example
 * await sampleHistory(store, { entity: 'local', project: 'p', id: 'r1' }, { keys: ['loss'], samples: 500 });
 */
export async function sampleHistory(store: Store, key: RunKey, options: SampleOptions): Promise<HistoryRow[]> {
  const { keys, samples } = options;
  if (!Number.isSafeInteger(samples) || samples < 1) throw new CairnError('invalid_argument', `samples must be a positive integer, got ${samples}`);
  let rows: HistoryRow[];
  if (keys === undefined) {
    rows = await sampleAllRows(store, key, samples);
  } else {
    const matching: HistoryRow[] = [];
    for (let cursor: number | null = 0; cursor !== null; ) {
      const page = await store.scanHistory(key, cursor, SCAN_PAGE_ROWS);
      matching.push(...restrictToKeys(page.rows, keys));
      cursor = page.nextCursor;
    }
    sortByStep(matching);
    rows = evenlySpacedIndices(matching.length, samples).map((i) => matching[i]!);
  }
  return sortByStep(rows);
}

/**
 * Each row cut down to `_step` and `keys`; rows that hold none of `keys` are dropped. A key
 * names a top-level column, or else an escaped dotted path into a nested value (`train.acc`),
 * which comes back as a column of that name.
 */
export function restrictToKeys(rows: readonly HistoryRow[], keys: readonly string[]): HistoryRow[] {
  const paths = keys.map((key) => ({ key, path: splitPath(key) }));
  const out: HistoryRow[] = [];
  for (const row of rows) {
    const picked: HistoryRow = { _step: row._step };
    let found = false;
    for (const { key, path } of paths) {
      const value = Object.prototype.hasOwnProperty.call(row, key) ? row[key] : path.length > 1 ? nested(row, path) : undefined;
      if (value === undefined) continue;
      picked[key] = value;
      found = true;
    }
    if (found) out.push(picked);
  }
  return out;
}

/**
 * `count` indices spread evenly over 0…total-1, first and last included (just 0 when count
 * is 1); all of them when total ≤ count. Strictly increasing: the spacing is ≥ 1.
 */
export function evenlySpacedIndices(total: number, count: number): number[] {
  if (total <= count) return Array.from({ length: total }, (_, i) => i);
  if (count === 1) return [0];
  const spacing = (total - 1) / (count - 1);
  return Array.from({ length: count }, (_, k) => Math.round(k * spacing));
}

/** Without keys every row counts, so the chunk sizes say where each sampled row lives: only those chunks are decoded. */
async function sampleAllRows(store: Store, key: RunKey, samples: number): Promise<HistoryRow[]> {
  const pk = await store.runPk(key);
  if (pk === undefined) throw new CairnError('run_not_found', `no run ${key.entity}/${key.project}/${key.id}`);
  const chunks = await store.db.selectFrom('history_chunks').select(['seq', 'row_count']).where('run_pk', '=', pk).orderBy('seq').execute();
  const starts: number[] = [];
  let total = 0;
  for (const chunk of chunks) {
    starts.push(total);
    total += Number(chunk.row_count);
  }
  // Which rows of which chunk: indices are increasing, so one pass assigns them.
  const wanted = new Map<number, number[]>();
  let c = 0;
  for (const index of evenlySpacedIndices(total, samples)) {
    while (index >= starts[c]! + Number(chunks[c]!.row_count)) c++;
    const seq = chunks[c]!.seq;
    let offsets = wanted.get(seq);
    if (!offsets) wanted.set(seq, (offsets = []));
    offsets.push(index - starts[c]!);
  }
  const seqs = [...wanted.keys()];
  const rows: HistoryRow[] = [];
  for (let i = 0; i < seqs.length; i += CHUNKS_PER_QUERY) {
    const batch = await store.db
      .selectFrom('history_chunks')
      .select(['seq', 'rows'])
      .where('run_pk', '=', pk)
      .where('seq', 'in', seqs.slice(i, i + CHUNKS_PER_QUERY))
      .orderBy('seq')
      .execute();
    for (const chunk of batch) {
      const chunkRows = decodeJson(chunk.rows) as HistoryRow[];
      for (const offset of wanted.get(chunk.seq) ?? []) rows.push(chunkRows[offset]!);
    }
  }
  return rows;
}

function nested(row: HistoryRow, path: readonly string[]): unknown {
  let node: unknown = row;
  for (const part of path) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/**
 * Rows are stored in arrival order, which is `_step` order for one writer; several writers
 * of a shared run may interleave, so the answer is sorted (stable: equal steps keep arrival order).
 */
function sortByStep(rows: HistoryRow[]): HistoryRow[] {
  const step = (row: HistoryRow): number => (typeof row._step === 'number' ? row._step : -Infinity);
  return rows.sort((a, b) => step(a) - step(b) || 0);
}
