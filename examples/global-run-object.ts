// Port of run-api.md example "global-run-object": the active run is `cairn.run`.
import assert from 'node:assert/strict';
import cairn from '@cairn/sdk';

assert.equal(cairn.run, null);

await cairn.init();

assert.notEqual(cairn.run, null);
