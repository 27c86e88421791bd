/**
 * Helpers for the edge attack tests: a tenant app that shows what it received,
 * HTTP requests with any request target and source address, and raw sockets
 * that send what a browser never would.
 */
import http from 'node:http';
import net from 'node:net';
import { expect } from 'vitest';
import type { TestDaemon } from '../helpers/daemon.js';

/**
 * The tenant's app (no dependencies): echoes each request's URL and headers
 * as JSON; /sse streams 10 events a second apart; a WebSocket gets a text
 * frame "tick N" every second, so a socket alive for N ticks lived N s at least.
 */
export const APP = String.raw`
const http = require('http'), crypto = require('crypto');
const srv = http.createServer((req, res) => {
  if (req.url === '/sse') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    let n = 0;
    const t = setInterval(() => { res.write('data: ' + n++ + '\n\n'); if (n === 10) { clearInterval(t); res.end(); } }, 1000);
    return req.on('close', () => clearInterval(t));
  }
  let bytes = 0;
  req.on('data', (c) => (bytes += c.length));
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ url: req.url, headers: req.headers, bytes }));
  });
});
srv.on('upgrade', (req, sock) => {
  const accept = crypto.createHash('sha1').update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  sock.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ' + accept + '\r\n\r\n');
  let n = 0;
  const t = setInterval(() => { const m = Buffer.from('tick ' + n++); sock.write(Buffer.concat([Buffer.from([0x81, m.length]), m])); }, 1000);
  sock.on('close', () => clearInterval(t));
  sock.on('error', () => {});
});
srv.listen(3000, '0.0.0.0');
`;

/** Creates a sandbox serving APP on port 3000. */
export async function createApp(d: TestDaemon, id: string, extra: Record<string, unknown> = {}): Promise<void> {
  const c = await d.api('POST', '/v1/sandboxes', { id, ports: [3000], ...extra });
  expect(c.status, JSON.stringify(c.body)).toBe(201);
  const w = await d.api('PUT', `/v1/sandboxes/${id}/files`, { path: 'workspace/app/app.js', content: APP });
  expect(w.status, JSON.stringify(w.body)).toBe(200);
  const p = await d.api('PATCH', `/v1/sandboxes/${id}`, { services: [{ name: 'app', command: 'node app.js', port: 3000 }] });
  expect(p.status, JSON.stringify(p.body)).toBe(200);
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
}

export interface RequestOptions {
  /** The request target, sent as is (origin form, absolute form, anything). */
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  host?: string;
  localAddress?: string;
}

/** One request to `port` with a preview Host, on its own connection. */
export function request(port: number, host: string, o: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: o.method ?? 'GET', path: o.path ?? '/', headers: { host, ...o.headers }, agent: false, localAddress: o.localAddress },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode!, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

export interface RawConnection {
  socket: net.Socket;
  /** Everything the server sent. */
  received(): string;
  closed(): boolean;
}

/** A TCP connection that sends `text` (a partial request, say) and then nothing more. */
export function rawConnection(port: number, text: string, localAddress?: string): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress });
    let got = '';
    let isClosed = false;
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (got += c));
    socket.on('close', () => (isClosed = true));
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      if (text) socket.write(text);
      resolve({ socket, received: () => got, closed: () => isClosed });
    });
    socket.once('error', reject);
  });
}
