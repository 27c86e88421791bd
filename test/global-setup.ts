/**
 * Runs before the suite: makes sure the sandbox image exists (building it
 * offline from a local Debian base when no registry answers), and after the
 * suite removes anything this run labelled that a failed test left behind.
 * Every project (unit, integration, e2e) runs it; they share one run id, and
 * only the last teardown cleans up.
 */
import { execFileSync } from 'node:child_process';
import { ulid } from 'ulid';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    testRun: string;
  }
}

const shared = globalThis as { sandboxedSetups?: number };

export async function setup(project: TestProject): Promise<void> {
  process.env.SANDBOXED_TEST_RUN ??= `t${ulid().toLowerCase().slice(-10)}`;
  shared.sandboxedSetups = (shared.sandboxedSetups ?? 0) + 1;
  project.provide('testRun', process.env.SANDBOXED_TEST_RUN);
  // Behind a TLS-inspecting proxy the CA that this Node trusts is what image
  // builds and sandboxes need too (the supported SANDBOXED_EXTRA_CA_CERTS setting).
  if (!process.env.SANDBOXED_EXTRA_CA_CERTS && process.env.NODE_EXTRA_CA_CERTS) {
    process.env.SANDBOXED_EXTRA_CA_CERTS = process.env.NODE_EXTRA_CA_CERTS;
  }
  // `npm run test:unit` needs no engine and no image.
  if (process.env.SANDBOXED_UNIT_ONLY === '1' || project.name === 'unit') return;
  // The SDK and the CLI as users run them (sdk/dist, cli/dist): built from the tree under test.
  execFileSync('npm', ['run', '--silent', 'build', '--workspace', '@sandboxed/cli'], { stdio: 'inherit' });
  // The dashboard as the daemon serves it (dist/ui, which the image build makes too): for the browser tests.
  if (project.name === 'e2e') execFileSync('npm', ['run', '--silent', 'build:ui'], { stdio: 'inherit' });
  const image = process.env.SANDBOXD_IMAGE || 'sandboxed/sandbox:latest';
  try {
    execFileSync('docker', ['image', 'inspect', image], { stdio: 'ignore' });
  } catch {
    execFileSync('bash', ['images/build.sh'], { stdio: 'inherit' });
  }
  if (project.name === 'integration-gvisor') requireGvisor();
}

/** The gVisor suites need Docker's runsc runtime; registering it reloads dockerd, which a test run must not do by itself. */
function requireGvisor(): void {
  const runtimes = Object.keys(JSON.parse(execFileSync('docker', ['info', '--format', '{{json .Runtimes}}'], { encoding: 'utf8' })) as object);
  const name = process.env.SANDBOXD_GVISOR_RUNTIME || 'runsc';
  if (!runtimes.includes(name)) {
    throw new Error(`the integration-gvisor project needs Docker's ${name} runtime (it has ${runtimes.join(', ')}): run bash scripts/lib/gvisor.sh setup (as .ci/run does)`);
  }
}

export async function teardown(): Promise<void> {
  shared.sandboxedSetups = (shared.sandboxedSetups ?? 1) - 1;
  const runId = process.env.SANDBOXED_TEST_RUN;
  if (shared.sandboxedSetups > 0 || !runId) return;
  const { cleanupTestRun } = await import('./helpers/cleanup.js');
  await cleanupTestRun(runId);
}
