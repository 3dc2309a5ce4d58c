/** The SDK's few lines of output: prefixed, to stderr, silenced by `silent`. */
export class Console {
  private readonly said = new Set<string>();

  constructor(private readonly silent: boolean) {}

  info(message: string): void {
    if (!this.silent) process.stderr.write(`cairn: ${message}\n`);
  }

  warn(message: string): void {
    if (!this.silent) process.stderr.write(`cairn: warning: ${message}\n`);
  }

  /** Warns once per key for the lifetime of this console. */
  warnOnce(key: string, message: string): void {
    if (this.said.has(key)) return;
    this.said.add(key);
    this.warn(message);
  }
}
