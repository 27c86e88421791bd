/**
 * Attack: webhook receivers that answer with what a client should never
 * swallow: a 2xx with an endless body, an error with an endless body, a
 * megabyte of headers, a status line trickled a byte a second, and one that
 * never answers. Each costs the daemon one bounded attempt (a 2xx's body is
 * never read, an error's first 512 bytes are, every attempt ends within
 * SANDBOXD_WEBHOOK_TIMEOUT_SECONDS) and its own queue; a well-behaved
 * receiver gets every event in order meanwhile, the API and a neighbour
 * sandbox answer, and the daemon's memory does not grow with what the
 * receivers offered.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { until } from '../helpers/wait.js';
import { Receiver, signatureValid } from '../helpers/webhook-receiver.js';

const SECRET = 'receiver-secret-0123456789';
const CHUNK = Buffer.alloc(64 * 1024, 'x');

/** A raw TCP receiver: `answer` writes what it likes once a request arrived; bytes it got out and connections it saw close are counted. */
class Hostile {
  written = 0;
  requests = 0;
  closed = 0;
  private readonly sockets = new Set<net.Socket>();
  private readonly server: net.Server;

  constructor(private readonly answer: (s: net.Socket, pump: (s: net.Socket) => void) => void) {
    this.server = net.createServer((s) => {
      this.sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        this.closed++;
        this.sockets.delete(s);
      });
      let seen = '';
      s.on('data', (c: Buffer) => {
        if (seen.includes('\r\n\r\n')) return;
        seen += c.toString('latin1');
        if (seen.includes('\r\n\r\n')) {
          this.requests++;
          this.answer(s, (sock) => this.pump(sock));
        }
      });
    });
  }

  /** Writes 64 KiB chunks for as long as the peer takes them. */
  private pump(s: net.Socket): void {
    const more = (): void => {
      while (!s.destroyed && s.write(CHUNK)) this.written += CHUNK.length;
      if (!s.destroyed) s.once('drain', more);
    };
    more();
  }

  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

const hostile = {
  endless200: new Hostile((s, pump) => {
    s.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\n');
    pump(s);
  }),
  endless500: new Hostile((s, pump) => {
    s.write(`HTTP/1.1 500 Oops\r\ncontent-type: text/plain\r\n\r\n${'\u0007\u001b[31m'.repeat(4)}`);
    pump(s);
  }),
  hugeHeaders: new Hostile((s) => {
    s.write('HTTP/1.1 200 OK\r\n');
    for (let i = 0; i < 1024; i++) s.write(`x-filler-${i}: ${'y'.repeat(1000)}\r\n`);
  }),
  trickle: new Hostile((s) => {
    const line = 'HTTP/1.1 200 OK\r\n';
    let i = 0;
    const t = setInterval(() => (s.destroyed || i >= line.length ? clearInterval(t) : s.write(line[i++])), 1000);
    s.on('close', () => clearInterval(t));
  }),
  silent: new Hostile(() => undefined),
};

let d: TestDaemon;
let good: Receiver;
const neighbour = uniqueId('nb');

function memoryMb(): number {
  const status = readFileSync(`/proc/${d.pid()}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

beforeAll(async () => {
  good = await Receiver.start();
  const hooks = [`name=good url=${good.url} secret=${SECRET}`];
  for (const [name, h] of Object.entries(hostile)) hooks.push(`name=${name.toLowerCase()} url=${await h.start()} secret=${SECRET}`);
  d = await startTestDaemon({ env: { SANDBOXD_WEBHOOKS: hooks.join(';'), SANDBOXD_WEBHOOK_TIMEOUT_SECONDS: '3', SANDBOXD_WEBHOOK_RETRY_SECONDS: '600' } });
  expect((await d.api('POST', '/v1/sandboxes', { id: neighbour })).status).toBe(201);
});

afterAll(async () => {
  await d?.dispose();
  await good?.close();
  await Promise.all(Object.values(hostile).map((h) => h.close()));
});

const deliveriesOf = async (webhook: string) => (await d.api('GET', `/v1/webhooks/deliveries?webhook=${webhook}&limit=500`)).body.deliveries as any[];

describe('hostile webhook receivers', () => {
  it('cost one bounded attempt each, while a good receiver, the API and a neighbour carry on', async () => {
    const before = memoryMb();
    const id = uniqueId('hooked');
    await d.api('POST', '/v1/sandboxes', { id });
    await d.api('POST', `/v1/sandboxes/${id}/stop`);
    await d.api('POST', `/v1/sandboxes/${id}/start`);

    // Every attempt at every hostile receiver ended (and was recorded); then another was made.
    const names = Object.keys(hostile).map((n) => n.toLowerCase());
    await until(async () => {
      for (const name of names) if (!(await deliveriesOf(name)).some((x) => x.attempts >= 2 || x.status === 'delivered')) return false;
      return true;
    }, 'every hostile receiver\'s attempts to end and be recorded', 120_000);
    await until(async () => good.eventsOf(id).length === 3, 'the good receiver\'s events');
    expect(good.eventsOf(id).map((e) => e.type)).toEqual(['sandbox.created', 'sandbox.stopped', 'sandbox.started']);
    expect(good.received.every((r) => signatureValid(SECRET, r))).toBe(true);
    expect((await d.api('GET', '/healthz')).status).toBe(200);
    expect((await d.api('POST', `/v1/sandboxes/${neighbour}/exec`, { cmd: ['echo', 'fine'] })).body.stdout).toBe('fine\n');

    // A 2xx is delivered without its body being read; the endless body was cut off by the daemon.
    const endless200 = await until(async () => (await deliveriesOf('endless200')).find((x) => x.status === 'delivered'), 'the 2xx to count as delivered');
    expect(endless200).toMatchObject({ last_status: 200, last_error: null });
    await until(async () => hostile.endless200.closed >= 1, 'the daemon to close the endless 2xx');

    // An error keeps 512 bytes of its body at most, printable, one line; the connection is closed.
    const endless500 = (await deliveriesOf('endless500')).find((x) => x.attempts >= 1);
    expect(endless500.status).toBe('pending');
    expect(endless500.last_status).toBe(500);
    expect(endless500.last_error).toMatch(/^answered 500: \[31m \[31m \[31m \[31mx+…$/);
    expect(endless500.last_error.length).toBeLessThanOrEqual(220);
    expect(hostile.endless500.closed).toBeGreaterThanOrEqual(1);

    const hugeHeaders = (await deliveriesOf('hugeheaders')).find((x) => x.attempts >= 1);
    expect(hugeHeaders).toMatchObject({ status: 'pending', last_status: null });
    expect(hugeHeaders.last_error).toMatch(/header/i);
    for (const slow of ['trickle', 'silent']) {
      const attempt = (await deliveriesOf(slow)).find((x) => x.attempts >= 1);
      expect(attempt).toMatchObject({ status: 'pending', last_status: null, last_error: 'no answer within 3 s' });
    }

    // What the receivers pushed is bounded by socket buffers per attempt, and none of it stayed in the daemon.
    const offered = Object.values(hostile).reduce((n, h) => n + h.written, 0);
    const after = memoryMb();
    console.log(`hostile receivers: ${(offered / 1e6).toFixed(1)} MB offered; daemon RSS ${before.toFixed(0)} MB before, ${after.toFixed(0)} MB after`);
    expect(after - before).toBeLessThan(100);
    expect(hostile.endless200.written / hostile.endless200.requests).toBeLessThan(64 * 1024 * 1024);
    await d.api('POST', `/v1/sandboxes/${id}/purge`);
  });
});
