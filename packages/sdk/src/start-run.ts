/** Assembles a Run from resolved init options: directory, resume, log writer, config. */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  apiPaths,
  CairnError,
  decodeRecordLog,
  DEFAULT_ENTITY,
  type RunInfo,
  type RunReplaySnapshot,
  MetricRegistry,
  RECORD_LOG_VERSION,
  RunReplay,
  SummaryState,
  type RunRecord,
} from '@cairn/protocol';
import { crc32 } from 'node:zlib';
import { filterConfigKeys, loadConfigDefaults } from './config.js';
import { parseConfigYaml } from './config-yaml.js';
import { DEFAULT_BASE_URL, type Connection } from './connect.js';
import { Console } from './console.js';
import { ConsoleCapture } from './console-capture.js';
import { LiveUploader } from './live-upload.js';
import { collectMetadata, programDir, readGitInfo } from './metadata.js';
import { generateRunId, generateRunName } from './names.js';
import { RecordWriter } from './record-writer.js';
import {
  cairnDir,
  createRunDir,
  FILES_DIR,
  findRunDir,
  linkLatestRun,
  listRunDirs,
  logFileName,
  OUTPUT_LOG_FILE,
  readResumeFile,
  runDirName,
  writeResumeFile,
} from './run-dir.js';
import { Run } from './run.js';
import type { ResolvedInit } from './settings.js';
import { SDK_VERSION } from './version.js';

export interface StartHooks {
  onFinish: (run: Run, exitCode: number) => void;
}

export async function startRun(init: ResolvedInit, hooks: StartHooks, connection?: Connection): Promise<Run> {
  const { settings } = init;
  const console = new Console(settings.silent);
  if (settings.mode === 'disabled') return startDisabledRun(init, console, hooks);

  // Everything that can fail on bad input is checked before anything is written.
  const initialConfig = loadInitialConfig(init);
  const start = new Date();
  const cairn = cairnDir(settings.rootDir);
  let id = settings.id;
  if (settings.resume === 'auto') {
    const saved = readResumeFile(cairn);
    if (id === null) id = saved ?? null;
    else if (saved !== undefined && saved !== id) {
      console.warn(`init(): resume file names run '${saved}' but id '${id}' was given; using '${id}'`);
    }
  }
  id ??= generateRunId();

  const entity = settings.entity ?? connection?.viewer?.entity ?? (connection ? DEFAULT_ENTITY : null);
  const existing = findRunDir(cairn, id);
  // Without a local directory, a server that has the run answers the resume rules.
  const onServer = !existing && settings.resume !== null && connection?.viewer ? await fetchServerRun(connection, entity!, settings.project, id) : undefined;
  const resuming = (existing !== undefined || onServer !== undefined) && settings.resume !== null;
  if ((existing || onServer) && settings.resume === 'never') {
    const where = existing ?? `${connection!.baseUrl} (${entity}/${settings.project})`;
    throw new CairnError('run_exists', `init(): run '${id}' already exists in ${where}; pass resume: 'allow' to continue it, or use another id`);
  }
  if (!existing && !onServer && settings.resume === 'must') {
    const places = connection?.viewer ? `under ${cairn} or on ${connection.baseUrl}` : `under ${cairn}`;
    throw new CairnError('run_not_found', `init(): resume: 'must' but there is no run '${id}' ${places}; check the id and the dir option (or CAIRN_DIR)`);
  }
  if (existing && settings.resume === null && settings.id !== null) {
    console.warn(`init(): a run with id '${id}' already exists in ${existing}; starting a new run with the same id (pass resume: 'allow' to continue it)`);
  }

  let replay: RunReplay | undefined;
  let runDir: string;
  let truncateTo: number | undefined;
  let firstIndex = 0;
  if (resuming && existing) {
    runDir = existing;
    const logPath = path.join(runDir, logFileName(id));
    const contents = decodeRecordLog(readFileSync(logPath), crc32);
    replay = new RunReplay();
    for (const { record } of contents.records) replay.apply(record);
    truncateTo = contents.validBytes;
    firstIndex = contents.lineCount;
    if (contents.corrupt.length > 0) console.warn(`init(): ${contents.corrupt.length} damaged record(s) in ${logPath} were skipped`);
  } else {
    if (onServer) replay = new RunReplay(replaySnapshotOf(onServer));
    runDir = createRunDir(cairn, runDirName(settings.mode, start, id));
  }
  linkLatestRun(cairn, runDir);
  if (settings.resume === 'auto') writeResumeFile(cairn, id);

  const previous: RunRecord | undefined = replay?.run;
  const nowSeconds = start.getTime() / 1000;
  const filesDir = path.join(runDir, FILES_DIR);
  const metadata = collectMetadata(settings.program, settings.rootDir, start);
  const git = readGitInfo(programDir(settings.program));
  if (git) metadata.git = git;

  const writer = new RecordWriter(path.join(runDir, logFileName(id)), { truncateTo, firstIndex });
  const metrics = replay?.metrics ?? new MetricRegistry();
  const consoleCapture =
    settings.console === 'off' ? undefined : new ConsoleCapture(path.join(filesDir, OUTPUT_LOG_FILE), { onError: (message) => console.warn(message) });
  const run = new Run({
    settings,
    id,
    name: settings.name ?? previous?.name ?? generateRunName(listRunDirs(cairn).length),
    project: settings.project,
    entity: settings.entity ?? previous?.entity ?? entity,
    group: settings.group ?? previous?.group ?? null,
    jobType: settings.jobType ?? previous?.jobType ?? null,
    tags: settings.tags.length > 0 ? [...settings.tags] : [...(previous?.tags ?? [])],
    notes: settings.notes ?? previous?.notes ?? null,
    mode: settings.mode,
    sweepId: null,
    startTime: replay ? nowSeconds - replay.lastRuntime : nowSeconds,
    startingStep: replay ? replay.lastStep + 1 : 0,
    resumed: resuming,
    filesDir,
    runDir,
    writer,
    metrics,
    summary: replay?.summary ?? new SummaryState(metrics),
    metadata,
    console,
    consoleCapture,
    onFinish: hooks.onFinish,
  });

  const writerId = replay?.writerId ?? randomUUID();
  run.appendRecord({
    t: 'header',
    version: RECORD_LOG_VERSION,
    writer: `@cairn/sdk ${SDK_VERSION}`,
    writerId,
    pid: process.pid,
    time: nowSeconds,
  });
  const runRecord: RunRecord = {
    t: 'run',
    id,
    project: run.project,
    entity: run.entity,
    name: run.name,
    group: run.group,
    jobType: run.jobType,
    tags: [...run.tags],
    notes: run.notes,
    startTime: run.startTime,
    startingStep: run.startingStep,
    resumed: run.resumed,
    sweepId: run.sweepId,
    mode: run.mode,
  };
  run.appendRecord(runRecord);
  applyInitialConfig(run, init.sweepConfig, replay?.config, initialConfig);
  run.writeMetadata();
  run.appendRecord({ t: 'metadata', metadata: { ...metadata } });
  run.flush();

  // From here on, what the process prints goes to output.log too (the SDK's own lines included).
  consoleCapture?.start();
  const where = path.relative(process.cwd(), runDir) || runDir;
  const verb = resuming ? 'resuming' : 'tracking';
  if (connection) {
    const uploader = new LiveUploader({
      baseUrl: connection.baseUrl,
      apiKey: connection.apiKey,
      entity: run.entity!,
      project: run.project,
      runId: id,
      writerId,
      logFile: path.join(runDir, logFileName(id)),
      console,
      heartbeatSeconds: typeof settings.extra.heartbeatSeconds === 'number' ? settings.extra.heartbeatSeconds : undefined,
      runDir,
      liveFilesSeconds: typeof settings.extra.liveFilesSeconds === 'number' ? settings.extra.liveFilesSeconds : undefined,
      onStopRequested: () => void run.stopFromServer(),
    });
    run.attachUploader(uploader, connection.baseUrl);
    uploader.start();
    console.info(`${verb} run ${run.name} (${id}) at ${run.url} (local copy in ${where})`);
  } else if (init.fellBackOffline) {
    console.info(
      `no Cairn server answers at ${DEFAULT_BASE_URL}, so run ${run.name} (${id}) is offline in ${where}. ` +
        'Start one with `npx cairn server`, then upload with `npx cairn sync`.',
    );
  } else {
    console.info(`${verb} run ${run.name} (${id}) offline in ${where}`);
  }
  return run;
}

/** The run as the server has it, or undefined when it has none by that id. */
async function fetchServerRun(connection: Connection, entity: string, project: string, id: string): Promise<RunInfo | undefined> {
  let response: Response;
  try {
    response = await fetch(connection.baseUrl + apiPaths.run(entity, project, id), {
      headers: connection.apiKey ? { authorization: `Bearer ${connection.apiKey}` } : {},
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new CairnError('not_available', `init(): cannot ask ${connection.baseUrl} about run '${id}' to resume it: ${(error as Error).message}`);
  }
  if (response.status === 404) return undefined;
  const body = (await response.json().catch(() => undefined)) as (RunInfo & { error?: { message?: string } }) | undefined;
  if (response.status !== 200 || !body) {
    throw new CairnError('not_available', `init(): ${connection.baseUrl} answered ${response.status} about run '${id}': ${body?.error?.message ?? 'no details'}`);
  }
  return body;
}

/** A replay that continues a run the server has (its aggregates restart from the server's summary). */
function replaySnapshotOf(run: RunInfo): RunReplaySnapshot {
  return {
    run: {
      t: 'run', id: run.id, project: run.project, entity: run.entity, name: run.name, group: run.group, jobType: run.jobType,
      tags: run.tags, notes: run.notes, startTime: run.startTime, startingStep: 0, resumed: false, sweepId: null, mode: 'online',
    },
    config: run.config,
    metrics: run.metrics,
    summary: { summary: run.summary, aggregates: [], lastLogged: [] },
    lastStep: run.lastStep,
    lastRuntime: run.runtime,
    historyRows: run.historyRows,
    exit: undefined,
    preempting: false,
    metadata: run.metadata ?? undefined,
    header: undefined,
    writerId: undefined,
  };
}

/** init's config: config-defaults.yaml under the init config (a file or an object), filtered. */
function loadInitialConfig(init: ResolvedInit): Record<string, unknown> {
  const defaults = loadConfigDefaults(process.cwd()) ?? {};
  let given: Record<string, unknown> = {};
  if (typeof init.config === 'string') {
    const file = path.resolve(process.cwd(), init.config);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new CairnError('usage', `init(): cannot read config file ${file}: ${(error as Error).message}`);
    }
    given = parseConfigYaml(text, file);
  } else if (init.config !== undefined) {
    given = init.config;
  }
  return filterConfigKeys({ ...defaults, ...given }, init.configIncludeKeys, init.configExcludeKeys);
}

/**
 * Config at init, in the reference's order: sweep parameters first, locked; then values
 * loaded back on resume (no change checks); then the init config (it wins over resumed
 * values; sweep-locked keys keep the sweep's value, silently).
 */
function applyInitialConfig(
  run: Run,
  sweepConfig: Record<string, unknown> | undefined,
  resumed: Record<string, unknown> | undefined,
  initial: Record<string, unknown>,
): void {
  if (sweepConfig !== undefined) run.config.updateLocked(sweepConfig, 'sweep');
  if (resumed) run.config.update(resumed, { allowValChange: true });
  if (Object.keys(initial).length > 0) run.config.update(initial, { allowValChange: true, warnLocked: false });
}

function startDisabledRun(init: ResolvedInit, console: Console, hooks: StartHooks): Run {
  const id = generateRunId();
  const metrics = new MetricRegistry();
  const run = new Run({
    settings: init.settings,
    id,
    name: `dummy-${id}`,
    project: init.settings.project,
    entity: init.settings.entity,
    group: init.settings.group,
    jobType: init.settings.jobType,
    tags: [...init.settings.tags],
    notes: init.settings.notes,
    mode: 'disabled',
    sweepId: null,
    startTime: Date.now() / 1000,
    startingStep: 0,
    resumed: false,
    filesDir: os.tmpdir(),
    runDir: null,
    writer: null,
    metrics,
    summary: new SummaryState(metrics),
    metadata: null,
    console,
    onFinish: hooks.onFinish,
  });
  applyInitialConfig(run, init.sweepConfig, undefined, loadInitialConfig(init));
  return run;
}
