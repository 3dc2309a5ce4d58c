/** `cairn server`: the tracking server in the foreground until SIGINT or SIGTERM. */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startServer } from '@cairn/server';
import { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, parseCommandArgs, UsageError, type CliContext, type Command } from './common.js';

const DEFAULT_PORT = 8080;
const DEFAULT_HOST = '127.0.0.1';

const HELP = `Usage: cairn server [options]

Start the Cairn tracking server: the HTTP API with an embedded SQLite store and blob files
under one data directory, or PostgreSQL with --db. Ctrl+C (SIGINT) or SIGTERM stops it after
in-flight requests finish.

Options:
  -p, --port N     port to listen on (default ${DEFAULT_PORT}; 0 picks a free port)
      --host H     address to listen on (default ${DEFAULT_HOST})
      --data DIR   data directory (default $CAIRN_DATA, or ~/.cairn)
      --db URL     database for runs and history: sqlite:FILE or postgres://…
                   (default: SQLite in the data directory)
      --heartbeat-timeout S
                   seconds without a heartbeat after which a running run reads as
                   crashed (default 300)
      --alert-webhook URL
                   POST each alert a run raises with run.alert() to URL as JSON
                   (a Slack or Mattermost incoming webhook shows its "text";
                   default $CAIRN_ALERT_WEBHOOK, or none)
  -h, --help       show this help
`;

export const serverCommand: Command = {
  name: 'server',
  summary: 'start the tracking server',
  help: HELP,
  run: runServer,
};

async function runServer(args: string[], context: CliContext): Promise<number> {
  const { values } = parseCommandArgs(() =>
    parseArgs({
      args,
      options: {
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        data: { type: 'string' },
        db: { type: 'string' },
        'heartbeat-timeout': { type: 'string' },
        'alert-webhook': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }),
  );
  if (values.help) {
    context.stdout.write(HELP);
    return EXIT_OK;
  }
  const port = parsePort(values.port);
  const heartbeatTimeoutSeconds = parseSeconds(values['heartbeat-timeout']);
  const host = values.host ?? DEFAULT_HOST;
  const dataDir = path.resolve(context.cwd, values.data ?? context.env.CAIRN_DATA ?? path.join(os.homedir(), '.cairn'));

  const alertWebhook = values['alert-webhook'] ?? (context.env.CAIRN_ALERT_WEBHOOK || undefined);
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({ port, host, dataDir, db: values.db, quiet: true, heartbeatTimeoutSeconds, alertWebhook });
  } catch (error) {
    context.stderr.write(`cairn server: ${startFailure(error, host, port)}\n`);
    return EXIT_FAILED;
  }
  // A webhook URL carries its secret in the path: only its host is printed.
  const alerts = alertWebhook === undefined ? '' : `  alerts: POSTed to ${new URL(alertWebhook).host}\n`;
  context.stdout.write(`Cairn server listening on ${server.url}\n  data: ${values.db ? `${redact(values.db)} (blobs in ${dataDir})` : dataDir}\n${alerts}  stop: Ctrl+C\n`);

  const stop = await waitForStop(context.signal).done;
  context.stderr.write(`cairn server: ${stop}, finishing in-flight requests (press Ctrl+C again to quit now)\n`);
  const second = waitForStop(undefined);
  const outcome = await Promise.race([server.close().then(() => 'closed' as const), second.done.then(() => 'forced' as const)]);
  second.cancel();
  if (outcome === 'forced') return EXIT_INTERRUPTED;
  context.stderr.write('cairn server: stopped\n');
  return EXIT_OK;
}

function parseSeconds(given: string | undefined): number | undefined {
  if (given === undefined) return undefined;
  const seconds = Number(given);
  if (!(given.trim() !== '' && seconds > 0 && Number.isFinite(seconds))) {
    throw new UsageError(`--heartbeat-timeout must be a positive number of seconds, got '${given}'`);
  }
  return seconds;
}

function parsePort(given: string | undefined): number {
  if (given === undefined) return DEFAULT_PORT;
  const port = /^\d+$/.test(given) ? Number(given) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new UsageError(`--port must be a whole number from 0 to 65535, got '${given}'`);
  return port;
}

function startFailure(error: unknown, host: string, port: number): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return `port ${port} on ${host} is already in use (another Cairn server?); stop it, or pick another port with --port`;
  if (code === 'EADDRNOTAVAIL') return `cannot listen on ${host}: no such address on this machine; check --host`;
  if (code === 'EACCES') return `not allowed to listen on ${host}:${port}; use a port above 1023`;
  return `could not start: ${(error as Error).message}`;
}

/** The password of a database URL is not for the terminal. */
function redact(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}

/** Waits for SIGINT, SIGTERM or the abort of `signal`; `done` says which. `cancel` stops listening. */
function waitForStop(signal: AbortSignal | undefined): { done: Promise<string>; cancel: () => void } {
  let cancel = (): void => {};
  const done = new Promise<string>((resolve) => {
    const onInterrupt = (): void => finish('interrupted');
    const onTerminate = (): void => finish('terminated');
    const onAbort = (): void => finish('stopping');
    cancel = (): void => {
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onTerminate);
      signal?.removeEventListener('abort', onAbort);
    };
    const finish = (reason: string): void => {
      cancel();
      resolve(reason);
    };
    process.on('SIGINT', onInterrupt);
    process.on('SIGTERM', onTerminate);
    if (signal?.aborted) finish('stopping');
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
  return { done, cancel };
}
