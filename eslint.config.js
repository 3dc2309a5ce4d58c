// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Package boundaries (ARCHITECTURE.md): protocol depends on nothing internal; sdk, server
 * and web depend on protocol only; server never imports sdk; web never imports server.
 * The web takes only types from protocol's main entry, whose runtime pulls in zod; at run
 * time it imports just `@cairn/protocol/series-binary`, which needs no other module.
 * A boundary that only lives in people's heads erodes, so it is a lint rule.
 */
const internal = ['@cairn/protocol', '@cairn/sdk', '@cairn/server', '@cairn/web', '@cairn/cli'];
const allowed = {
  protocol: [],
  sdk: ['@cairn/protocol'],
  server: ['@cairn/protocol'],
  web: ['@cairn/protocol'],
};
/** Entries a package may import types from, but nothing at run time. */
const typesOnly = {
  protocol: [],
  sdk: [],
  server: [],
  web: [{ name: '@cairn/protocol', why: "its runtime pulls in zod; the binary series reader is '@cairn/protocol/series-binary'" }],
};

/** @param {keyof typeof allowed} pkg */
function boundary(pkg) {
  const forbidden = internal.filter((name) => name !== `@cairn/${pkg}` && !allowed[pkg].includes(name));
  return {
    files: [`packages/${pkg}/src/**/*.ts`, `packages/${pkg}/src/**/*.tsx`],
    rules: {
      // typescript-eslint's version of the core rule, for allowTypeImports.
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [
          ...forbidden.map((name) => ({ name, message: `@cairn/${pkg} may not depend on ${name} (see ARCHITECTURE.md).` })),
          ...typesOnly[pkg].map(({ name, why }) => ({ name, allowTypeImports: true, message: `@cairn/${pkg} may import only types from ${name}: ${why}.` })),
        ],
        patterns: [
          { group: forbidden.map((name) => `${name}/*`), message: `@cairn/${pkg} may not reach into that package.` },
          { group: ['../../*/src/*', '../../../packages/*'], message: 'Import other packages by name, never by relative path.' },
        ],
      }],
    },
  };
}

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'cairn/**', '**/cairn/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', performance: 'readonly', queueMicrotask: 'readonly' } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      // With verbatimModuleSyntax, `import { type X } from 'm'` keeps a bare `import 'm'`: a
      // types-only import must be `import type` to leave nothing behind (the web's from protocol).
      '@typescript-eslint/no-import-type-side-effects': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  ...Object.keys(allowed).map(boundary),
);
