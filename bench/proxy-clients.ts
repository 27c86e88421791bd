/**
 * `npx tsx bench/proxy-clients.ts`: the measurement behind the edge's choice
 * of upstream client. A minimal Node app and one proxy per candidate run as
 * child processes on loopback (no Docker, no daemon): http-proxy-3 over
 * http.Agent (what the edge used), plain http.request over http.Agent, and
 * undici's Pool without and with pipelining — each the bare hop, none of the
 * edge's own work. Rounds go through the candidates in turn; figures only.
 * PROXY_BENCH_ROUNDS, PROXY_BENCH_SECONDS and PROXY_BENCH_CONNECTIONS (a
 * comma list) tune it.
 */
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { ProxyServer } from 'http-proxy-3';
import { Pool } from 'undici';
import { freePort, sleep } from './lib/daemon.js';
import { tcpAccepts, until } from './lib/probe.js';

const CANDIDATES = ['http-proxy-3', 'http.request', 'undici', 'undici-pipelining-10'] as const;
type Candidate = (typeof CANDIDATES)[number];

function serveApp(port: number): void {
  http.createServer((_q, s) => s.end('ok')).listen(port, '127.0.0.1');
}

function serveProxy(kind: Candidate, port: number, appPort: number): void {
  const target = { host: '127.0.0.1', port: appPort };
  let handler: http.RequestListener;
  if (kind === 'http-proxy-3') {
    const proxy = new ProxyServer({ agent: new http.Agent({ keepAlive: true }), xfwd: false });
    handler = (req, res) => proxy.web(req, res, { target: { ...target, protocol: 'http:' } });
  } else if (kind === 'http.request') {
    const agent = new http.Agent({ keepAlive: true });
    handler = (req, res) => {
      const up = http.request({ ...target, method: req.method, path: req.url, headers: req.headers, agent }, (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.rawHeaders);
        ur.pipe(res);
      });
      req.pipe(up);
    };
  } else {
    const pool = new Pool(`http://127.0.0.1:${appPort}`, { pipelining: kind === 'undici' ? 1 : 10 });
    handler = (req, res) => {
      const headers = { ...req.headers };
      delete headers.connection;
      pool.dispatch(
        { method: req.method ?? 'GET', path: req.url ?? '/', headers, body: null },
        {
          onRequestStart: () => undefined,
          onResponseStart: (_c, status, h) => {
            delete h.connection;
            delete h['keep-alive'];
            res.writeHead(status, h);
          },
          onResponseData: (c, chunk) => {
            if (!res.write(chunk)) c.pause();
          },
          onResponseEnd: () => res.end(),
          onResponseError: (_c, err) => res.destroy(err),
        },
      );
    };
  }
  http.createServer({ keepAliveTimeout: 5000 }, handler).listen(port, '127.0.0.1');
}

async function child(args: string[], port: number): Promise<ChildProcess> {
  const c = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, ...args], { stdio: 'inherit' });
  await until(`${args.join(' ')} on ${port}`, () => tcpAccepts('127.0.0.1', port), 15_000, 50);
  return c;
}

async function main(): Promise<void> {
  const env = process.env;
  const rounds = Number(env.PROXY_BENCH_ROUNDS ?? 3);
  const seconds = Number(env.PROXY_BENCH_SECONDS ?? 5);
  const connectionsList = (env.PROXY_BENCH_CONNECTIONS ?? '10,100').split(',').map(Number);
  const appPort = await freePort();
  const app = await child(['--app', String(appPort)], appPort);
  const results = new Map<string, number[]>();
  try {
    for (let r = 0; r < rounds; r++) {
      for (const kind of CANDIDATES) {
        const port = await freePort();
        const proxy = await child(['--proxy', kind, String(port), String(appPort)], port);
        try {
          for (const connections of connectionsList) {
            const out = await autocannon({ url: `http://127.0.0.1:${port}/`, connections, duration: seconds });
            const key = `${kind}, ${connections} connections`;
            results.set(key, [...(results.get(key) ?? []), out.requests.average]);
            process.stdout.write(`round ${r + 1} ${key}: ${Math.round(out.requests.average)} req/s, p50 ${out.latency.p50} ms, p99 ${out.latency.p99} ms\n`);
          }
        } finally {
          proxy.kill();
          await sleep(200);
        }
      }
    }
  } finally {
    app.kill();
  }
  process.stdout.write('\nmean req/s over rounds:\n');
  for (const [key, xs] of results) process.stdout.write(`  ${key}: ${Math.round(xs.reduce((a, b) => a + b, 0) / xs.length)}\n`);
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === '--app') serveApp(Number(rest[0]));
else if (mode === '--proxy') serveProxy(rest[0] as Candidate, Number(rest[1]), Number(rest[2]));
else
  main().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  });
