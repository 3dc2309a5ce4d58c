/** Table types for Kysely. JSON columns hold `encodeJson` text, so NaN and bigint survive. */
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface EntityTable {
  id: Generated<number>;
  name: string;
  created_at: number;
}

export interface ProjectTable {
  id: Generated<number>;
  entity_id: number;
  name: string;
  created_at: number;
  /** Last ingest into any of its runs (unix seconds). */
  updated_at: number;
}

export interface RunTable {
  pk: Generated<number>;
  project_id: number;
  run_id: string;
  name: string | null;
  group_name: string | null;
  job_type: string | null;
  /** JSON array of strings. */
  tags: string;
  notes: string | null;
  /** running | finished | failed | preempted (crashed is derived from heartbeat_at at read). */
  state: string;
  exit_code: number | null;
  created_at: number;
  updated_at: number;
  heartbeat_at: number;
  start_time: number;
  runtime: number;
  last_step: number;
  history_rows: number;
  config: string;
  summary: string;
  metadata: string | null;
  metrics: string;
  preempting: Generated<number>;
  stop_requested: Generated<number>;
  /** The RunReplay snapshot that the next batch continues from. */
  replay: string;
}

export interface RunWriterTable {
  run_pk: number;
  writer_id: string;
  next_index: number;
}

export interface HistoryChunkTable {
  run_pk: number;
  seq: number;
  first_step: number;
  last_step: number;
  row_count: number;
  /** encodeJson of the rows array. */
  rows: string;
}

export interface SeriesChunkTable {
  run_pk: number;
  key: string;
  first_step: number;
  last_step: number;
  count: number;
  min: number;
  max: number;
  first_value: number;
  last_value: number;
  data: Uint8Array;
}

export interface UserTable {
  id: Generated<number>;
  name: string;
  created_at: number;
}

export interface ApiKeyTable {
  id: Generated<number>;
  user_id: number;
  /** sha256 of the key, hex: the key itself is shown once and never stored. */
  key_hash: string;
  /** The key's first characters, to tell keys apart in listings. */
  prefix: string;
  created_at: number;
  last_used_at: number | null;
}

/** An alert a run raised with run.alert(); `suppressed` (0/1): a repeat of its title inside the wait. */
export interface AlertTable {
  id: Generated<number>;
  run_pk: number;
  title: string;
  text: string;
  level: string;
  /** Milliseconds after an unsuppressed alert during which the same title is suppressed. */
  wait_ms: number;
  /** Unix seconds, the script's clock when it raised the alert. */
  time: number;
  suppressed: number;
}

/** A run's file: its path under the run's files/ and the BlobStore address of its content. */
export interface FileTable {
  run_pk: number;
  /** Relative, forward slashes (protocol's filePathProblem says what is allowed). */
  path: string;
  /** Hex sha256: the blob's address. */
  sha256: string;
  size: number;
  /** Unix seconds of the last change of content. */
  updated_at: number;
}

export interface Database {
  users: UserTable;
  api_keys: ApiKeyTable;
  entities: EntityTable;
  projects: ProjectTable;
  runs: RunTable;
  run_writers: RunWriterTable;
  history_chunks: HistoryChunkTable;
  series_chunks: SeriesChunkTable;
  files: FileTable;
  alerts: AlertTable;
}

export type RunRow = Selectable<RunTable>;
export type RunUpdate = Updateable<RunTable>;
export type NewRun = Insertable<RunTable>;
export type SeriesChunkRow = Selectable<SeriesChunkTable>;
