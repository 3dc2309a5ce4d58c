import { defaultClientConditions, defineConfig } from 'vite';

// The dashboard is plain React without a Vite React plugin: Vite's own transform (oxc)
// compiles TSX with the automatic JSX runtime. `vite` (dev) proxies the API to a local
// `cairn server`; `vite build` writes dist/, which the server serves (assets/ hashed).
// Workspace packages are read from their TypeScript sources (the "source" export condition,
// as the type checks and tests do): the one the bundle imports at run time,
// @cairn/protocol/series-binary, is then never an out-of-date build in protocol's dist/.
export default defineConfig({
  root: import.meta.dirname,
  resolve: { conditions: ['source', ...defaultClientConditions] },
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  server: {
    proxy: { '/api': { target: 'http://127.0.0.1:8080' } },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    reportCompressedSize: true,
  },
});
