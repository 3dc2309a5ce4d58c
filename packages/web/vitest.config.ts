import { defineConfig } from 'vitest/config';

// Runs the dashboard's tests on their own (`npx vitest run --config packages/web/vitest.config.ts`):
// logic tests in Node, components rendered into jsdom. The root vitest.config.ts runs them as
// the `web` and `web-components` projects.
export default defineConfig({
  root: import.meta.dirname,
  resolve: { conditions: ['source'] },
  test: {
    projects: [
      { extends: true, test: { name: 'web', include: ['src/**/*.test.ts'] } },
      { extends: true, test: { name: 'web-components', include: ['src/**/*.test.tsx'], environment: 'jsdom', environmentOptions: { jsdom: { pretendToBeVisual: true, url: 'http://localhost/' } } } },
    ],
  },
});
