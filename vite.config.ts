import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The app talks to NATS directly over WebSocket; Vite only serves static files.
export default defineConfig({
  plugins: [react()],
  server: { host: '127.0.0.1', port: 5173, strictPort: false },
  preview: { host: '127.0.0.1', port: 5173, strictPort: false },
  worker: { format: 'es' },
  // The dev server does not crawl the engine worker's imports at start-up; without this it finds them at the
  // first sign-in, re-bundles and reloads the page, throwing the user back to the sign-in form.
  optimizeDeps: { include: ['@nats-io/nats-core', '@nats-io/jetstream', '@nats-io/kv'] },
  build: { target: 'es2022', sourcemap: true },
});
