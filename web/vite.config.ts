import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The admin web UI: React, built into `dist/web` and served by the engine at `/`
 * (src/api/static.ts). Everything is bundled: nothing is loaded from elsewhere at run time.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: { proxy: { '/v1': 'http://localhost:8080' } },
});
