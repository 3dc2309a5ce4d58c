#!/usr/bin/env node
// The `cairn` executable: runs the built CLI (dist/). It imports the package by its own name so
// that `node --conditions=source --import tsx packages/cli/bin/cairn.js` runs the TypeScript
// sources instead, with no build.
import { existsSync } from 'node:fs';

let main;
try {
  ({ main } = await import('@cairn/cli'));
} catch (error) {
  const built = existsSync(new URL('../dist/index.js', import.meta.url));
  const source = existsSync(new URL('../src/index.ts', import.meta.url));
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || built || !source) throw error;
  process.stderr.write(
    'cairn: the CLI is not built yet (packages/cli/dist is missing).\n' +
      'Run `npm run build` at the repository root, then try again;\n' +
      'or run it from source: node --conditions=source --import tsx packages/cli/bin/cairn.js\n',
  );
  process.exit(1);
}
// Exit explicitly: `cairn server` has closed everything it opened when main resolves, and a
// stray handle must not keep the terminal waiting.
process.exit(await main(process.argv.slice(2)));
