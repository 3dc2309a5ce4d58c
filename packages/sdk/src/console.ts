import { writeSdkOutput } from './console-capture.js';

/**
 * The SDK's few lines of output: prefixed, to stderr, silenced by `silent`. A run's console
 * capture records them unmarked (they are not the program's errors).
 */
export class Console {
  private readonly said = new Set<string>();

  constructor(private readonly silent: boolean) {}

  info(message: string): void {
    if (!this.silent) writeSdkOutput(`cairn: ${message}\n`);
  }

  warn(message: string): void {
    if (!this.silent) writeSdkOutput(`cairn: warning: ${message}\n`);
  }

  /** Warns once per key for the lifetime of this console. */
  warnOnce(key: string, message: string): void {
    if (this.said.has(key)) return;
    this.said.add(key);
    this.warn(message);
  }
}
