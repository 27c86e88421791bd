/**
 * Tenant isolation on the network, probed from inside a real sandbox: nothing
 * but the internet (and the host's DNS) is reachable; the edge still reaches
 * every sandbox; the rules come back after they are lost.
 */
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import http from 'node:http';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainsFor } from '../../src/network/isolation.js';
import { freePort, startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';

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

function listenAll(port: number): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer((sock) => {
      sock.on('error', () => undefined);
      sock.end('host-service\n');
    });
    s.listen(port, '0.0.0.0', () => resolve(s));
  });
}

/** From inside sandbox A: "open" when a TCP connection succeeds within 2 s, else "blocked". */
async function probe(host: string, port: number): Promise<string> {
  const script = `const s=require('net').connect({host:${JSON.stringify(host)},port:${port},timeout:2000});` +
    `s.on('connect',()=>{console.log('open');s.destroy()});s.on('timeout',()=>{console.log('blocked');s.destroy()});s.on('error',()=>console.log('blocked'))`;
  const r = await d.api('POST', `/v1/sandboxes/${a}/exec`, { cmd: ['node', '-e', script], timeout_s: 10 });
  return r.body.stdout.trim();
}

function preview(id: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: d.edgePort, path: '/', headers: { host: `s-${id}-${port}.preview.localhost:${d.edgePort}`, accept: '*/*' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

async function forbiddenProbes(): Promise<Record<string, string>> {
  return {
    'B by IP': await probe(bIp, 3000),
    'B by name': await probe(`s-${b}`, 3000),
    'daemon API via gateway': await probe(gateway, Number(new URL(d.url).port)),
    'edge via gateway': await probe(gateway, d.edgePort),
    'host service on 0.0.0.0': await probe(gateway, hostPort),
    'host service on eth0 address': await probe(hostAddress(), hostPort),
    'metadata 169.254.169.254': await probe('169.254.169.254', 80),
    'docker0 gateway': await probe('172.17.0.1', hostPort),
  };
}

function hostAddress(): string {
  const out = execFileSync('ip', ['-4', '-o', 'route', 'get', '1.1.1.1']).toString();
  return /src (\S+)/.exec(out)?.[1] ?? '127.0.0.1';
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
