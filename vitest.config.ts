import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['controlplane/**/*.test.ts', 'agent/**/*.test.ts', 'lab/**/*.test.ts', 'bin/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests start real servers (etcd, the API server): one file at a time per worker,
    // two workers on the 2-core CI machine.
    pool: 'forks',
    maxWorkers: 2,
  },
});
