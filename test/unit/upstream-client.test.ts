/** The edge's hop to the app over a real loopback socket: a kept-alive connection the app drops is retried once, where that is safe. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamClient } from '../../src/edge/upstream-client.js';

/** An app that answers the first GET of each connection and drops the connection, unanswered, at a second request or any POST. */
let app: http.Server;
let appPort = 0;
const seen: string[] = [];
beforeAll(async () => {
  app = http.createServer((req, res) => {
    const n = ((req.socket as { served?: number }).served = ((req.socket as { served?: number }).served ?? 0) + 1);
    seen.push(`${req.method} ${n}`);
    if (n > 1 || req.method === 'POST') return req.socket.destroy();
    res.setHeader('connection', 'keep-alive');
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  app.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  appPort = (app.address() as AddressInfo).port;
});
afterAll(() => app.close());

/** An edge-like front: forwards every request through one client; a failure before the answer is a 502 with its code. */
async function front(client: UpstreamClient): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) =>
    client.forward(req, res, { ip: '127.0.0.1', port: appPort }, (err) => {
      res.writeHead(502).end((err as NodeJS.ErrnoException).code ?? err.message);
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

function send(port: number, method: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: '/', agent: false }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('UpstreamClient', () => {
  it('sends a GET again on a fresh connection when the kept-alive one is dropped, and never a POST with a body', async () => {
    const client = new UpstreamClient();
    const { server, port } = await front(client);
    try {
      seen.length = 0;
      expect(await send(port, 'GET')).toEqual({ status: 200, text: 'ok' });
      // The pooled connection is reused, dropped by the app, and the GET goes again on a new one.
      expect(await send(port, 'GET')).toEqual({ status: 200, text: 'ok' });
      expect(seen).toEqual(['GET 1', 'GET 2', 'GET 1']);

      // A POST with a body may have been acted on: the failure is answered, not repeated.
      seen.length = 0;
      const post = await send(port, 'POST', 'data');
      expect(post.status).toBe(502);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatch(/^POST /);
    } finally {
      server.close();
      await client.close();
    }
  });
});
