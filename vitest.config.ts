import { defineConfig } from 'vitest/config';

// Integration tests drive a real Docker engine on a 2-core box: two files at a
// time, generous timeouts, and no timing assertions anywhere (bench/ measures).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 600_000,
    maxWorkers: 2,
    reporters: ['default'],
  },
});
