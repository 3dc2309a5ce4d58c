import { defineConfig } from 'vitest/config';

// Runs the dashboard's logic tests on their own (`npx vitest run --config packages/web/vitest.config.ts`);
// the root vitest.config.ts runs them as the `web` project.
export default defineConfig({
  root: import.meta.dirname,
  resolve: { conditions: ['source'] },
  test: { name: 'web', include: ['src/**/*.test.ts'] },
});
