// Port of run-api.md example "run-object-basic": create a run with init().
import cairn from '@cairn/sdk';

const run = await cairn.init();

console.log(JSON.stringify({ id: run.id }));
