/**
 * GET /metrics on its own listener (SANDBOXD_METRICS_BIND), without the API's
 * token: a Prometheus on the network then needs no API token, which would
 * drive every sandbox. Metrics carry counts and timings, never ids or secrets.
 * Only a Host that is an IP address, `localhost` or an API hostname is
 * answered, so a web page cannot read it by DNS rebinding.
 */
import http from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { registry } from './metrics.js';

export interface MetricsServer {
  /** Resolves with the URL listened on. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

function hostAllowed(host: string | undefined, hostnames: readonly string[]): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  const lower = name.toLowerCase();
  return isIP(lower) !== 0 || lower === 'localhost' || hostnames.includes(lower);
}

function answer(res: http.ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

export function createMetricsServer(bind: { host: string; port: number }, hostnames: readonly string[]): MetricsServer {
  const server = http.createServer({ headersTimeout: 10_000, requestTimeout: 30_000 }, (req, res) => {
    const json = 'application/json; charset=utf-8';
    if (!hostAllowed(req.headers.host, hostnames)) return answer(res, 421, json, JSON.stringify({ error: 'host is not a name of this server' }));
    if ((req.url ?? '').split('?')[0] !== '/metrics') return answer(res, 404, json, JSON.stringify({ error: 'only GET /metrics is served here' }));
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(res, 405, json, JSON.stringify({ error: 'only GET /metrics is served here' }));
    registry.metrics().then(
      (text) => answer(res, 200, registry.contentType, text),
      (err: Error) => answer(res, 500, json, JSON.stringify({ error: `metrics failed: ${err.message}` })),
    );
  });
  return {
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(bind.port, bind.host, () => {
          server.off('error', reject);
          const a = server.address() as AddressInfo;
          resolve(`http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
