/**
 * install.sh and uninstall.sh for real: the offline path with the built-in
 * edge, as an operator without a registry would run it, on a settings file,
 * data dir, ports, instance and compose project of the test's own (the
 * developer's .env and stack are never touched). The host offers one more CA
 * than this machine's proxy (NODE_EXTRA_CA_CERTS): install.sh must find it,
 * build with it and hand it to sandboxes, whose npm then reaches the registry
 * through the real TLS-inspecting proxy. The first install writes an API
 * token; then the README quick start with the equivalent requests, --check on
 * a healthy and on a broken stack, a second install that must keep
 * everything (the token too), and both uninstall levels.
 *
 * The sandbox image gets a tag of its own (its CA layer differs from the shared
 * image's), and the extra CA is generated with openssl once per machine and
 * kept (its key thrown away), so later runs reuse the cached build.
 */
import Docker from 'dockerode';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupInstance } from '../helpers/cleanup.js';
import { freePort, testRunId, uniqueId } from '../helpers/daemon.js';
import { pemBody, ROOT, runBash, testCa, type ScriptRun as Run } from '../helpers/scripts.js';

const MINUTE = 60_000;
const SANDBOX_IMAGE = 'sandboxed/sandbox:e2e-install';
const docker = new Docker();

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sandboxed-install-'));
const instance = `${testRunId()}-${uniqueId('inst')}`;
const envFile = path.join(tmp, 'sandboxed.env');
const dataDir = path.join(tmp, 'data');
let apiUrl = '';
let httpPort = 0;
let scriptEnv: Record<string, string> = {};
let runs = 0;
let token = '';
let testCaBody = '';

/** Runs one of the repo's scripts; its output also goes to a log file in the temp dir. */
function runScript(script: string, args: string[] = []): Promise<Run> {
  return runBash([path.join(ROOT, script), ...args], { cwd: tmp, env: scriptEnv, log: path.join(tmp, `${++runs}-${script}.log`) });
}

function expectSuccess(run: Run): void {
  expect(run.code, `script failed; its last output:\n${run.output.slice(-6000)}`).toBe(0);
}

async function api(method: string, p: string, body?: unknown, auth: string | null = token): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
  if (auth) headers.authorization = `Bearer ${auth}`;
  const r = await fetch(`${apiUrl}${p}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  try {
    return { status: r.status, body: JSON.parse(text) };
  } catch {
    return { status: r.status, body: text };
  }
}

/** A GET to the built-in edge with a preview Host header (fetch cannot set Host). */
function previewGet(host: string, timeoutMs = 120_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: httpPort, path: '/', headers: { host }, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${host} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

async function eventually<T>(what: string, attempt: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      last = await attempt();
      if (ok(last as T)) return last as T;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what}: still not right after ${timeoutMs} ms; last: ${JSON.stringify(last) ?? String(last)}`);
}

async function leftovers(): Promise<{ containers: string[]; networks: string[] }> {
  const filters = { label: [`sandboxed.instance=${instance}`] };
  const containers = await docker.listContainers({ all: true, filters });
  const networks = await docker.listNetworks({ filters });
  return { containers: containers.map((c) => c.Names[0] ?? c.Id), networks: networks.map((n) => n.Name) };
}

/** The sandboxd container(s) of this installation. */
async function controlPlane(): Promise<string[]> {
  const filters = { label: [`sandboxed.instance=${instance}`, 'sandboxed.kind=control-plane'] };
  return (await docker.listContainers({ filters })).map((c) => c.Id);
}

function composeTool(): boolean {
  if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0) return true;
  return spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0;
}

beforeAll(async () => {
  httpPort = await freePort();
  const apiPort = await freePort();
  const internalPort = await freePort();
  apiUrl = `http://127.0.0.1:${apiPort}`;
  // Settings of .env.example in this process's environment would seed the new
  // settings file: only the ones that describe this machine pass through.
  const example = readFileSync(path.join(ROOT, '.env.example'), 'utf8');
  const settingNames = new Set([...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
  const inherited = Object.entries(process.env).filter(([k, v]) => v !== undefined && !settingNames.has(k)) as [string, string][];
  // The host's extra CAs as an operator's shell has them: this machine's proxy CA
  // (NODE_EXTRA_CA_CERTS) and one more; SANDBOXED_EXTRA_CA_CERTS is not set.
  const ca = testCa();
  testCaBody = pemBody(ca);
  const bundle = path.join(tmp, 'host-ca-bundle.pem');
  writeFileSync(bundle, ca + (process.env.NODE_EXTRA_CA_CERTS ? readFileSync(process.env.NODE_EXTRA_CA_CERTS, 'utf8') : ''));
  scriptEnv = {
    ...Object.fromEntries(inherited),
    NODE_EXTRA_CA_CERTS: bundle,
    SANDBOXD_IMAGE: SANDBOX_IMAGE,
    // --check must see the isolation chains as the test leaves them, not repaired by a reconcile tick.
    SANDBOXD_RECONCILE_INTERVAL_SECONDS: '3600',
    SANDBOXED_ENV_FILE: envFile,
    COMPOSE_PROJECT_NAME: instance,
    SANDBOXED_INSTANCE: instance,
    SANDBOXED_DATA_DIR: dataDir,
    SANDBOXD_NETWORK: `sbx-${instance}`.slice(0, 60),
    SANDBOXED_API_BIND: `127.0.0.1:${apiPort}`,
    SANDBOXED_EDGE_HOST: '127.0.0.1',
    SANDBOXED_EDGE_INTERNAL_PORT: String(internalPort),
    HTTP_PORT: String(httpPort),
    PREVIEW_DOMAIN: 'localhost',
    SANDBOXD_STOP_GRACE_SECONDS: '2',
    SANDBOXD_DEFAULT_MEMORY_MB: '512',
  };
});

afterAll(async () => {
  // Whatever happened above: no stack, container, network or data left behind.
  if (existsSync(envFile)) await runScript('uninstall.sh', ['--data', '--yes']).catch(() => undefined);
  await cleanupInstance(instance, dataDir);
  rmSync(tmp, { recursive: true, force: true });
}, 5 * MINUTE);

describe('install.sh, offline, built-in edge', () => {
  const id = uniqueId('demo');
  const previewHost = (): string => `s-${id}-3000.preview.localhost:${httpPort}`;
  const marker = `hello from ${id}`;
  let containerId = '';

  it('checks Docker and Compose, writes the settings file with a token, finds the CAs, builds, starts and waits for readiness', async () => {
    expect(composeTool(), 'needs Docker Compose: the docker compose plugin or docker-compose (apt-get install docker-compose)').toBe(true);
    const run = await runScript('install.sh', ['--offline']);
    expectSuccess(run);
    expect(run.output).toContain(`API        ${apiUrl}`);
    expect(run.output).toContain(`http://s-<id>-<port>.preview.localhost:${httpPort}/`);
    // Progress, not noise: the stages and a step counter; the tools' output is in the log.
    expect(run.output).toMatch(/sandbox image: step \d+\/\d+, \d+ s|sandbox image: done in \d+ s/);
    expect(run.output.split('\n').length).toBeLessThan(80);
    expect(readFileSync(path.join(tmp, 'install.log'), 'utf8')).toMatch(/^Step \d+\/\d+ : /m);

    const settings = readFileSync(envFile, 'utf8');
    // No registry: the built-in edge is chosen on first write.
    expect(settings).toMatch(/^SANDBOXED_EDGE=builtin$/m);
    expect(settings).toContain(`SANDBOXED_DATA_DIR=${dataDir}\n`);
    expect(settings).toContain(`SANDBOXED_INSTANCE=${instance}\n`);
    expect(statSync(envFile).mode & 0o777).toBe(0o600);

    // Secure by default: a token, shown once with a curl that uses it.
    token = /^SANDBOXD_API_TOKENS=admin:([A-Za-z0-9_-]{43})$/m.exec(settings)?.[1] ?? '';
    expect(token, settings).not.toBe('');
    expect(run.output.split(token).length - 1).toBe(1);
    expect(run.output).toContain(`token      TOKEN=${token}`);
    expect(run.output).toContain(`curl -s -X POST ${apiUrl}/v1/sandboxes -H "Authorization: Bearer $TOKEN"`);
    expect(readFileSync(path.join(tmp, 'install.log'), 'utf8')).not.toContain(token);
    expect((await api('GET', '/v1/sandboxes', undefined, null)).status).toBe(401);
    expect((await api('GET', '/v1/sandboxes', undefined, 'admin')).status).toBe(401);
    expect((await api('GET', '/v1/sandboxes')).status).toBe(200);
    expect((await api('GET', '/readyz')).status).toBe(200);
    // The image carries the dashboard's build (Vite, at image build time).
    const ui = await fetch(`${apiUrl}/ui`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/<script type="module"[^>]+src="\/ui\/assets\/index-[\w-]+\.js"/);

    // Found, not guessed: the offered CA and this machine's proxy CA, in a file the setting names.
    const caFile = /^SANDBOXED_EXTRA_CA_CERTS=(.+)$/m.exec(settings)?.[1] ?? '';
    expect(caFile).toBe(path.join(tmp, 'sandboxed-ca.pem'));
    expect(run.output).toMatch(/extra CA: \d+ certificate\(s\) this host trusts beyond its distribution's \(from NODE_EXTRA_CA_CERTS/);
    expect(readFileSync(caFile, 'utf8').replace(/\s/g, '')).toContain(testCaBody);
  }, 40 * MINUTE);

  it('serves the README quick start: create, exec, preview', async () => {
    const created = await api('POST', '/v1/sandboxes', {
      id,
      ports: [3000],
      services: [{ name: 'web', command: 'python3 -m http.server 3000', port: 3000, cwd: '/home/sandbox/workspace/app' }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.preview_urls['3000']).toBe(`http://s-${id}-3000.preview.localhost:${httpPort}/`);
    containerId = created.body.container_id;

    const hi = await api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['echo', 'hi'] });
    expect(hi.body).toMatchObject({ exit_code: 0, stdout: 'hi\n' });
    const write = await api('POST', `/v1/sandboxes/${id}/exec`, {
      cmd: ['sh', '-c', `printf '%s\\n' '${marker}' > /home/sandbox/workspace/app/index.html`],
    });
    expect(write.body.exit_code).toBe(0);

    const page = await eventually('the preview', () => previewGet(previewHost()), (r) => r.status === 200 && r.body.includes(marker));
    expect(page.body).toContain(marker);
  }, 5 * MINUTE);

  it('gives sandboxes the found CAs: npm reaches the registry through this machine\'s TLS-inspecting proxy', async () => {
    const ca = await api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['sh', '-c', 'cat "$NODE_EXTRA_CA_CERTS"'] });
    expect(ca.body.exit_code, JSON.stringify(ca.body)).toBe(0);
    expect(ca.body.stdout.replace(/\s/g, '')).toContain(testCaBody);
    const ping = await api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['npm', 'ping'], timeout_s: 120 });
    expect(ping.body.exit_code, JSON.stringify(ping.body)).toBe(0);
  }, 5 * MINUTE);

  it('stops, then wakes the sandbox on a request to its preview URL', async () => {
    const stopped = await api('POST', `/v1/sandboxes/${id}/stop`);
    expect(stopped.body.status).toBe('stopped');

    // The edge holds the request while the sandbox starts and its app comes up.
    const page = await eventually('the wake', () => previewGet(previewHost()), (r) => r.status === 200, 150_000);
    expect(page.body).toContain(marker);
    const woken = (await api('GET', `/v1/sandboxes/${id}`)).body;
    expect(woken.status).toBe('running');
    // Served from the warm pool (on by default), its first start made it a container of its own.
    containerId = woken.container_id;
  }, 5 * MINUTE);

  it('--check passes on the healthy stack', async () => {
    const run = await runScript('install.sh', ['--check']);
    expectSuccess(run);
    for (const item of ['docker', 'compose', 'settings', 'ca', 'disk', 'port', 'api', 'isolation', 'disks', 'image']) {
      expect(run.output).toMatch(new RegExp(`^ {2}${item} +ok `, 'm'));
    }
    expect(run.output).toContain(`${SANDBOX_IMAGE}: `);
    expect(run.output).toContain('install.sh --check: all is well');
  }, 5 * MINUTE);

  it('--check names the isolation chains when they are flushed', async () => {
    const net = await docker.getNetwork(`sbx-${instance}`.slice(0, 60)).inspect();
    const chain = `SBX-F-${net.Id.slice(0, 12)}`;
    expect(spawnSync('iptables', ['-w', '5', '-F', chain]).status).toBe(0);
    const run = await runScript('install.sh', ['--check']);
    expect(run.code).toBe(1);
    expect(run.output).toMatch(new RegExp(`^ {2}isolation +FAIL +chain\\(s\\) ${chain} of network .* have no rules`, 'm'));
    expect(run.output).toMatch(/^ {2}api +ok /m);
    // The next start of sandboxd puts them back (the reinstall below).
  }, 5 * MINUTE);

  it('installs again after a settings change, restarting sandboxd without losing the sandbox, its workspace, its row or the token', async () => {
    const before = await controlPlane();
    expect(before).toHaveLength(1);
    writeFileSync(envFile, readFileSync(envFile, 'utf8').replace(/^LOG_LEVEL=.*$/m, 'LOG_LEVEL=debug'));
    const run = await runScript('install.sh', ['--offline']);
    expectSuccess(run);
    expect(run.output).toContain(`settings: ${envFile} (kept as is)`);
    // The token stays, and is not shown again: the summary says where it is.
    expect(readFileSync(envFile, 'utf8')).toContain(`SANDBOXD_API_TOKENS=admin:${token}\n`);
    expect(run.output).not.toContain(token);
    expect(run.output).toContain(`token      TOKEN=$(sed -n`);
    const after = await controlPlane();
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before[0]);

    const again = await api('GET', `/v1/sandboxes/${id}`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id, ports: [3000], status: 'running', container_id: containerId });
    // The new sandboxd (a new mount namespace) mounted the workspace's disk again: the files API reads it.
    const file = await api('GET', `/v1/sandboxes/${id}/files/content?path=workspace/app/index.html`);
    expect(file.body).toBe(`${marker}\n`);
    const page = await eventually('the preview after reinstall', () => previewGet(previewHost()), (r) => r.status === 200);
    expect(page.body).toContain(marker);
  }, 20 * MINUTE);

  it('uninstalls: no container or network of the instance is left, the data stays', async () => {
    const net = await new Docker().getNetwork(`sbx-${instance}`.slice(0, 60)).inspect();
    // The reinstalled sandboxd put the flushed chain's rules back.
    expect(spawnSync('iptables', ['-S', `SBX-F-${net.Id.slice(0, 12)}`], { encoding: 'utf8' }).stdout).toMatch(/^-A SBX-F-/m);
    const chains = (): string[] =>
      spawnSync('iptables', ['-S'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(`SBX-F-${net.Id.slice(0, 12)}`));
    expect(chains().length).toBeGreaterThan(0);
    expectSuccess(await runScript('uninstall.sh'));
    expect(await leftovers()).toEqual({ containers: [], networks: [] });
    // The isolation chains sandboxd installed for the network go with it.
    expect(chains()).toEqual([]);
    // The workspace stays on its disk image, released: no loop device, no volume; its files are intact.
    const image = path.join(dataDir, 'disks', `${id}.ext4`);
    expect(spawnSync('losetup', ['--associated', image], { encoding: 'utf8' }).stdout).toBe('');
    expect((await new Docker().listVolumes({ filters: { label: [`sandboxed.instance=${instance}`] } })).Volumes).toEqual([]);
    const look = path.join(tmp, 'look');
    mkdirSync(look);
    expect(spawnSync('mount', ['-o', 'loop,ro', image, look]).status).toBe(0);
    try {
      expect(readFileSync(path.join(look, 'workspace', 'app', 'index.html'), 'utf8')).toBe(`${marker}\n`);
    } finally {
      spawnSync('umount', [look]);
    }
    expect(existsSync(path.join(dataDir, 'state', 'sandboxd.db'))).toBe(true);
    expect(existsSync(envFile)).toBe(true);
  }, 5 * MINUTE);

  it('uninstall --data --yes deletes the data dir', async () => {
    expectSuccess(await runScript('uninstall.sh', ['--data', '--yes']));
    expect(existsSync(dataDir)).toBe(false);
  }, 5 * MINUTE);
});
