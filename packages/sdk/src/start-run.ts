/** Assembles a Run from resolved init options: directory, resume, log writer, config. */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CairnError,
  decodeRecordLog,
  MetricRegistry,
  RECORD_LOG_VERSION,
  RunReplay,
  SummaryState,
  type RunRecord,
} from '@cairn/protocol';
import { crc32 } from 'node:zlib';
import { filterConfigKeys, loadConfigDefaults } from './config.js';
import { parseConfigYaml } from './config-yaml.js';
import { Console } from './console.js';
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

export function startRun(init: ResolvedInit, hooks: StartHooks): Run {
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

  const existing = findRunDir(cairn, id);
  const resuming = existing !== undefined && settings.resume !== null;
  if (existing && settings.resume === 'never') {
    throw new CairnError('run_exists', `init(): run '${id}' already exists in ${existing}; pass resume: 'allow' to continue it, or use another id`);
  }
  if (!existing && settings.resume === 'must') {
    throw new CairnError(
      'run_not_found',
      `init(): resume: 'must' but there is no run '${id}' under ${cairn}; check the id and the dir option (or CAIRN_DIR)`,
    );
  }
  if (existing && settings.resume === null && settings.id !== null) {
    console.warn(`init(): a run with id '${id}' already exists in ${existing}; starting a new run with the same id (pass resume: 'allow' to continue it)`);
  }

  let replay: RunReplay | undefined;
  let runDir: string;
  let truncateTo: number | undefined;
  let firstIndex = 0;
  if (resuming) {
    runDir = existing;
    const logPath = path.join(runDir, logFileName(id));
    const contents = decodeRecordLog(readFileSync(logPath), crc32);
    replay = new RunReplay();
    for (const { record } of contents.records) replay.apply(record);
    truncateTo = contents.validBytes;
    firstIndex = contents.lineCount;
    if (contents.corrupt.length > 0) console.warn(`init(): ${contents.corrupt.length} damaged record(s) in ${logPath} were skipped`);
  } else {
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
  const run = new Run({
    settings,
    id,
    name: settings.name ?? previous?.name ?? generateRunName(listRunDirs(cairn).length),
    project: settings.project,
    entity: settings.entity ?? previous?.entity ?? null,
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
    onFinish: hooks.onFinish,
  });

  run.appendRecord({
    t: 'header',
    version: RECORD_LOG_VERSION,
    writer: `@cairn/sdk ${SDK_VERSION}`,
    writerId: replay?.writerId ?? randomUUID(),
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

  const where = path.relative(process.cwd(), runDir) || runDir;
  if (settings.mode === 'online') {
    console.warnOnce('online', `no Cairn server yet: run ${run.name} (${id}) is logged locally to ${where}`);
  } else {
    console.info(`${resuming ? 'resuming' : 'tracking'} run ${run.name} (${id}) offline in ${where}`);
  }
  return run;
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
