/** The built-in edge's per-client connection cap and its server timeouts, as pure logic (the real server: test/security/edge-attacks.test.ts). */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ClientConnectionCap, REFUSAL_LOG_WINDOW_MS, clientKey } from '../../src/edge/client-cap.js';
import { serverOptions } from '../../src/edge/preview-server.js';
import { loadConfig } from '../../src/config.js';

class FakeSocket extends EventEmitter {
  destroyed = false;
  constructor(readonly remoteAddress: string) {
    super();
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }
}

function logSink() {
  const lines: string[] = [];
  const log = pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) });
  return { log, lines };
}

describe('clientKey', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:DB8:1:2:ffff::9', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    [undefined, 'unknown'],
  ])('%s counts as %s', (address, want) => {
    expect(clientKey(address)).toBe(want);
  });
});

describe('ClientConnectionCap', () => {
  it('closes connections over the cap at once, per client, and counts closed ones back', () => {
    const { log } = logSink();
    const cap = new ClientConnectionCap(2, log);
    const a = [1, 2, 3].map(() => new FakeSocket('198.51.100.1'));
    for (const s of a) cap.admit(s as unknown as Socket);
    expect(a.map((s) => s.destroyed)).toEqual([false, false, true]);
    expect(cap.openFrom('198.51.100.1')).toBe(2);
    // Another client is not affected.
    const b = new FakeSocket('198.51.100.2');
    cap.admit(b as unknown as Socket);
    expect(b.destroyed).toBe(false);
    // A closed connection frees its place.
    a[0].emit('close');
    const again = new FakeSocket('198.51.100.1');
    cap.admit(again as unknown as Socket);
    expect(again.destroyed).toBe(false);
    expect(cap.openFrom('198.51.100.1')).toBe(2);
  });

  it('logs refusals once per client per minute', () => {
    const { log, lines } = logSink();
    let now = 0;
    const cap = new ClientConnectionCap(1, log, () => now);
    const open = (addr: string) => cap.admit(new FakeSocket(addr) as unknown as Socket);
    open('192.0.2.1');
    for (let i = 0; i < 50; i++) open('192.0.2.1');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ client: '192.0.2.1', max: 1, msg: expect.stringMatching(/too many open connections/) });
    now += REFUSAL_LOG_WINDOW_MS;
    open('192.0.2.1');
    expect(lines).toHaveLength(2);
  });

  it('0 turns the cap off', () => {
    const cap = new ClientConnectionCap(0, logSink().log);
    const sockets = Array.from({ length: 100 }, () => new FakeSocket('192.0.2.9'));
    for (const s of sockets) cap.admit(s as unknown as Socket);
    expect(sockets.some((s) => s.destroyed)).toBe(false);
  });
});

describe('serverOptions', () => {
  it('bounds how long a request may take to arrive, and checks often enough for the shortest limit', () => {
    expect(serverOptions({ edgeHeadersTimeoutMs: 20_000, edgeRequestTimeoutMs: 300_000 })).toEqual({
      headersTimeout: 20_000,
      requestTimeout: 300_000,
      keepAliveTimeout: 5_000,
      connectionsCheckingInterval: 5_000,
    });
    expect(serverOptions({ edgeHeadersTimeoutMs: 2_000, edgeRequestTimeoutMs: 6_000 }).connectionsCheckingInterval).toBe(500);
    expect(serverOptions({ edgeHeadersTimeoutMs: 1_000, edgeRequestTimeoutMs: 1_000 }).connectionsCheckingInterval).toBe(250);
  });
});

describe('edge limits in the config', () => {
  it('refuses a headers timeout above the request timeout at start (Node would throw later)', () => {
    expect(() => loadConfig({ SANDBOXED_EDGE_HEADERS_TIMEOUT_SECONDS: '60', SANDBOXED_EDGE_REQUEST_TIMEOUT_SECONDS: '30' })).toThrow(
      /SANDBOXED_EDGE_HEADERS_TIMEOUT_SECONDS: is larger than SANDBOXED_EDGE_REQUEST_TIMEOUT_SECONDS/,
    );
    expect(loadConfig({ SANDBOXED_EDGE_MAX_CONNECTIONS_PER_CLIENT: '0' }).edgeMaxConnectionsPerClient).toBe(0);
  });
});
