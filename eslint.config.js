// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Package boundaries (ARCHITECTURE.md): protocol depends on nothing internal; sdk, server
 * and web depend on protocol only; server never imports sdk; web never imports server.
 * A boundary that only lives in people's heads erodes, so it is a lint rule.
 */
const internal = ['@cairn/protocol', '@cairn/sdk', '@cairn/server', '@cairn/web', '@cairn/cli'];
const allowed = {
  protocol: [],
  sdk: ['@cairn/protocol'],
  server: ['@cairn/protocol'],
  web: ['@cairn/protocol'],
};

/** @param {string} pkg */
function boundary(pkg) {
  const forbidden = internal.filter((name) => name !== `@cairn/${pkg}` && !allowed[pkg].includes(name));
  return {
    files: [`packages/${pkg}/src/**/*.ts`, `packages/${pkg}/src/**/*.tsx`],
    rules: {
      'no-restricted-imports': ['error', {
        paths: forbidden.map((name) => ({ name, message: `@cairn/${pkg} may not depend on ${name} (see ARCHITECTURE.md).` })),
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
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  ...Object.keys(allowed).map(boundary),
);
