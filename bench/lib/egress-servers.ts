/**
 * Host-side servers for the egress and gateway benchmarks: a TLS server (a
 * throwaway self-signed certificate for BENCH_NAME) and a plain HTTP server
 * whose /100mb sends 100 MB. Sandboxes reach them directly through allowed
 * host ports (SANDBOXD_EGRESS_ALLOW_HOST_PORTS) and through the egress proxy
 * by name: SANDBOXD_EGRESS_CONNECT_TO pins BENCH_NAME to them on the host.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';

export const BENCH_NAME = 'bench.sandboxed.test';
export const DOWNLOAD_BYTES = 100 * 1000 * 1000;

export interface EgressServers {
  tlsPort: number;
  httpPort: number;
  /** Settings the daemon needs: the ports allowed to sandboxes, the name pins. */
  env: Record<string, string>;
  close(): Promise<void>;
}

function selfSigned(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sandboxed-bench-cert-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', `/CN=${BENCH_NAME}`, '-addext', `subjectAltName=DNS:${BENCH_NAME}`,
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    return { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const listen = (server: tls.Server | http.Server): Promise<number> =>
  new Promise((resolve) => server.listen(0, '0.0.0.0', () => resolve((server.address() as AddressInfo).port)));

export async function startEgressServers(): Promise<EgressServers> {
  const tlsServer = tls.createServer(selfSigned(), (s) => {
    s.on('error', () => undefined);
    s.end('ok\n');
  });
  const chunk = Buffer.alloc(1 << 20, 'x');
  const httpServer = http.createServer((req, res) => {
    if (req.url !== '/100mb') return res.writeHead(200, { 'content-length': 3 }).end('ok\n');
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': DOWNLOAD_BYTES });
    let left = DOWNLOAD_BYTES;
    const pump = (): void => {
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  const tlsPort = await listen(tlsServer);
  const httpPort = await listen(httpServer);
  return {
    tlsPort,
    httpPort,
    env: {
      SANDBOXD_EGRESS_CONNECT_TO: `${BENCH_NAME}:443=127.0.0.1:${tlsPort},${BENCH_NAME}:80=127.0.0.1:${httpPort}`,
    },
    close: async () => {
      httpServer.closeAllConnections();
      await Promise.all([new Promise((r) => tlsServer.close(r)), new Promise((r) => httpServer.close(r))]);
    },
  };
}
