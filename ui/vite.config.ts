/**
 * The dashboard's build (`npm run build:ui`, part of `npm run build`): ui/ to
 * dist/ui, which the daemon serves at /ui (src/http/ui.ts). The SDK is built in
 * from its sources. The terminal (xterm.js) and the editor (CodeMirror) are
 * imported dynamically, so they are chunks of their own, loaded on first use.
 */
import path from 'node:path';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/ui/',
  resolve: { alias: { '@sandboxed/sdk': path.resolve(import.meta.dirname, '../sdk/src/index.ts') } },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: path.resolve(import.meta.dirname, '../dist/ui'),
    emptyOutDir: true,
    // test/unit/ui-budget.test.ts reads it to tell the first load from the on-demand chunks.
    manifest: true,
    target: 'es2022',
    // The editor chunk (CodeMirror with its languages) is large by nature; it loads on demand.
    chunkSizeWarningLimit: 1024,
  },
  logLevel: 'warn',
});
