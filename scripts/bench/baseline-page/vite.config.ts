import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The stock-client baseline page, served by the bench under the app's origin (scripts/bench/app-build.ts).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/bench-baseline/',
  build: { target: 'es2022' },
});
