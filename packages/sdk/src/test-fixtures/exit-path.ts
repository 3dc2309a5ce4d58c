/**
 * The script exit-paths.test.ts runs as a child process: `exit-path.ts <ending>`. It starts a
 * run (CAIRN_DIR, CAIRN_MODE… from the environment; id, resume and config from FIXTURE_*),
 * says what it got as a JSON line on stdout, logs rows, then ends the way <ending> names.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { init, isCairnError, openRun, type Run } from '../index.js';

type Ending =
  | 'finish'
  | 'end'
  | 'throw'
  | 'throw-top-level'
  | 'reject'
  | 'exit-code'
  | 'process-exit'
  | 'kill-self'
  | 'loop'
  | 'own-sigint';

const ending = process.argv[2] as Ending;

function say(message: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** Logs `{ i }` rows about one per millisecond until `stop()`; says `run.step` (rows so far) every 100 ms. */
async function logUntil(run: Run, stop: () => boolean): Promise<void> {
  const ticker = setInterval(() => say({ step: run.step }), 100);
  while (!stop()) {
    run.log({ i: run.step });
    await sleep(1);
  }
  clearInterval(ticker);
}

let run: Run;
try {
  run = await init({
    id: process.env.FIXTURE_ID,
    resume: process.env.FIXTURE_RESUME,
    config: process.env.FIXTURE_CONFIG ? (JSON.parse(process.env.FIXTURE_CONFIG) as Record<string, unknown>) : undefined,
  });
} catch (error) {
  say({ initError: isCairnError(error) ? error.code : String(error) });
  process.exit(2);
}
say({ id: run.id, resumed: run.resumed, startingStep: run.startingStep, config: run.config.asDict() });

if (ending === 'loop' || ending === 'own-sigint') {
  let stop = false;
  if (ending === 'own-sigint') {
    // Registered after init(), so Cairn's listener has already run (and flushed) when this one does.
    process.on('SIGINT', () => {
      say({ sigint: { logged: run.step, onDisk: openRun(run.runDir!).history.length, finished: run.isFinished } });
      stop = true;
    });
  }
  say({ ready: true });
  await logUntil(run, () => stop);
  run.log({ stopped: true });
  await run.finish();
} else {
  run.defineMetric('loss', { summary: 'min' });
  const losses = JSON.parse(process.env.FIXTURE_LOSSES ?? '[0.9, 0.7, 0.5, 0.3, 0.2]') as number[];
  for (const loss of losses) run.log({ loss });
  run.summary.sessions = ((run.summary.sessions as number | undefined) ?? 0) + 1;

  switch (ending) {
    case 'finish':
      await run.finish();
      break;
    case 'end':
      break;
    case 'throw':
      setTimeout(() => {
        throw new Error('boom from a timer');
      }, 0);
      break;
    case 'throw-top-level':
      throw new Error('boom from the module body');
    case 'reject':
      void Promise.reject(new Error('nobody handles this rejection'));
      break;
    case 'exit-code':
      process.exitCode = 3;
      break;
    case 'process-exit':
      process.exit(4);
      break;
    case 'kill-self':
      run.flush();
      process.kill(process.pid, 'SIGKILL');
      break;
    default:
      throw new Error(`exit-path.ts: unknown ending ${JSON.stringify(ending)}`);
  }
}
