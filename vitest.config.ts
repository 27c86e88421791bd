import { defineConfig } from 'vitest/config';

// One run, three projects. Integration tests drive a real Docker engine on a
// 2-core box: two files at a time, generous timeouts, and no timing
// assertions anywhere (bench/ measures). The end-to-end tests (install.sh
// runs the whole stack, a browser) go last, after the others have finished.
// Lifecycle, exec, files and the disk quota, snapshots, the edge and wake, the
// reapers, network isolation, agent tasks and every documented curl: what a
// sandbox does, whatever its runtime.
const GVISOR_SUITES = [
  'test/integration/sandboxes-api.test.ts',
  'test/integration/files-api.test.ts',
  'test/integration/edge.test.ts',
  'test/integration/reapers.test.ts',
  'test/integration/tasks.test.ts',
  'test/integration/snapshots.test.ts',
  'test/integration/docs.test.ts',
  'test/security/network-isolation.test.ts',
  'test/security/disk-and-host.test.ts',
];

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
      // The same suites again with every sandbox under gVisor (runsc), which .ci/run registers with Docker.
      {
        extends: true,
        test: { name: 'integration-gvisor', include: GVISOR_SUITES, env: { SANDBOXED_TEST_RUNTIME: 'gvisor' } },
      },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], sequence: { groupOrder: 1 } } },
    ],
  },
});
