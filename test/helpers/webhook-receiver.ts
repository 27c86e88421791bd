/**
 * A webhook receiver on the host (a plain node:http server) that keeps every
 * request it got, verifies nothing itself (tests do), and can be taken down
 * and brought back on the same port, or told how to misbehave.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  json: any;
}

/** ok: 204 at once; fail: 503; hang: never answer (the connection stays open). */
export type Behaviour = 'ok' | 'fail' | 'hang' | ((req: IncomingMessage, res: ServerResponse) => void);

export class Receiver {
  readonly received: Received[] = [];
  behaviour: Behaviour = 'ok';
  private readonly sockets = new Set<Socket>();
  private server: http.Server;
  port = 0;

  private constructor() {
    this.server = this.makeServer();
  }

  static async start(behaviour: Behaviour = 'ok'): Promise<Receiver> {
    const r = new Receiver();
    r.behaviour = behaviour;
    await r.listen(0);
    return r;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  private makeServer(): http.Server {
    const server = http.createServer((req, res) => {
      if (typeof this.behaviour === 'function') return this.behaviour(req, res);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (this.behaviour === 'hang') return;
        if (this.behaviour === 'fail') return void res.writeHead(503).end('receiver busy');
        this.received.push({ headers: req.headers, body, json: JSON.parse(body) });
        res.writeHead(204).end();
      });
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    return server;
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  /** Stops listening and cuts every connection: the port refuses until up(). */
  async down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  async up(): Promise<void> {
    this.server = this.makeServer();
    await this.listen(this.port);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    if (this.server.listening) await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Events received (parsed bodies) for one sandbox, in arrival order. */
  eventsOf(sandboxId: string): any[] {
    return this.received.map((r) => r.json).filter((e) => e.sandbox_id === sandboxId);
  }
}

/** The check a receiver makes (as documented in AGENTS.md): the signature over `<timestamp>.<body>`, a recent timestamp. */
export function signatureValid(secret: string, r: Received, nowS = Date.now() / 1000, toleranceS = 300): boolean {
  const ts = String(r.headers['x-sandboxed-timestamp'] ?? '');
  const given = String(r.headers['x-sandboxed-signature'] ?? '');
  if (!/^\d+$/.test(ts) || Math.abs(nowS - Number(ts)) > toleranceS || !given.startsWith('v1=')) return false;
  const expected = createHmac('sha256', secret).update(`${ts}.${r.body}`).digest();
  const got = Buffer.from(given.slice(3), 'hex');
  return got.length === expected.length && timingSafeEqual(got, expected);
}
