/**
 * What the proxy benches measure through one address: keep-alive load
 * (autocannon), WebSocket echo round trips (ws, one connection, one message
 * in flight) and a big download on a fresh connection.
 */
import autocannon from 'autocannon';
import http from 'node:http';
import WebSocket from 'ws';

export interface LoadFigures {
  reqPerS: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

/** `hosts` spreads the connections round-robin over several Host headers (one per connection). */
export async function load(url: string, opts: { hosts?: string[]; connections: number; seconds: number }): Promise<LoadFigures> {
  const hosts = opts.hosts ?? [];
  let next = 0;
  const r = await autocannon({
    url,
    connections: opts.connections,
    duration: opts.seconds,
    ...(hosts.length > 0 ? { setupClient: (c: { setHeaders(h: Record<string, string>): void }) => c.setHeaders({ host: hosts[next++ % hosts.length] }) } : {}),
  });
  return { reqPerS: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts };
}

/** Round-trip times in ms of `n` echoes of a 32-byte message, after `warmup` unrecorded ones. */
export async function wsRoundTrips(url: string, host: string | undefined, n: number, warmup = 50): Promise<number[]> {
  const ws = new WebSocket(url, { headers: host ? { host } : {}, perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const payload = Buffer.alloc(32, 120);
  const samples: number[] = [];
  try {
    for (let i = 0; i < warmup + n; i++) {
      const t0 = performance.now();
      await new Promise<void>((resolve, reject) => {
        ws.once('message', () => resolve());
        ws.once('error', reject);
        ws.send(payload);
      });
      ws.removeAllListeners('error');
      if (i >= warmup) samples.push(performance.now() - t0);
    }
  } finally {
    ws.close();
  }
  return samples;
}

/** Downloads `path` on a fresh connection, checks the length, returns ms. */
export function download(base: string, path: string, host: string | undefined, expectBytes: number): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}${path}`, { agent: false, headers: host ? { host } : {} }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => (n += c.length));
      res.once('end', () => {
        if (res.statusCode !== 200 || n !== expectBytes) reject(new Error(`GET ${path} → ${res.statusCode}, ${n} bytes of ${expectBytes}`));
        else resolve(performance.now() - t0);
      });
      res.once('error', reject);
    });
    req.once('error', reject);
  });
}
