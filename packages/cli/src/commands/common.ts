/** What every command shares: where output goes, usage errors, and argument parsing. */

/** A stream-like output: process.stdout / process.stderr, or a collector in tests. */
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** The world a command runs in; main() fills it from the process. */
export interface CliContext {
  stdout: Output;
  stderr: Output;
  env: NodeJS.ProcessEnv;
  /** Relative paths in arguments are resolved against it. */
  cwd: string;
  /** Stops a long-running command the way SIGINT does (for tests and embedding). */
  signal?: AbortSignal;
}

export interface Command {
  name: string;
  /** One line for `cairn --help`. */
  summary: string;
  /** The full text of `cairn <name> --help`. */
  help: string;
  run(args: string[], context: CliContext): Promise<number>;
}

/** Bad command-line input: main prints the message and the command's usage, and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

/**
 * Runs node:util parseArgs (strict: an unknown flag or a missing value throws), turning its
 * errors into UsageErrors. Every command's options include `help: { type: 'boolean', short: 'h' }`.
 *
 * @example
 * const { values } = parseCommandArgs(() => parseArgs({ args, options: { port: { type: 'string' } }, strict: true }));
 */
export function parseCommandArgs<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    // parseArgs' messages name the flag and say what is wrong; drop its hint about '--'.
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(message.charAt(0).toLowerCase() + message.slice(1));
  }
}
