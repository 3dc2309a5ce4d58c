// After `npm run build`: imports the built @cairn/sdk the way a user's project does (no
// "source" condition, plain Node) and checks its public surface. Run by .ci/run.
import assert from 'node:assert/strict';

const sdk = await import('@cairn/sdk');
const required = ['init', 'log', 'finish', 'withRun', 'defineMetric', 'openRun', 'markPreempting', 'Run', 'CairnError', 'SNAKE_CASE_ALIASES'];
for (const name of required) assert.ok(sdk[name] !== undefined, `@cairn/sdk does not export ${name}`);
assert.ok('run' in sdk && sdk.run === null, '@cairn/sdk exports run (null before init)');
for (const name of ['init', 'log', 'finish', 'withRun', 'defineMetric', 'openRun', 'define_metric']) {
  assert.equal(typeof sdk.default[name], 'function', `the default export carries ${name}`);
}
assert.equal(sdk.default.run, null);
const resolved = import.meta.resolve('@cairn/sdk');
assert.match(resolved, /\/dist\/index\.js$/, `@cairn/sdk resolved to ${resolved}, not its build`);
console.log(`@cairn/sdk build exports OK (${resolved})`);
