import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The app talks to NATS directly over WebSocket; Vite only serves static files.
export default defineConfig({
  plugins: [react()],
  server: { host: '127.0.0.1', port: 5173, strictPort: false },
  preview: { host: '127.0.0.1', port: 5173, strictPort: false },
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true },
});
