import { defineConfig } from 'vitest/config';

// Fault tests, a stage of `npm test` and `npm run chaos`: each file starts its own nats-server, so no
// global setup.
export default defineConfig({
  test: {
    name: 'chaos',
    include: ['test/chaos/**/*.chaos.test.ts'],
    environment: 'node',
    testTimeout: 300_000,
    hookTimeout: 60_000,
    // Two cores: a server, workers and a publisher per test are already enough contention.
    fileParallelism: false,
  },
});
