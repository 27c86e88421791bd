/**
 * Tenant isolation on the network, probed from inside a real sandbox: nothing
 * but the internet (and the host's DNS) is reachable; the edge still reaches
 * every sandbox; the rules come back after they are lost.
 */
import { execFileSync } from 'node:child_process';
import type { Server } from 'node:net';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainsFor } from '../../src/network/isolation.js';
import { freePort, startTestDaemon, testRuntime, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { hostAddress, linkLocalOf, listenAll, previewStatus, probeFrom } from '../helpers/probes.js';

const docker = new Docker();
let d: TestDaemon;
let hostServer: Server;
let hostPort: number;
let allowedServer: Server;
let allowedPort: number;
const a = uniqueId('iso-a');
const b = uniqueId('iso-b');
let gateway: string;
let bIp: string;

const probe = (host: string, port: number): Promise<string> => probeFrom(d, a, host, port);
const preview = (id: string, port: number): Promise<number> => previewStatus(d, id, port);

async function forbiddenProbes(): Promise<Record<string, string>> {
  return {
    'B by IP': await probe(bIp, 3000),
    'B by name': await probe(`s-${b}`, 3000),
    'daemon API via gateway': await probe(gateway, Number(new URL(d.url).port)),
    'edge via gateway': await probe(gateway, d.edgePort),
    'host service on 0.0.0.0': await probe(gateway, hostPort),
    'host service on eth0 address': await probe(hostAddress(), hostPort),
    // Port 80 and 443 reach the egress proxy, which refuses the metadata address by name
    // (test/security/egress-proxy.test.ts); every other port is dropped here.
    'metadata 169.254.169.254': await probe('169.254.169.254', 8080),
    'docker0 gateway': await probe('172.17.0.1', hostPort),
  };
}

beforeAll(async () => {
  hostPort = await freePort();
  hostServer = await listenAll(hostPort);
  allowedPort = await freePort();
  allowedServer = await listenAll(allowedPort);
  d = await startTestDaemon({ env: { SANDBOXED_EDGE_HOST: '0.0.0.0', SANDBOXD_EGRESS_ALLOW_HOST_PORTS: String(allowedPort) } });
  const web = [{ name: 'web', command: 'python3 -m http.server 3000' }];
  expect((await d.api('POST', '/v1/sandboxes', { id: a, ports: [3000], services: web })).status).toBe(201);
  expect((await d.api('POST', '/v1/sandboxes', { id: b, ports: [3000], services: web, visibility: 'private' })).status).toBe(201);
  const net = await docker.getNetwork(d.network).inspect();
  gateway = net.IPAM!.Config![0].Gateway!;
  bIp = (await docker.getContainer(`s-${b}`).inspect()).NetworkSettings.Networks[d.network].IPAddress;
});

afterAll(async () => {
  await d?.dispose();
  hostServer?.close();
  allowedServer?.close();
});

describe('from inside sandbox A', () => {
  it('every forbidden destination is blocked', async () => {
    const results = await forbiddenProbes();
    expect(results).toEqual(Object.fromEntries(Object.keys(results).map((k) => [k, 'blocked'])));
  });

  it('the host port the operator allowed is reachable (a model server on the host)', async () => {
    expect(await probe(gateway, allowedPort)).toBe('open');
  });

  it('DNS and the npm registry still work', async () => {
    const r = await d.api('POST', `/v1/sandboxes/${a}/exec`, { cmd: ['npm', 'view', 'is-number@7.0.0', 'version'], timeout_s: 120 });
    expect(r.body.stdout.trim()).toBe('7.0.0');
  });

  it("B's private preview cannot be fetched by IP or name (the app port is blocked outright)", async () => {
    expect(await probe(bIp, 3000)).toBe('blocked');
    expect(await probe(`s-${b}`, 3000)).toBe('blocked');
  });
});

describe('IPv6', () => {
  const sh = async (id: string, script: string): Promise<string> =>
    String((await d.api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['sh', '-c', script], timeout_s: 10 })).body.stdout);

  /** A plain container (not a sandbox) on the sandbox bridge with IPv6 on: what a sandbox would be without the sysctls. */
  async function ipv6Container(script: string, arg = ''): Promise<Docker.Container> {
    const c = await docker.createContainer({
      name: `${d.instance}-${uniqueId('v6')}`,
      Image: d.env.SANDBOXD_IMAGE ?? 'sandboxed/sandbox:latest',
      Entrypoint: ['node', '-e', script, arg],
      Tty: true,
      Labels: { 'sandboxed.instance': d.instance },
      HostConfig: { NetworkMode: d.network, Sysctls: { 'net.ipv6.conf.all.disable_ipv6': '0', 'net.ipv6.conf.default.disable_ipv6': '0' } },
    });
    await c.start();
    return c;
  }

  // Some engines (Docker 20.10 among them) already turn IPv6 off on IPv4-only networks; the
  // sysctls in the container's own config make it so whatever the engine does.
  it('is off on every interface of every sandbox: no IPv6 address at all', async () => {
    const disabled = 'for i in all default lo eth0; do cat /proc/sys/net/ipv6/conf/$i/disable_ipv6; done';
    for (const id of [a, b]) {
      const { HostConfig, State } = await docker.getContainer(`s-${id}`).inspect();
      expect(HostConfig.Sysctls).toMatchObject({ 'net.ipv6.conf.all.disable_ipv6': '1', 'net.ipv6.conf.default.disable_ipv6': '1' });
      // The sandbox's network namespace, seen from the host (gVisor's sentry has no such files of its own).
      expect(execFileSync('nsenter', ['-t', String(State.Pid), '-n', 'sh', '-c', disabled], { encoding: 'utf8' })).toBe('1\n1\n1\n1\n');
      if (testRuntime() === 'runc') expect(await sh(id, disabled)).toBe('1\n1\n1\n1\n');
      // `ip` is not in the image; the kernel's table of IPv6 addresses is what `ip -6 addr` reads
      // (gVisor with --network=host shows the namespace's own table).
      expect(await sh(id, 'cat /proc/net/if_inet6; echo end')).toBe('end\n');
    }
  });

  it('A cannot reach B over IPv6, though the bridge carries link-local IPv6 past icc=false (IPv4 iptables)', async () => {
    // The attack, on containers with IPv6 on: one reaches the other at its link-local address.
    const server = await ipv6Container("require('net').createServer((s) => s.end('v6\\n')).listen(3000, '::')");
    const serverMac = (await server.inspect()).NetworkSettings.Networks[d.network].MacAddress;
    // Link-local addresses pass duplicate detection first: the client retries for up to 30 s.
    const retrying =
      "const end = Date.now() + 30000; const go = () => { const s = require('net').connect({ host: process.argv[1], port: 3000, timeout: 2000 });" +
      " s.on('connect', () => { console.log('open'); process.exit(0); });" +
      " const again = () => { s.destroy(); if (Date.now() > end) { console.log('blocked'); process.exit(0); } setTimeout(go, 250); };" +
      " s.on('timeout', again); s.on('error', again); }; go();";
    const client = await ipv6Container(retrying, `${linkLocalOf(serverMac)}%eth0`);
    try {
      await client.wait();
      expect((await client.logs({ stdout: true })).toString().trim()).toBe('open');
    } finally {
      await client.remove({ force: true });
      await server.remove({ force: true });
    }
    // The sandboxes: B has no IPv6 address, and A has none to send from.
    const bMac = (await docker.getContainer(`s-${b}`).inspect()).NetworkSettings.Networks[d.network].MacAddress;
    expect(await probe(`${linkLocalOf(bMac)}%eth0`, 3000)).toBe('blocked');
  });
});

describe('the edge', () => {
  it('still serves both sandboxes', async () => {
    let status = 0;
    for (let i = 0; i < 40 && status !== 200; i++) {
      status = await preview(a, 3000);
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
    // B is private: the edge answers (401 without a token) instead of timing out.
    expect(await preview(b, 3000)).toBe(401);
  });
});

describe('after restarts', () => {
  it('the same probes give the same answers after a daemon restart and after the rules were wiped', async () => {
    await d.restart();
    expect(Object.values(await forbiddenProbes()).every((v) => v === 'blocked')).toBe(true);

    // What a dockerd or host restart does to our rules: they are gone.
    const net = await docker.getNetwork(d.network).inspect();
    const chains = chainsFor(net.Id);
    execFileSync('iptables', ['-F', chains.forward]);
    execFileSync('iptables', ['-F', chains.input]);
    expect(await probe(gateway, hostPort)).toBe('open');
    const r = await d.api('POST', '/v1/admin/reconcile');
    expect(r.body.errors).toEqual([]);
    expect(Object.values(await forbiddenProbes()).every((v) => v === 'blocked')).toBe(true);
    expect(await preview(a, 3000)).toBe(200);
  });

  it('chains left by a network that no longer exists are swept by the next reconcile', async () => {
    const dead = 'deadbeef0000';
    execFileSync('iptables', ['-N', `SBX-F-${dead}`]);
    execFileSync('iptables', ['-I', 'DOCKER-USER', '-i', `br-${dead}`, '-j', `SBX-F-${dead}`]);
    expect((await d.api('POST', '/v1/admin/reconcile')).body.errors).toEqual([]);
    expect(execFileSync('iptables', ['-S']).toString()).not.toContain(dead);
    // Our own network's chains are alive and stay.
    const net = await docker.getNetwork(d.network).inspect();
    expect(execFileSync('iptables', ['-S']).toString()).toContain(chainsFor(net.Id).forward);
  });
});
