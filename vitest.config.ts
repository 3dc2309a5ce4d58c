import { defineConfig } from 'vitest/config';

// Tests import workspace packages from their TypeScript sources (the "source" export
// condition), so `npm test` needs no build step.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    projects: [
      { extends: true, test: { name: 'protocol', include: ['packages/protocol/src/**/*.test.ts'] } },
      { extends: true, test: { name: 'sdk', include: ['packages/sdk/src/**/*.test.ts'] } },
      { extends: true, test: { name: 'server', include: ['packages/server/src/**/*.test.ts'], testTimeout: 60_000 } },
      { extends: true, test: { name: 'web', include: ['packages/web/src/**/*.test.ts'] } },
      // The dashboard's components, rendered by React into jsdom's document.
      { extends: true, test: { name: 'web-components', include: ['packages/web/src/**/*.test.tsx'], environment: 'jsdom', environmentOptions: { jsdom: { pretendToBeVisual: true, url: 'http://localhost/' } } } },
      { extends: true, test: { name: 'cli', include: ['packages/cli/src/**/*.test.ts'], testTimeout: 60_000 } },
      { extends: true, test: { name: 'examples', include: ['examples/**/*.test.ts'], testTimeout: 60_000 } },
      { extends: true, test: { name: 'scripts', include: ['scripts/**/*.test.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['e2e/**/*.test.ts'], testTimeout: 60_000 } },
    ],
    pool: 'forks',
    maxWorkers: 2,
  },
});
