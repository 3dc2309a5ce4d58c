/**
 * @cairn/cli — the `cairn` command. `main(argv)` runs one command line and resolves with the
 * exit code; bin/cairn.js calls it with process.argv.slice(2).
 */
import { readFileSync } from 'node:fs';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, type CliContext, type Command } from './commands/common.js';
import { keysCommand } from './commands/keys.js';
import { loginCommand, logoutCommand } from './commands/login.js';
import { serverCommand } from './commands/server.js';
import { syncCommand } from './commands/sync.js';

export type { CliContext, Output } from './commands/common.js';

const COMMANDS: Command[] = [serverCommand, syncCommand, loginCommand, logoutCommand, keysCommand];

/** The CLI's version, from its package.json (the same file from src/ and from dist/). */
export const CLI_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const commands = COMMANDS.map((c) => `  ${c.name.padEnd(width)}   ${c.summary}`).join('\n');
  return `Usage: cairn <command> [options]

Commands:
${commands}

Options:
  -h, --help      show this help
  -v, --version   print the version

Environment:
  CAIRN_BASE_URL     the server (default http://127.0.0.1:8080)
  CAIRN_API_KEY      API key (default: the one \`cairn login\` saved for the server)
  CAIRN_CONFIG_DIR   where \`cairn login\` saves keys (default ~/.cairn)
  CAIRN_DATA         the server's data directory (default ~/.cairn)

Run \`cairn <command> --help\` for a command's options.
`;
}

/**
 * Runs one `cairn` command line (without the program name) and resolves with its exit code:
 * 0 done, 1 failed, 2 bad usage, 130 interrupted. `context` replaces the process's streams,
 * environment and working directory (for tests and embedding).
 *
 * @example
 * process.exitCode = await main(['sync', 'cairn', '--base-url', 'http://127.0.0.1:8080']);
 */
export async function main(argv: string[], context: Partial<CliContext> = {}): Promise<number> {
  const ctx: CliContext = {
    stdout: context.stdout ?? process.stdout,
    stderr: context.stderr ?? process.stderr,
    env: context.env ?? process.env,
    cwd: context.cwd ?? process.cwd(),
    signal: context.signal,
  };
  const [first, ...rest] = argv;
  if (first === undefined) {
    ctx.stderr.write(usage());
    return EXIT_USAGE;
  }
  if (first === '--help' || first === '-h') {
    ctx.stdout.write(usage());
    return EXIT_OK;
  }
  if (first === '--version' || first === '-v') {
    ctx.stdout.write(`cairn ${CLI_VERSION}\n`);
    return EXIT_OK;
  }
  if (first === 'help') return help(rest[0], ctx);
  const command = COMMANDS.find((c) => c.name === first);
  if (!command) {
    const what = first.startsWith('-') ? `unknown option '${first}'` : `unknown command '${first}'`;
    ctx.stderr.write(`cairn: ${what}\n\n${usage()}`);
    return EXIT_USAGE;
  }
  try {
    return await command.run(rest, ctx);
  } catch (error) {
    if (error instanceof UsageError) {
      const synopsis = command.help.slice(0, command.help.indexOf('\n'));
      ctx.stderr.write(`cairn ${command.name}: ${error.message}\n${synopsis}\nRun \`cairn ${command.name} --help\` for its options.\n`);
      return EXIT_USAGE;
    }
    ctx.stderr.write(`cairn ${command.name}: ${(error as Error).message ?? String(error)}\n`);
    return EXIT_FAILED;
  }
}

function help(name: string | undefined, ctx: CliContext): number {
  if (name === undefined) {
    ctx.stdout.write(usage());
    return EXIT_OK;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    ctx.stderr.write(`cairn help: unknown command '${name}'\n\n${usage()}`);
    return EXIT_USAGE;
  }
  ctx.stdout.write(command.help);
  return EXIT_OK;
}
