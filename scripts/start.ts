/**
 * `npm start`: until the tracking server exists, Cairn starts by training a small model
 * with the SDK, logging it to ./cairn, and showing how to read the run back.
 */
import path from 'node:path';

process.env.CAIRN_DIR ??= process.cwd();
console.log('Cairn: training a small logistic regression and logging it to a local run directory...\n');
await import('../examples/quickstart.js');
console.log(`\nRuns live under ${path.join(process.env.CAIRN_DIR, 'cairn')}; the newest is cairn/latest-run.`);
console.log("Read one back in TypeScript:  import { openRun } from '@cairn/sdk';  openRun('.').history");
