/** `cairn sync [DIR…]`: uploads run directories to a server; safe to repeat. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isCairnError } from '@cairn/protocol';
import { findRunDirectories, isSynced, readStoredApiKey, uploadRunDirectory } from '@cairn/sdk';
import { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, parseCommandArgs, type CliContext, type Command } from './common.js';
import { ProgressLine } from './progress.js';

const DEFAULT_BASE_URL = 'http://127.0.0.1:8080';

const HELP = `Usage: cairn sync [DIR...] [options]

Upload offline or unfinished runs to a Cairn server. Each DIR is a run directory, a cairn/
directory, or a directory that holds cairn/ (default: ./cairn). Runs whose upload completed
after they finished are marked synced and skipped next time. Running it again is always safe:
the server applies each record once.

Options:
      --base-url URL     the server (default $CAIRN_BASE_URL, or ${DEFAULT_BASE_URL})
      --api-key KEY      API key (default $CAIRN_API_KEY, else the key \`cairn login\` saved
                         for the server)
      --include-synced   upload runs already marked synced too
  -h, --help             show this help
`;

export const syncCommand: Command = {
  name: 'sync',
  summary: 'upload offline or unfinished runs to a server',
  help: HELP,
  run: runSync,
};

interface Tally {
  uploaded: number;
  records: number;
  upToDate: number;
  unfinished: number;
  skipped: number;
  failed: number;
}

async function runSync(args: string[], context: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(() =>
    parseArgs({
      args,
      options: {
        'base-url': { type: 'string' },
        'api-key': { type: 'string' },
        'include-synced': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    }),
  );
  if (values.help) {
    context.stdout.write(HELP);
    return EXIT_OK;
  }
  const { stdout, stderr } = context;
  const baseUrl = (values['base-url'] ?? nonEmpty(context.env.CAIRN_BASE_URL) ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const apiKey = values['api-key'] ?? nonEmpty(context.env.CAIRN_API_KEY) ?? readStoredApiKey(baseUrl, context.env);

  const defaultDir = path.join(context.cwd, 'cairn');
  if (positionals.length === 0 && !existsSync(defaultDir)) {
    stdout.write(`nothing to sync: there is no ./cairn directory in ${context.cwd}; pass the directories to sync\n`);
    return EXIT_OK;
  }
  let runDirs: string[];
  try {
    runDirs = findRunDirectories(positionals.length === 0 ? [defaultDir] : positionals.map((p) => path.resolve(context.cwd, p)));
  } catch (error) {
    stderr.write(`cairn sync: ${(error as Error).message}\n`);
    return EXIT_FAILED;
  }
  if (runDirs.length === 0) {
    stdout.write(`nothing to sync: no run directories in ${(positionals.length === 0 ? ['./cairn'] : positionals).join(', ')}\n`);
    return EXIT_OK;
  }

  const tally: Tally = { uploaded: 0, records: 0, upToDate: 0, unfinished: 0, skipped: 0, failed: 0 };
  const progress = stderr.isTTY ? new ProgressLine(stderr) : undefined;
  for (const [position, runDir] of runDirs.entries()) {
    const label = displayPath(context.cwd, runDir);
    if (!values['include-synced'] && isSynced(runDir)) {
      tally.skipped++;
      continue;
    }
    try {
      const result = await uploadRunDirectory(runDir, {
        baseUrl,
        apiKey,
        signal: context.signal,
        onProgress: progress && ((p) => progress.update(label, p.sentBytes, p.totalBytes, p.sentBytes === 0 || p.sentBytes === p.totalBytes)),
      });
      progress?.clear();
      const where = `${baseUrl}/${encodeURIComponent(result.entity)}/${encodeURIComponent(result.project)}/runs/${encodeURIComponent(result.runId)}`;
      const what = result.records > 0 ? `${result.records} new record${result.records === 1 ? '' : 's'}` : 'up to date';
      const state = result.finished ? '' : ' (not finished yet: sync again after it ends)';
      stdout.write(`${label}: ${what} → ${where}${state}\n`);
      if (result.records > 0) tally.uploaded++;
      else tally.upToDate++;
      if (!result.finished) tally.unfinished++;
      tally.records += result.records;
    } catch (error) {
      progress?.clear();
      if (context.signal?.aborted) {
        stderr.write(`cairn sync: interrupted during ${label}; run it again to continue where it stopped\n`);
        return EXIT_INTERRUPTED;
      }
      tally.failed++;
      stderr.write(`${label}: failed: ${(error as Error).message}\n`);
      // With the server unreachable every other run would fail the same way, slowly.
      if (isCairnError(error, 'not_available')) {
        const rest = runDirs.length - position - 1;
        if (rest > 0) stderr.write(`cairn sync: stopped; ${rest} more run${rest === 1 ? '' : 's'} not tried\n`);
        tally.failed += rest;
        break;
      }
    }
  }
  stdout.write(`${summarize(tally, baseUrl)}\n`);
  return tally.failed > 0 ? EXIT_FAILED : EXIT_OK;
}

function summarize(tally: Tally, baseUrl: string): string {
  const runs = (n: number): string => `${n} run${n === 1 ? '' : 's'}`;
  const parts: string[] = [];
  if (tally.uploaded > 0) parts.push(`${runs(tally.uploaded)} uploaded (${tally.records} new record${tally.records === 1 ? '' : 's'})`);
  else if (tally.failed === 0) parts.push('nothing new to upload');
  if (tally.upToDate > 0) parts.push(`${runs(tally.upToDate)} already up to date`);
  if (tally.skipped > 0) parts.push(`${runs(tally.skipped)} skipped as already synced (--include-synced checks them again)`);
  if (tally.unfinished > 0) parts.push(`${runs(tally.unfinished)} not finished yet`);
  if (tally.failed > 0) parts.push(`${runs(tally.failed)} failed`);
  return `sync to ${baseUrl}: ${parts.join('; ')}`;
}

/** A run directory as the user would type it: relative to the working directory when inside it. */
function displayPath(cwd: string, dir: string): string {
  const relative = path.relative(cwd, dir);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? dir : relative;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
