/**
 * The sandbox image against the daemon's real hardening: containers come from
 * buildContainerSpec/toEngineCreateBody, the workspace and runtime dirs are laid
 * out as the daemon lays them out, and every check runs as the sandbox user.
 */
import Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import { chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostNofileHardLimit } from '../../src/config.js';
import { LABEL_INSTANCE, LABEL_MANAGED } from '../../src/docker/labels.js';
import { buildContainerSpec, toEngineCreateBody, type SpecConfig } from '../../src/docker/spec.js';
import type { ServiceSpec } from '../../src/domain/sandbox.js';
import { group, passwd } from '../../src/workspaces/runtime-files.js';
import { until } from '../helpers/wait.js';

const docker = new Docker({ socketPath: process.env.DOCKER_SOCKET || '/var/run/docker.sock' });
const HOST_CA = '/etc/ssl/certs/ca-certificates.crt';
const suffix = randomBytes(3).toString('hex');
const instance = `${process.env.SANDBOXED_TEST_RUN ?? 'manual'}-img-${suffix}`;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sandboxed-img-'));
const cfg: SpecConfig = {
  dataDir,
  image: process.env.SANDBOXD_IMAGE || 'sandboxed/sandbox:latest',
  network: `sandboxed-img-${suffix}`,
  instance,
  pidsLimit: 512,
  nofile: Math.min(65536, hostNofileHardLimit()),
  tmpfsMb: 256,
  extraCaCerts: HOST_CA,
  stopGraceS: 10,
  sandboxUid: 1000,
  sandboxGid: 1000,
  gvisorRuntime: 'runsc',
  gvisorPidsLimit: 2048,
};
const created: string[] = [];

interface Box {
  id: string;
  container: Docker.Container;
  ws: string;
}

interface Status {
  name: string;
  state: 'running' | 'backoff' | 'failed' | 'stopped';
  pid: number | null;
  restarts: number;
  last_exit_code: number | null;
  since: number;
}

function own(p: string): void {
  chownSync(p, 1000, 1000);
}

/** Lays out the dirs as the daemon does, then creates and starts the container. */
async function createBox(
  name: string,
  opts: { services?: ServiceSpec[]; env?: Record<string, string>; seedFiles?: Record<string, string> } = {},
): Promise<Box> {
  const id = `img-${suffix}-${name}`;
  const ws = path.join(dataDir, 'workspaces', id);
  const rt = path.join(dataDir, 'runtime', id);
  for (const rel of ['', 'workspace', 'workspace/app', '.sandboxed', '.sandboxed/logs']) {
    mkdirSync(path.join(ws, rel), { recursive: true });
    own(path.join(ws, rel));
  }
  for (const [rel, text] of Object.entries(opts.seedFiles ?? {})) {
    writeFileSync(path.join(ws, rel), text);
    own(path.join(ws, rel));
  }
  mkdirSync(rt, { recursive: true, mode: 0o750 });
  own(rt);
  const envText = Object.entries(opts.env ?? {})
    .map(([k, v]) => `${k}=${Buffer.from(v).toString('base64')}\n`)
    .join('');
  writeFileSync(path.join(rt, 'env'), envText, { mode: 0o400 });
  own(path.join(rt, 'env'));
  writeFileSync(path.join(rt, 'services.json'), JSON.stringify(opts.services ?? []));
  writeFileSync(path.join(rt, 'sandbox.json'), JSON.stringify({ id, ports: [3000] }));
  copyFileSync(HOST_CA, path.join(rt, 'extra-ca.pem'));
  writeFileSync(path.join(rt, 'passwd'), passwd({ uid: 1000, gid: 1000 }));
  writeFileSync(path.join(rt, 'group'), group({ gid: 1000 }));

  const spec = buildContainerSpec(
    {
      id,
      spec: { ports: [3000], memoryMb: 1024, cpus: 1, idlePolicy: 'sleep', visibility: 'private', services: opts.services ?? [] },
    },
    cfg,
  );
  const container = await docker.createContainer(toEngineCreateBody(spec));
  created.push(container.id);
  await container.start();
  return { id, container, ws };
}

async function exec(box: Box, cmd: string[], env: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  const e = await box.container.exec({
    Cmd: cmd,
    Env: env,
    User: '1000:1000',
    WorkingDir: '/home/sandbox/workspace/app',
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await e.start({ hijack: true, stdin: false });
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  out.on('data', (c: Buffer) => chunks.out.push(c));
  err.on('data', (c: Buffer) => chunks.err.push(c));
  docker.modem.demuxStream(stream, out, err);
  await new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  const info = await e.inspect();
  return { code: info.ExitCode ?? -1, stdout: Buffer.concat(chunks.out).toString(), stderr: Buffer.concat(chunks.err).toString() };
}

function status(box: Box, name: string): Status | undefined {
  try {
    return JSON.parse(readFileSync(path.join(box.ws, '.sandboxed', 'status', `${name}.json`), 'utf8')) as Status;
  } catch {
    return undefined;
  }
}

async function ip(box: Box): Promise<string> {
  const info = await box.container.inspect();
  return info.NetworkSettings.Networks[cfg.network]?.IPAddress ?? '';
}

async function answers(box: Box, port: number): Promise<boolean> {
  const res = await fetch(`http://${await ip(box)}:${port}/`, { signal: AbortSignal.timeout(2000) });
  return res.status === 200;
}

/** Set once the init has read its config: it writes the desired list on every reload. */
async function initReady(box: Box): Promise<void> {
  await until(async () => (await exec(box, ['test', '-f', '/run/sandboxed/desired'])).code === 0, 'sandboxed-init to start');
}

let plain: Box;
let services: Box;
const secret = `s3cr3t-${randomBytes(8).toString('hex')}`;

beforeAll(async () => {
  await docker.createNetwork({
    Name: cfg.network,
    Driver: 'bridge',
    CheckDuplicate: true,
    Labels: { [LABEL_MANAGED]: 'true', [LABEL_INSTANCE]: instance },
  });
  plain = await createBox('plain', { seedFiles: { '.bashrc': '# mine\n' } });
  services = await createBox('svc', {
    env: { SECRET_TOKEN: secret },
    services: [
      { name: 'web', command: 'python3 -m http.server 3000', port: 3000 },
      { name: 'crash', command: 'echo crashing; exit 3' },
      { name: 'crash2', command: 'exit 4' },
      { name: 'secret', command: 'printf %s "$SECRET_TOKEN" > "$HOME/secret.out"; exec sleep infinity' },
    ],
  });
});

afterAll(async () => {
  for (const id of created) await docker.getContainer(id).remove({ force: true }).catch(() => undefined);
  await docker.getNetwork(cfg.network).remove().catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('sandbox image: hardening and tools', () => {
  it('runs as uid 1000 with no effective capabilities on a read-only rootfs', async () => {
    const r = await exec(plain, ['sh', '-c', 'id -u; id -g; grep CapEff /proc/1/status /proc/self/status']);
    expect(r.code).toBe(0);
    const [uid, gid, ...caps] = r.stdout.trim().split('\n');
    expect([uid, gid]).toEqual(['1000', '1000']);
    for (const line of caps) expect(line).toMatch(/CapEff:\s+0+$/);

    expect((await exec(plain, ['touch', '/rootfs-write'])).code).not.toBe(0);
    expect((await exec(plain, ['touch', '/home/sandbox/home-write'])).code).toBe(0);
  });

  it('has Node 24 with npm and pnpm', async () => {
    const r = await exec(plain, ['sh', '-c', 'node --version && npm --version && pnpm --version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^v24\./);
  });

  it('runs opencode and claude as the sandbox user', async () => {
    const oc = await exec(plain, ['opencode', '--version']);
    expect(oc.code, oc.stderr).toBe(0);
    expect(oc.stdout).toContain('1.18.33');
    const cc = await exec(plain, ['claude', '--version']);
    expect(cc.code, cc.stderr).toBe(0);
    expect(cc.stdout).toContain('2.1.330');
  });

  it('installs an npm package through the extra CA', async () => {
    const r = await exec(plain, ['npm', 'install', '--no-audit', '--no-fund', 'is-number']);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(path.join(plain.ws, 'workspace/app/node_modules/is-number/package.json'))).toBe(true);
  });
});

describe('sandbox image: seeding', () => {
  it('seeds the skeleton without overwriting a user file', async () => {
    await initReady(plain);
    expect(readFileSync(path.join(plain.ws, '.bashrc'), 'utf8')).toBe('# mine\n');
    expect(readFileSync(path.join(plain.ws, '.gitconfig'), 'utf8')).toContain('directory = *');
    expect(existsSync(path.join(plain.ws, '.sandboxed', 'seeded'))).toBe(true);
  });

  it('runs no service, and so no failing one, in an empty sandbox', async () => {
    await initReady(plain);
    expect(readdirSync(path.join(plain.ws, '.sandboxed', 'status'))).toEqual([]);
  });

  it('keeps tini, sandboxed-init and its helpers under 5 MiB RSS when idle', async () => {
    await initReady(plain);
    // Everything that is ours: PID 1 (tini), the init, and the init's children (its sleep).
    const script = [
      'init=$(cat /run/sandboxed/init.pid)',
      'for s in /proc/[0-9]*/status; do',
      '  pid=$(awk \'/^Pid:/{print $2}\' "$s"); ppid=$(awk \'/^PPid:/{print $2}\' "$s")',
      '  if [ "$pid" = 1 ] || [ "$pid" = "$init" ] || [ "$ppid" = "$init" ]; then awk \'/^VmRSS:/{print $2}\' "$s"; fi',
      'done',
    ].join('\n');
    const r = await exec(plain, ['sh', '-c', script]);
    const kb = r.stdout.trim().split('\n').filter(Boolean).map(Number).reduce((a, b) => a + b, 0);
    console.log(`idle RSS of tini + sandboxed-init + helpers: ${kb} KiB`);
    expect(kb).toBeGreaterThan(0);
    expect(kb).toBeLessThan(5 * 1024);
  });
});

describe('sandbox image: services', () => {
  it('serves a declared service on its port', async () => {
    await until(() => answers(services, 3000), 'web to answer');
    expect(status(services, 'web')).toMatchObject({ state: 'running', last_exit_code: null });
  });

  it('brings a killed service back', async () => {
    const before = await until(async () => status(services, 'web')?.pid ?? undefined, 'web pid');
    expect((await exec(services, ['kill', '-9', String(before)])).code).toBe(0);
    await until(async () => {
      const s = status(services, 'web');
      return s?.state === 'running' && s.pid !== before && (await answers(services, 3000));
    }, 'web to come back');
    expect(status(services, 'web')?.restarts).toBeGreaterThanOrEqual(1);
  });

  it('marks a service that keeps crashing as failed, and revives it on request or a config change', async () => {
    const failed = async (name: string) =>
      until(async () => {
        const s = status(services, name);
        return s?.state === 'failed' ? s : undefined;
      }, `${name} to be marked failed`);
    expect(await failed('crash')).toMatchObject({ pid: null, last_exit_code: 3 });
    expect(await failed('crash2')).toMatchObject({ pid: null, last_exit_code: 4 });
    expect(readFileSync(path.join(services.ws, '.sandboxed', 'logs', 'crash.log'), 'utf8')).toContain('crashing');

    const r = await exec(services, ['sandboxed-ctl', 'restart', 'crash']);
    expect(r.code, r.stderr).toBe(0);
    expect(status(services, 'crash')?.state).not.toBe('failed');
    expect(status(services, 'crash2')?.state).toBe('failed');

    // Any write of the workspace services file counts as a change.
    const wsFile = path.join(services.ws, '.sandboxed', 'services.json');
    writeFileSync(wsFile, '[]\n');
    own(wsFile);
    await until(async () => status(services, 'crash2')?.state !== 'failed', 'crash2 to be revived');
  });

  it('gives services the secret env, which docker inspect does not show', async () => {
    const out = path.join(services.ws, 'secret.out');
    const value = await until(async () => existsSync(out) && readFileSync(out, 'utf8'), 'the secret service to write');
    expect(value).toBe(secret);
    const info = await services.container.inspect();
    expect(JSON.stringify(info)).not.toContain(secret);
  });

  it('serves again after the container is stopped and started', async () => {
    await services.container.stop({ t: 10 });
    expect(status(services, 'web')?.state).toBe('stopped');
    await services.container.start();
    await until(() => answers(services, 3000), 'web to answer after start');
  });
});
