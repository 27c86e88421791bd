/**
 * Network probes for isolation tests: a TCP service on the host, a connection
 * attempt from inside a sandbox, and a preview request through the edge.
 */
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { createServer, type Server } from 'node:net';
import type { TestDaemon } from './daemon.js';

/** A TCP service on every host address (what a careless host service looks like). */
export function listenAll(port: number): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer((sock) => {
      sock.on('error', () => undefined);
      sock.end('host-service\n');
    });
    s.listen(port, '0.0.0.0', () => resolve(s));
  });
}

/** From inside sandbox `id`: "open" when a TCP connection succeeds within 2 s, else "blocked". */
export async function probeFrom(d: TestDaemon, id: string, host: string, port: number): Promise<string> {
  const script =
    `const s=require('net').connect({host:${JSON.stringify(host)},port:${port},timeout:2000});` +
    `s.on('connect',()=>{console.log('open');s.destroy()});s.on('timeout',()=>{console.log('blocked');s.destroy()});s.on('error',()=>console.log('blocked'))`;
  const r = await d.api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['node', '-e', script], timeout_s: 10 });
  if (r.status !== 200) throw new Error(`probe exec in ${id} answered ${r.status}: ${JSON.stringify(r.body)}`);
  return String(r.body.stdout).trim();
}

/** The status of GET / on a sandbox's preview host through the edge (an API client, so the edge holds it during a wake). */
export function previewStatus(d: TestDaemon, id: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: d.edgePort, path: '/', headers: { host: `s-${id}-${port}.preview.localhost:${d.edgePort}`, accept: '*/*' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

/** The host's own address on its default route (not the bridge gateway). */
export function hostAddress(): string {
  const out = execFileSync('ip', ['-4', '-o', 'route', 'get', '1.1.1.1']).toString();
  return /src (\S+)/.exec(out)?.[1] ?? '127.0.0.1';
}

/** The IPv6 link-local address the kernel derives from a MAC (EUI-64), which a container gets when IPv6 is on. */
export function linkLocalOf(mac: string): string {
  const b = mac.split(':').map((h) => parseInt(h, 16));
  const words = [((b[0] ^ 2) << 8) | b[1], (b[2] << 8) | 0xff, (0xfe << 8) | b[3], (b[4] << 8) | b[5]];
  return `fe80::${words.map((w) => w.toString(16)).join(':')}`;
}
