// Port of run-api.md example "run-context-manager": finish(), then a run as a context (withRun and `await using`).
import assert from 'node:assert/strict';
import cairn from '@cairn/sdk';

await cairn.init();
await cairn.finish();

assert.equal(cairn.run, null);

await cairn.withRun(undefined, () => {
  // log data here
});

assert.equal(cairn.run, null);

{
  await using run = await cairn.init();
  assert.equal(cairn.run, run); // log data here
}

assert.equal(cairn.run, null);
