/**
 * The preview edge attacked the way a hostile tenant (or a visitor's browser
 * steered by one) would, against the real daemon, real Docker and real HTTP:
 * cookie tossing, an open redirect, slowloris and slow bodies, forged
 * forwarding headers, and a wake refused for memory on both edges. Each test
 * shows the attack fails and that a neighbour sandbox is still served.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { freePort, startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { until } from '../helpers/wait.js';
import { createApp, rawConnection, request, type RawConnection, type RequestOptions } from './edge-helpers.js';

const CAP = 12;
const HEADERS_TIMEOUT_S = 4;
const REQUEST_TIMEOUT_S = 6;

let d: TestDaemon; // built-in edge
let t: TestDaemon; // Traefik mode: wake endpoint and forward-auth only
let internal: number;
let meminfo: string;
const neighbour = uniqueId('nbr'); // public, always_on: wake admission never stops it
const target = uniqueId('tgt'); // public
const priv = uniqueId('priv'); // private
const tTarget = uniqueId('ttgt'); // on the Traefik-mode daemon
const tNeighbour = uniqueId('tnbr');

const setAvailableMb = (mb: number) =>
  writeFileSync(meminfo, `MemTotal:       ${8 * 1024 * 1024} kB\nMemFree:        0 kB\nMemAvailable:   ${mb * 1024} kB\n`);

const hostOf = (id: string) => `s-${id}-3000.preview.localhost:${d.edgePort}`;
const preview = (id: string, o: RequestOptions = {}) => request(d.edgePort, o.host ?? hostOf(id), o);
const token = async (dd: TestDaemon, id: string): Promise<string> => (await dd.api('POST', `/v1/sandboxes/${id}/preview-token`, { port: 3000 })).body.token;

async function expectNeighbourServed(): Promise<void> {
  const r = await preview(neighbour, { path: '/still-here' });
  expect(r.status).toBe(200);
  expect(r.json.url).toBe('/still-here');
  expect((await d.api('GET', '/healthz')).status).toBe(200);
}

beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'meminfo-'));
  meminfo = path.join(dir, 'meminfo');
  setAvailableMb(4000);
  // A start needs floor + reserve = 1100 MiB; at 1050 the pressure reaper (floor 1000) stays idle.
  const memory = { SANDBOXD_MEMINFO_PATH: meminfo, SANDBOXD_CGROUP_ROOT: dir, SANDBOXD_MEMORY_FLOOR_MB: '1000', SANDBOXD_WAKE_RESERVE_MB: '100' };
  internal = await freePort();
  [d, t] = await Promise.all([
    startTestDaemon({
      env: {
        ...memory,
        SANDBOXED_EDGE_HEADERS_TIMEOUT_SECONDS: String(HEADERS_TIMEOUT_S),
        SANDBOXED_EDGE_REQUEST_TIMEOUT_SECONDS: String(REQUEST_TIMEOUT_S),
        SANDBOXED_EDGE_MAX_CONNECTIONS_PER_CLIENT: String(CAP),
      },
    }),
    startTestDaemon({ env: { ...memory, SANDBOXED_EDGE: 'traefik', SANDBOXED_EDGE_INTERNAL_PORT: String(internal) } }),
  ]);
  await createApp(d, neighbour, { idle_policy: 'always_on' });
  await createApp(d, target);
  await createApp(d, priv, { visibility: 'private' });
  await createApp(t, tTarget);
  expect((await t.api('POST', '/v1/sandboxes', { id: tNeighbour, ports: [3000], idle_policy: 'always_on' })).status).toBe(201);
  await expectNeighbourServed(); // the first request waits for the app to listen
});

afterAll(async () => {
  await Promise.all([d?.dispose(), t?.dispose()]);
});

describe('cookie tossing', () => {
  it('a bad token cookie sent before the valid one does not lock the visitor out; the app sees none of them', async () => {
    const valid = await token(d, priv);
    const foreign = await token(d, neighbour); // what a sibling host would toss: a token that is valid elsewhere
    const tossed = `sandboxed_preview=${foreign}; sandboxed_preview=garbage; sandboxed_preview=${priv}.9999999999.0.AAAA`;
    const r = await preview(priv, { headers: { cookie: `${tossed}; theme=dark; sandboxed_preview=${valid}` } });
    expect(r.status).toBe(200);
    expect(r.json.headers.cookie).toBe('theme=dark');
    // Without the valid one the preview stays private, and only our host-only cookie is cleared.
    const refused = await preview(priv, { headers: { cookie: tossed } });
    expect(refused.status).toBe(401);
    expect(refused.headers['set-cookie']![0]).toMatch(/^sandboxed_preview=; Max-Age=0; Path=\/; HttpOnly; SameSite=Lax$/);
    // The __Host- name is the TLS cookie: on plain HTTP it admits nothing, and never reaches the app.
    expect((await preview(priv, { headers: { cookie: `__Host-sandboxed_preview=${valid}` } })).status).toBe(401);
    const both = await preview(priv, { headers: { cookie: `__Host-sandboxed_preview=${valid}; sandboxed_preview=${valid}` } });
    expect(both.status).toBe(200);
    expect(both.json.headers.cookie).toBeUndefined();
    await expectNeighbourServed();
  });
});

describe('open redirect', () => {
  it.each([
    ['a protocol-relative path', '//evil.example/?token=TOKEN', '/evil.example/'],
    ['a backslash path', '/\\evil.example/?token=TOKEN&a=1', '/evil.example/?a=1'],
    ['an absolute-form request target', 'http://evil.example/x?token=TOKEN', '/x'],
  ])('%s with a valid ?token= redirects on the preview host only', async (_name, target_, want) => {
    const valid = await token(d, priv);
    const r = await preview(priv, { path: target_.replace('TOKEN', encodeURIComponent(valid)) });
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe(want);
    expect(new URL(r.headers.location!, `http://${hostOf(priv)}/`).host).toBe(hostOf(priv));
    expect(r.headers['set-cookie']![0]).toMatch(/^sandboxed_preview=/);
    await expectNeighbourServed();
  });
});

describe('slowloris and slow bodies', () => {
  // Each test attacks from its own loopback address; the neighbour's visitor is 127.0.0.1.
  const attacker = (n: number) => `127.0.0.${n}`;
  const partial = (id: string) => `GET / HTTP/1.1\r\nHost: ${hostOf(id)}\r\nX-Slow: `;

  it(`one client gets at most ${CAP} connections: more are closed at once, unread; others and the API are served`, async () => {
    const logBefore = d.log().length;
    // The cap is held by WebSockets, which no timeout touches, so nothing here races a clock.
    const held = await Promise.all(
      Array.from({ length: CAP }, async () => {
        const ws = new WebSocket(`ws://127.0.0.1:${d.edgePort}/`, { headers: { host: hostOf(target) }, localAddress: attacker(3) });
        await new Promise<void>((resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject)));
        return ws;
      }),
    );
    const excess = await Promise.all(Array.from({ length: 6 }, () => rawConnection(d.edgePort, partial(target), attacker(3))));
    await until(async () => excess.every((c) => c.closed()), 'the connections over the cap to be closed');
    expect(excess.map((c) => c.received())).toEqual(Array(6).fill(''));
    await expectNeighbourServed();
    expect(held.every((ws) => ws.readyState === WebSocket.OPEN)).toBe(true);
    const log = await d.waitForLog(/too many open connections/);
    const refusals = log.slice(logBefore).split('\n').filter((l) => l.includes('too many open connections'));
    expect(refusals, 'logged once per client per minute').toHaveLength(1);
    expect(JSON.parse(refusals[0])).toMatchObject({ client: attacker(3), max: CAP });
    for (const ws of held) ws.terminate();
  });

  it('half-sent headers and silent connections are answered 408 and closed after the headers timeout', async () => {
    const conns: RawConnection[] = await Promise.all([
      ...Array.from({ length: 4 }, () => rawConnection(d.edgePort, partial(target), attacker(4))),
      rawConnection(d.edgePort, '', attacker(4)),
    ]);
    await until(async () => conns.every((c) => c.closed()), 'the half-open requests to be closed', 60_000);
    for (const c of conns) expect(c.received()).toMatch(/^HTTP\/1\.1 408 /);
    await expectNeighbourServed();
  });

  it('a request body trickled past the request timeout is cut off', async () => {
    const c = await rawConnection(d.edgePort, `POST /upload HTTP/1.1\r\nHost: ${hostOf(target)}\r\nContent-Length: 100000\r\n\r\nx`, attacker(5));
    const drip = setInterval(() => c.socket.write('x'), 500);
    try {
      await until(async () => c.closed(), 'the slow upload to be cut off', 60_000);
    } finally {
      clearInterval(drip);
    }
    expect(c.received()).not.toMatch(/^HTTP\/1\.1 200/);
    await expectNeighbourServed();
  });

  it(`the timeouts bound receiving a request only: an SSE stream and a WebSocket outlive them (${REQUEST_TIMEOUT_S} s)`, async () => {
    const began = Date.now();
    const sse = await preview(target, { path: '/sse', headers: { accept: 'text/event-stream' } });
    expect(sse.status).toBe(200);
    expect(sse.text.match(/^data: \d+$/gm)).toHaveLength(10); // one a second: the stream lived at least 9 s
    expect(Date.now() - began).toBeGreaterThan(REQUEST_TIMEOUT_S * 1000);
    const ws = new WebSocket(`ws://127.0.0.1:${d.edgePort}/`, { headers: { host: hostOf(target) } });
    const ticks: string[] = [];
    ws.on('message', (m: Buffer) => ticks.push(m.toString()));
    await until(async () => ticks.length >= REQUEST_TIMEOUT_S + 2, 'ticks past the request timeout', 60_000);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.terminate();
    await expectNeighbourServed();
  });
});

describe('forged forwarding headers', () => {
  it('the app sees the edge\'s Forwarded, X-Real-IP and X-Forwarded-*, never the client\'s', async () => {
    const forged = {
      forwarded: 'for=6.6.6.6;host=evil.example;proto=https',
      'x-real-ip': '6.6.6.6',
      'x-forwarded-for': '6.6.6.6',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'https',
      'x-forwarded-port': '443',
      X_Real_IP: '6.6.6.6',
      X_Forwarded_For: '6.6.6.6',
    };
    const r = await preview(target, { headers: forged });
    expect(r.status).toBe(200);
    const seen = r.json.headers as Record<string, string>;
    expect(seen).toMatchObject({
      forwarded: `for=127.0.0.1;host="${hostOf(target)}";proto=http`,
      'x-real-ip': '127.0.0.1',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-host': hostOf(target),
      'x-forwarded-proto': 'http',
    });
    for (const name of ['x-forwarded-port', 'x_real_ip', 'x_forwarded_for']) expect(seen).not.toHaveProperty([name]);
    expect(JSON.stringify(seen)).not.toContain('6.6.6.6');
    await expectNeighbourServed();
  });
});

describe('a wake refused for memory', () => {
  it('the built-in edge answers 503 + Retry-After (JSON, then the page for a browser) and starts nothing', async () => {
    expect((await d.api('POST', `/v1/sandboxes/${target}/stop`)).status).toBe(200);
    setAvailableMb(1050);
    try {
      const api = await preview(target);
      expect(api.status).toBe(503);
      expect(api.headers['retry-after']).toBe('30');
      expect(api.json.error).toMatch(/not enough memory/);
      const page = await preview(target, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(503);
      expect(page.headers['retry-after']).toBe('30');
      expect(page.text).toMatch(/cannot start right now[\s\S]*not enough memory/);
      expect((await d.api('GET', `/v1/sandboxes/${target}`)).body.status).toBe('stopped');
      await expectNeighbourServed();
    } finally {
      setAvailableMb(4000);
    }
    expect((await preview(target, { path: '/back' })).json.url).toBe('/back');
  });

  it('the Traefik-mode wake endpoint answers the same, and its forward-auth still admits a neighbour', async () => {
    const host = `s-${tTarget}-3000.preview.localhost`;
    const wake = (headers: Record<string, string> = {}) => request(internal, host, { headers });
    expect((await wake()).status).toBe(503); // woken once: the app is up, Traefik would route next
    expect((await t.api('POST', `/v1/sandboxes/${tTarget}/stop`)).status).toBe(200);
    setAvailableMb(1050);
    try {
      const api = await wake();
      expect(api.status).toBe(503);
      expect(api.headers['retry-after']).toBe('30');
      expect(api.json.error).toMatch(/not enough memory/);
      const page = await wake({ accept: 'text/html' });
      expect(page.status).toBe(503);
      expect(page.headers['retry-after']).toBe('30');
      expect(page.text).toContain('cannot start right now');
      expect((await t.api('GET', `/v1/sandboxes/${tTarget}`)).body.status).toBe('stopped');
      const auth = await request(internal, `127.0.0.1:${internal}`, {
        path: '/_sandboxed/forward-auth',
        headers: { 'x-forwarded-host': `s-${tNeighbour}-3000.preview.localhost`, 'x-forwarded-uri': '/' },
      });
      expect(auth.status).toBe(200);
      await expectNeighbourServed();
    } finally {
      setAvailableMb(4000);
    }
    const back = await wake();
    expect(back.status).toBe(503);
    expect(back.headers['retry-after']).toBe('1'); // up again: "retry, Traefik has the route now"
  });
});
