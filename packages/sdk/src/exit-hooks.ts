/**
 * Process hooks that finish the active run on every exit path the process can observe,
 * with the reference's exit codes: uncaught exception → 1, SIGINT → 255, SIGTERM → 143,
 * a script that ends without finish() → process.exitCode or 0.
 *
 * Signal handlers replace Node's default "terminate" only while a run is active; after
 * finishing the run they re-raise the signal, so the process still dies of it. When the
 * program has signal handlers of its own, Cairn only writes its buffer to disk and leaves
 * the decision to them.
 */

export interface ExitHookTarget {
  /** Finishes synchronously with `exitCode` (no-op when already finished). */
  finishNow(exitCode: number): void;
  /** Finishes and waits for the upload (bounded): possible where the event loop still runs. */
  finish(exitCode: number): Promise<void>;
  /** Writes buffered records to disk now. */
  flush(): void;
  /** The process is dying of `error` (Node prints it past process.stderr, so the console capture is told). */
  noteUncaught(error: unknown): void;
}

let target: ExitHookTarget | null = null;
/** The code an uncaught exception implied, kept for finish() (the reference's hook code). */
let capturedExitCode = 0;
let installed = false;

const SIGNAL_EXIT_CODES = { SIGINT: 255, SIGTERM: 143 } as const;
type HandledSignal = keyof typeof SIGNAL_EXIT_CODES;

function onSignal(signal: HandledSignal): void {
  const run = target;
  const othersListening = process.listenerCount(signal) > 1;
  if (othersListening) {
    run?.flush();
    return;
  }
  run?.finishNow(SIGNAL_EXIT_CODES[signal]);
  uninstallSignals();
  process.kill(process.pid, signal);
}

const signalListeners: Record<HandledSignal, () => void> = {
  SIGINT: () => onSignal('SIGINT'),
  SIGTERM: () => onSignal('SIGTERM'),
};

function uninstallSignals(): void {
  for (const signal of Object.keys(signalListeners) as HandledSignal[]) process.off(signal, signalListeners[signal]);
}

function onUncaught(error: unknown): void {
  // With an 'uncaughtException' handler of the program's own the process lives on.
  if (process.listenerCount('uncaughtException') > 0) return;
  capturedExitCode = 1;
  target?.noteUncaught(error);
  target?.finishNow(1);
}

function onBeforeExit(): void {
  // The loop is idle but alive: an online run can still upload its end before the process goes.
  void target?.finish(typeof process.exitCode === 'number' ? process.exitCode : 0);
}

function onExit(code: number): void {
  target?.finishNow(capturedExitCode || code || 0);
}

/** Makes `run` the target of the hooks, installing them on first use. */
export function attachExitHooks(run: ExitHookTarget): void {
  target = run;
  capturedExitCode = 0;
  if (!installed) {
    installed = true;
    process.on('uncaughtExceptionMonitor', onUncaught);
    process.on('beforeExit', onBeforeExit);
    process.on('exit', onExit);
  }
  for (const signal of Object.keys(signalListeners) as HandledSignal[]) {
    if (!process.listeners(signal).includes(signalListeners[signal])) process.on(signal, signalListeners[signal]);
  }
}

/** Called when the run finishes: the process gets its default signal behaviour back. */
export function detachExitHooks(run: ExitHookTarget): void {
  if (target !== run) return;
  target = null;
  uninstallSignals();
}

/** The exit code captured from the process for `finish()` without an explicit code. */
export function hookExitCode(): number {
  return capturedExitCode;
}
