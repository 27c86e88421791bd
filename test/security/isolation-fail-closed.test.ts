/**
 * Attack: get a sandbox onto the bridge while its isolation is not in place —
 * iptables failing (nft vs legacy, a lock, no root), chains lost, or a network
 * made beforehand with inter-container traffic on — where it would reach the
 * host, the LAN, the metadata address and its neighbours. It fails closed: no
 * container starts (503 naming the cause, /readyz the same), the neighbour and
 * the daemon carry on, and everything recovers without a restart once the
 * cause is gone. iptables is made to fail through fake binaries first on the
 * daemon's PATH; the only real rules touched are this daemon's own chains.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainsFor, type Chains } from '../../src/network/isolation.js';
import { freePort, startTestDaemon, testRunId, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { listenAll, previewStatus, probeFrom } from '../helpers/probes.js';
import { until } from '../helpers/wait.js';

const docker = new Docker();
const BINARIES = ['iptables', 'iptables-restore'] as const;
type Binary = (typeof BINARIES)[number];
const CAUSE = /^network isolation is not in place: (.+); no sandbox starts until it is$/;
const web = [{ name: 'web', command: 'python3 -m http.server 3000' }];

/** A directory of `iptables`/`iptables-restore` that run the real ones unless their flag file exists. */
function fakeIptables(): { dir: string; fail(bin: Binary): void; heal(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sandboxed-fake-iptables-'));
  for (const bin of BINARIES) {
    const real = execFileSync('sh', ['-c', `PATH="$PATH:/usr/sbin:/sbin" command -v ${bin}`]).toString().trim();
    const flag = path.join(dir, `fail-${bin}`);
    const script = `#!/bin/sh\nif [ -e '${flag}' ]; then echo '${bin}: simulated failure' >&2; exit 1; fi\nexec '${real}' "$@"\n`;
    writeFileSync(path.join(dir, bin), script, { mode: 0o755 });
  }
  return {
    dir,
    fail: (bin) => writeFileSync(path.join(dir, `fail-${bin}`), ''),
    heal: () => BINARIES.forEach((bin) => rmSync(path.join(dir, `fail-${bin}`), { force: true })),
  };
}

const iptables = (...args: string[]): string => execFileSync('iptables', ['-w', '5', ...args]).toString();

async function containersOf(d: TestDaemon): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`sandboxed.instance=${d.instance}`] } });
}

async function chainsOf(d: TestDaemon): Promise<{ chains: Chains; bridge: string; gateway: string }> {
  const net = await docker.getNetwork(d.network).inspect();
  return { chains: chainsFor(net.Id), bridge: `br-${net.Id.slice(0, 12)}`, gateway: net.IPAM!.Config![0].Gateway! };
}

/** What a dockerd restart or an operator's flush does: every chain empty (the nat redirect too), every jump gone. */
function wipe({ chains, bridge }: { chains: Chains; bridge: string }): void {
  iptables('-F', chains.forward);
  iptables('-F', chains.input);
  iptables('-t', 'nat', '-F', chains.nat);
  for (const [table, parent, chain] of [['filter', 'DOCKER-USER', chains.forward], ['filter', 'INPUT', chains.input], ['nat', 'PREROUTING', chains.nat]]) {
    try {
      iptables('-t', table, '-D', parent, '-i', bridge, '-j', chain);
    } catch {
      /* already gone */
    }
  }
}

function logCount(d: TestDaemon, msg: string, sandboxId?: string): number {
  return d
    .log()
    .split('\n')
    .filter((l) => l.includes(`"msg":"${msg}"`) && (!sandboxId || l.includes(`"sandboxId":"${sandboxId}"`))).length;
}

describe('iptables fails from boot', () => {
  let d: TestDaemon;
  let fake: ReturnType<typeof fakeIptables>;

  beforeAll(async () => {
    fake = fakeIptables();
    fake.fail('iptables');
    fake.fail('iptables-restore');
    d = await startTestDaemon({ env: { PATH: `${fake.dir}:${process.env.PATH}` } });
  });

  afterAll(async () => {
    await d?.dispose();
    rmSync(fake.dir, { recursive: true, force: true });
  });

  it('create answers 503 naming the cause, /readyz says the same, and no container exists', async () => {
    const id = uniqueId('fc-boot');
    const r = await d.api('POST', '/v1/sandboxes', { id, ports: [3000], services: web });
    expect(r.status).toBe(503);
    expect(r.body.error).toMatch(CAUSE);
    expect(CAUSE.exec(r.body.error)![1]).toMatch(/^iptables -S: iptables: simulated failure$/);
    expect(r.headers.get('retry-after')).toBe('5');
    const ready = await d.api('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.error).toBe(`not ready: ${r.body.error}`);
    expect(await containersOf(d)).toEqual([]);
    // Nothing half-made is left: the sandbox does not exist, the daemon answers.
    expect((await d.api('GET', `/v1/sandboxes/${id}`)).status).toBe(404);
    expect((await d.api('GET', '/healthz')).status).toBe(200);
  });

  it('recovers without a restart once iptables works: readyz 200, create runs a sandbox behind its rules', async () => {
    fake.heal();
    await until(async () => (await d.api('GET', '/readyz')).status === 200, 'readyz to recover');
    const id = uniqueId('fc-boot');
    const r = await d.api('POST', '/v1/sandboxes', { id, ports: [3000], services: web });
    expect(r.status).toBe(201);
    expect(r.body.status).toBe('running');
    expect((await containersOf(d)).map((c) => c.Labels['sandboxed.id'])).toEqual([id]);
    const { chains } = await chainsOf(d);
    expect(iptables('-S', chains.forward)).toContain('-d 169.254.0.0/16 -j DROP');
  });
});

describe('a stopped sandbox whose rules are lost', () => {
  let d: TestDaemon;
  let fake: ReturnType<typeof fakeIptables>;
  let hostServer: Server;
  let hostPort: number;
  const old = uniqueId('fc-old');
  const nb = uniqueId('fc-nb');

  beforeAll(async () => {
    hostPort = await freePort();
    hostServer = await listenAll(hostPort);
    fake = fakeIptables();
    d = await startTestDaemon({ env: { PATH: `${fake.dir}:${process.env.PATH}` } });
    for (const id of [old, nb]) expect((await d.api('POST', '/v1/sandboxes', { id, ports: [3000], services: web })).status).toBe(201);
    expect((await d.api('POST', `/v1/sandboxes/${old}/stop`)).status).toBe(200);
    await until(async () => (await previewStatus(d, nb, 3000)) === 200, "the neighbour's app");
  });

  afterAll(async () => {
    await d?.dispose();
    hostServer?.close();
    rmSync(fake.dir, { recursive: true, force: true });
  });

  it('cannot be started or woken through its preview URL while the rules cannot be restored; the neighbour carries on', async () => {
    fake.fail('iptables-restore');
    wipe(await chainsOf(d));
    const start = await d.api('POST', `/v1/sandboxes/${old}/start`);
    expect(start.status).toBe(503);
    expect(CAUSE.exec(start.body.error)?.[1]).toBe('iptables-restore: iptables-restore: simulated failure');
    expect(await previewStatus(d, old, 3000)).toBe(503);
    expect((await d.api('GET', '/readyz')).body.error).toBe(`not ready: ${start.body.error}`);
    expect((await docker.getContainer(`s-${old}`).inspect()).State.Running).toBe(false);
    // The neighbour that was already running still serves, and the daemon still answers.
    expect(await previewStatus(d, nb, 3000)).toBe(200);
    expect((await d.api('POST', `/v1/sandboxes/${nb}/exec`, { cmd: ['echo', 'alive'] })).body.stdout).toBe('alive\n');
  });

  it('starts once iptables works again, without a restart, with its rules back', async () => {
    fake.heal();
    await until(async () => (await d.api('GET', '/readyz')).status === 200, 'readyz to recover');
    const r = await d.api('POST', `/v1/sandboxes/${old}/start`);
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('running');
    expect(await until(async () => (await previewStatus(d, old, 3000)) === 200, 'the app')).toBe(true);
  });

  it('chains flushed and jumps deleted by hand while it is stopped: its next start re-applies them first', async () => {
    const net = await chainsOf(d);
    expect((await d.api('POST', `/v1/sandboxes/${old}/stop`)).status).toBe(200);
    wipe(net);
    // Control: with the rules gone the running neighbour reaches the host, so the probes below can see a gap.
    expect(await probeFrom(d, nb, net.gateway, hostPort)).toBe('open');

    const applied = logCount(d, 'isolation rules applied');
    expect((await d.api('POST', `/v1/sandboxes/${old}/start`)).status).toBe(200);
    expect(iptables('-S', 'DOCKER-USER')).toContain(`-A DOCKER-USER -i ${net.bridge} -j ${net.chains.forward}`);
    expect(iptables('-S', 'INPUT')).toContain(`-A INPUT -i ${net.bridge} -j ${net.chains.input}`);
    expect(iptables('-S', net.chains.forward)).toContain('-d 169.254.0.0/16 -j DROP');
    expect(iptables('-t', 'nat', '-S', 'PREROUTING')).toContain(`-A PREROUTING -i ${net.bridge} -j ${net.chains.nat}`);
    expect(iptables('-t', 'nat', '-S', net.chains.nat)).toContain('--dport 443 -j REDIRECT');
    await until(async () => logCount(d, 'isolation rules applied') === applied + 1, 'the re-apply to be logged', 10_000);

    // Ports 80 and 443 go to the egress proxy (which refuses the metadata address by name); any other is dropped.
    expect(await probeFrom(d, old, '169.254.169.254', 8080)).toBe('blocked');
    expect(await probeFrom(d, old, net.gateway, hostPort)).toBe('blocked');
    expect(await probeFrom(d, old, net.gateway, Number(new URL(d.url).port))).toBe('blocked');
    expect(await probeFrom(d, nb, net.gateway, hostPort)).toBe('blocked');
    expect(await until(async () => (await previewStatus(d, nb, 3000)) === 200, "the neighbour's app")).toBe(true);

    // With everything in place a start re-applies nothing: the rules compare equal to what iptables lists.
    const started = logCount(d, 'container started', old);
    expect((await d.api('POST', `/v1/sandboxes/${old}/stop`)).status).toBe(200);
    expect((await d.api('POST', `/v1/sandboxes/${old}/start`)).status).toBe(200);
    await until(async () => logCount(d, 'container started', old) === started + 1, 'the start to be logged', 10_000);
    expect(logCount(d, 'isolation rules applied')).toBe(applied + 1);
  });
});

describe('an existing network with inter-container traffic on', () => {
  let d: TestDaemon;
  const name = `sbx-${testRunId()}-${uniqueId('icc')}`.slice(0, 60);

  beforeAll(async () => {
    // Made before the daemon starts, by someone else, the Docker default way (icc on).
    await docker.createNetwork({
      Name: name,
      Driver: 'bridge',
      Labels: { 'sandboxed.instance': `${testRunId()}-icc` },
      Options: { 'com.docker.network.bridge.enable_icc': 'true' },
    });
    d = await startTestDaemon({ env: { SANDBOXD_NETWORK: name } });
  });

  afterAll(async () => {
    await d?.dispose();
    await docker
      .getNetwork(name)
      .remove()
      .catch(() => undefined);
  });

  it('is refused: /readyz and create answer 503 saying what to do, and no container exists', async () => {
    const ready = await d.api('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.error).toContain(`network ${name} has inter-container traffic on`);
    expect(ready.body.error).toContain(`docker network rm ${name}`);
    expect(ready.body.error).toContain('SANDBOXD_NETWORK');
    const r = await d.api('POST', '/v1/sandboxes', { id: uniqueId('fc-icc') });
    expect(r.status).toBe(503);
    expect(`not ready: ${r.body.error}`).toBe(ready.body.error);
    expect(await containersOf(d)).toEqual([]);
  });

  it('once removed as the message says, the daemon makes it again isolated and sandboxes start', async () => {
    await docker.getNetwork(name).remove();
    await until(async () => (await d.api('GET', '/readyz')).status === 200, 'readyz to recover');
    const net = await docker.getNetwork(name).inspect();
    expect(net.Options?.['com.docker.network.bridge.enable_icc']).toBe('false');
    expect(net.EnableIPv6).toBe(false);
    expect((await d.api('POST', '/v1/sandboxes', { id: uniqueId('fc-icc') })).status).toBe(201);
  });
});

describe('the egress proxy cannot listen (its port is taken on every address)', () => {
  let d: TestDaemon;
  let holder: Server;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    holder = await listenAll(port);
    d = await startTestDaemon({ env: { SANDBOXD_EGRESS_PROXY_TLS_PORT: String(port) } });
  });

  afterAll(async () => {
    holder?.close();
    await d?.dispose();
  });

  it('nothing starts while the redirect would lead nowhere: 503 and /readyz name it; it recovers by itself', async () => {
    const r = await d.api('POST', '/v1/sandboxes', { id: uniqueId('fc-px') });
    expect(r.status).toBe(503);
    expect(r.body.error).toMatch(/network isolation is not in place: the egress proxy and model gateway cannot listen on [\d.]+: listen EADDRINUSE/);
    expect((await d.api('GET', '/readyz')).body.error).toMatch(/cannot listen/);
    expect(await containersOf(d)).toEqual([]);
    await new Promise<void>((resolve) => holder.close(() => resolve()));
    await until(async () => (await d.api('GET', '/readyz')).status === 200, 'readyz to recover');
    expect((await d.api('POST', '/v1/sandboxes', { id: uniqueId('fc-px') })).status).toBe(201);
  });
});
