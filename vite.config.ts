import { defineConfig, type Plugin, type ResolvedConfig } from 'vite';
import react from '@vitejs/plugin-react';
import {
  connectSourcesOfConfigIn,
  contentSecurityPolicy,
  LOOPBACK_SOURCES,
  withPolicy,
} from './scripts/lib/csp.mjs';

/**
 * index.html's Content-Security-Policy names the servers of config.json. A build names only those (edit
 * dist/config.json later and `npm run csp` rewrites it); development also allows any server on this machine.
 * The development server puts its own scripts (hot reload, React refresh, one of them inline) above the tag,
 * where the policy does not reach: a build has none of them.
 */
function contentSecurityPolicyPlugin(): Plugin {
  let config: ResolvedConfig;
  const configured = (): string[] => connectSourcesOfConfigIn(config.publicDir);
  return {
    name: 'stockwire:content-security-policy',
    configResolved(resolved) {
      config = resolved;
    },
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        if (config.command === 'build') return withPolicy(html, contentSecurityPolicy(configured()));
        // Read at every request: public/config.json may change while the dev server runs.
        let servers: string[] = [];
        try {
          servers = configured();
        } catch (error) {
          config.logger.warn(`Content-Security-Policy: ${(error as Error).message}`);
        }
        return withPolicy(html, contentSecurityPolicy([...LOOPBACK_SOURCES, ...servers]));
      },
    },
  };
}

// The app talks to NATS directly over WebSocket; Vite only serves static files.
export default defineConfig({
  plugins: [react(), contentSecurityPolicyPlugin()],
  server: { host: '127.0.0.1', port: 5173, strictPort: false },
  preview: { host: '127.0.0.1', port: 5173, strictPort: false },
  worker: { format: 'es' },
  // The dev server does not crawl the engine worker's imports at start-up; without this it finds them at the
  // first sign-in, re-bundles and reloads the page, throwing the user back to the sign-in form.
  optimizeDeps: { include: ['@nats-io/nats-core', '@nats-io/jetstream', '@nats-io/kv'] },
  build: { target: 'es2022', sourcemap: true },
});
