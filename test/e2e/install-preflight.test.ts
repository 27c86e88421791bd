/**
 * install.sh before it changes anything: a host whose Docker engine does not
 * answer, or that has no Docker at all, gets the offer and the exact commands
 * for its distribution, and without --yes (no terminal to ask at) nothing is
 * changed; a port the stack needs that something else holds stops it in the
 * preflight, again with nothing changed. No image is built here.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/net.js';
import { ROOT, runBash, type ScriptRun as Run } from '../helpers/scripts.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sandboxed-preflight-'));
const envFile = path.join(tmp, 'sandboxed.env');

/** install.sh with no terminal on stdin, in an environment of the test's own. */
function install(args: string[], env: Record<string, string | undefined>): Promise<Run> {
  return runBash([path.join(ROOT, 'install.sh'), '--env-file', envFile, ...args], { cwd: tmp, env: { ...process.env, ...env } });
}

/** What install.sh may not have left behind when it stopped early. */
function expectNothingChanged(): void {
  expect(existsSync(envFile), 'no settings file').toBe(false);
  expect(existsSync(path.join(tmp, 'install.log')), 'no install log').toBe(false);
  expect(existsSync(path.join(tmp, 'sandboxed-ca.pem')), 'no CA file').toBe(false);
}

/** A PATH with every command of this host except Docker's: a host without Docker. */
function pathWithoutDocker(): string {
  const bin = path.join(tmp, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const dir of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (name.startsWith('docker') || existsSync(path.join(bin, name))) continue;
      symlinkSync(path.join(dir, name), path.join(bin, name));
    }
  }
  return bin;
}

function osRelease(name: string, lines: string): string {
  const file = path.join(tmp, `os-release-${name}`);
  writeFileSync(file, lines);
  return file;
}

let noDocker = '';
beforeAll(() => {
  noDocker = pathWithoutDocker();
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('install.sh without a Docker engine', () => {
  it('offers to start an installed engine that does not answer, prints the command, and changes nothing without --yes', async () => {
    const socket = path.join(tmp, 'none.sock');
    const run = await install([], { DOCKER_HOST: `unix://${socket}` });
    expect(run.code).toBe(1);
    expect(run.output).toContain(`the Docker engine is installed but does not answer at DOCKER_HOST=unix://${socket}`);
    expect(run.output).toContain('install.sh can run these for you:');
    // No init system on this machine: dockerd in the background, on the socket asked for.
    expect(run.output).toContain(`setsid nohup dockerd --host unix://${socket} </dev/null >/var/log/dockerd.log 2>&1 &`);
    expect(run.output).toContain('not at a terminal, so not asking: nothing was changed. Run ./install.sh --yes');
    expectNothingChanged();
    expect(existsSync(socket), 'no engine was started').toBe(false);
  }, 120_000);

  it('offers to install Debian’s docker.io and Compose on a Debian host without Docker', async () => {
    const debian = osRelease('debian', 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n');
    const run = await install([], { PATH: noDocker, SANDBOXED_OS_RELEASE: debian, DOCKER_HOST: undefined });
    expect(run.code).toBe(1);
    expect(run.output).toContain('the Docker engine is not installed');
    expect(run.output).toContain('Docker Compose is missing');
    expect(run.output).toContain('install.sh can run these for you:');
    expect(run.output).toMatch(/^ {2}apt-get update$/m);
    expect(run.output).toMatch(/^ {2}DEBIAN_FRONTEND=noninteractive apt-get install -y docker\.io docker-compose(-v2)?$/m);
    expect(run.output).toContain('setsid nohup dockerd </dev/null >/var/log/dockerd.log 2>&1 &');
    expectNothingChanged();
  }, 120_000);

  it.each([
    ['fedora', 'ID=fedora\nVERSION_ID=40\n', 'dnf install -y moby-engine docker-compose'],
    ['rhel', 'ID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"\n', 'dnf install -y docker-ce docker-ce-cli containerd.io docker-compose-plugin'],
    ['alpine', 'ID=alpine\nVERSION_ID=3.20.0\n', 'apk add docker docker-cli-compose'],
    ['arch', 'ID=arch\n', 'pacman -Sy --noconfirm docker docker-compose'],
    ['opensuse', 'ID="opensuse-tumbleweed"\nID_LIKE="opensuse suse"\n', 'zypper --non-interactive install docker docker-compose'],
  ])('prints the exact commands on %s, and does not run them', async (name, release, command) => {
    const run = await install(['--yes'], { PATH: noDocker, SANDBOXED_OS_RELEASE: osRelease(name, release), DOCKER_HOST: undefined });
    expect(run.code).toBe(1);
    expect(run.output).toContain('Run these commands as root, then ./install.sh again:');
    expect(run.output).toMatch(new RegExp(`^ {2}${command.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    expect(run.output).not.toContain('can run these for you');
    expectNothingChanged();
  }, 120_000);
});

describe('install.sh preflight', () => {
  let server: Server | undefined;
  afterAll(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  it('stops before changing anything when a port it will bind is taken', async () => {
    const port = await freePort();
    server = createServer();
    await new Promise<void>((r) => server?.listen(port, '127.0.0.1', r));
    const run = await install(['--offline'], {
      SANDBOXED_API_BIND: `127.0.0.1:${port}`,
      HTTP_PORT: String(await freePort()),
      SANDBOXED_DATA_DIR: path.join(tmp, 'data'),
      SANDBOXED_EDGE: 'builtin',
    });
    expect(run.code).toBe(1);
    expect(run.output).toMatch(new RegExp(`port ${port} \\(SANDBOXED_API_BIND\\) is in use by [^ ]+ \\(pid ${process.pid}\\)`));
    expect(run.output).toContain('preflight failed: nothing was changed');
    expectNothingChanged();
    expect(existsSync(path.join(tmp, 'data'))).toBe(false);
  }, 120_000);
});

describe('install.sh when a step fails', () => {
  /** run_logged as install.sh uses it, on a command that fails the way a build step does. */
  function failingStep(output: string): Promise<Run> {
    const log = path.join(tmp, 'step.log');
    const script = `set -euo pipefail; log_file=${JSON.stringify(log)}; . scripts/lib/ui.sh; run_logged "sandbox image" sh -c "$STEP_OUTPUT; exit 3"`;
    return runBash(['-c', script], { cwd: ROOT, env: { ...process.env, STEP_OUTPUT: output } });
  }

  it.each([
    ['npm behind a TLS-inspecting proxy', 'echo npm error code SELF_SIGNED_CERT_IN_CHAIN', /Likely cause: a TLS certificate is not trusted .*\n.*SANDBOXED_EXTRA_CA_CERTS=\/path\/to\/ca\.pem \.\/install\.sh/],
    ['no registry', 'echo npm error code EAI_AGAIN', /Likely cause: a registry or mirror does not answer\. Without a container registry: \.\/install\.sh --offline/],
    ['a full disk', 'echo "write /var/lib/docker/tmp/x: no space left on device"', /Likely cause: the disk is full/],
  ])('shows the tool’s own error and the likely cause: %s', async (_name, output, cause) => {
    const run = await failingStep(`for i in $(seq 1 100); do echo line $i; done; ${output}`);
    expect(run.code).toBe(1);
    expect(run.output).toContain('sandbox image failed (exit 3)');
    // The tail of the step's output, not all of it: the error line and the lines before it.
    expect(run.output).toContain(`  | ${output.replace(/^echo "?|"$/g, '')}`);
    expect(run.output).toContain('  | line 100');
    expect(run.output).not.toContain('  | line 50\n');
    expect(run.output).toMatch(cause);
    expect(readFileSync(path.join(tmp, 'step.log'), 'utf8')).toContain('line 1\n');
  });
});
