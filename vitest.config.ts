import { defineConfig } from 'vitest/config';

// One run, three projects. Integration tests drive a real Docker engine on a
// 2-core box: two files at a time, generous timeouts, and no timing
// assertions anywhere (bench/ measures). The end-to-end tests (install.sh
// runs the whole stack, a browser) go last, after the others have finished.
export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 600_000,
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts', 'test/security/**/*.test.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], sequence: { groupOrder: 1 } } },
    ],
  },
});
