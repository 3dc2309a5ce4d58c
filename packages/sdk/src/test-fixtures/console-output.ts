/**
 * The script console-output.test.ts runs as a child process: `console-output.ts <ending>`. It
 * starts a run (CAIRN_* from the environment), prints a known mix to stdout and stderr — strings,
 * Buffers, a Uint8Array, an encoded string, a character split across two writes, a progress bar
 * redrawn with \r, a write with a callback — leaves a line unfinished, then ends the way
 * <ending> names. What it printed is checked against the terminal and against output.log.
 */
import { init } from '../index.js';

type Ending = 'finish' | 'throw' | 'reject' | 'process-exit' | 'end' | 'wait';
const ending = process.argv[2] as Ending;

const run = await init({ id: process.env.FIXTURE_ID, resume: process.env.FIXTURE_RESUME });
const session = process.env.FIXTURE_SESSION ?? '1';

console.log(`hello from stdout (session ${session})`);
console.error('oops on stderr');
process.stdout.write(Buffer.from('a Buffer line ✓\n'));
process.stdout.write(new TextEncoder().encode('a Uint8Array line\n'));
process.stdout.write('68657820656e636f6465640a', 'hex');
const e = Buffer.from('é\n');
process.stderr.write(e.subarray(0, 1));
process.stderr.write(e.subarray(1));
for (const percent of [10, 50, 100]) process.stderr.write(`\rprogress ${percent}%`);
process.stderr.write('\n');
process.stdout.write('windows line\r\n');
await new Promise<void>((resolve) => process.stdout.write('with a callback\n', 'utf8', () => resolve()));
run.log({ loss: 0.5 });
process.stdout.write('an unfinished line');

switch (ending) {
  case 'finish':
    await run.finish();
    process.stdout.write('\nafter finish\n');
    break;
  case 'end':
    break;
  case 'throw':
    setTimeout(() => {
      throw new Error('boom from a timer');
    }, 0);
    break;
  case 'reject':
    void Promise.reject(new Error('nobody handles this rejection'));
    break;
  case 'process-exit':
    process.exit(4);
    break;
  case 'wait':
    // Until a signal ends the process.
    setInterval(() => {}, 1000);
    break;
  default:
    throw new Error(`console-output.ts: unknown ending ${JSON.stringify(ending)}`);
}
