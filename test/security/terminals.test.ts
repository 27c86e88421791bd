/**
 * Attacks on terminals and followed logs. A tenant floods its terminal while
 * one viewer reads slowly; a client sends oversized and malformed frames; a
 * page on a foreign origin opens a terminal through the operator's browser;
 * a token in the handshake URL would reach the logs; a tenant swaps its log
 * file for a link, truncates it, or grows it fast. Each must fail while the
 * other viewer, a neighbour sandbox and the daemon carry on with bounded memory.
 * Defences: src/terminals/ (session.ts, log-follower.ts), src/http/browser-guard.ts,
 * src/http/auth.ts, src/http/log-fields.ts.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { SseReader } from '../helpers/sse.js';
import { TermClient, wsUrl } from '../helpers/terminal.js';
import { until } from '../helpers/wait.js';

const RSS_GROWTH_MAX_MB = 150;
const HEALTH_MAX_MS = 1000;

let d: TestDaemon;
const tenant = uniqueId('flood');
const neighbour = uniqueId('nb');
const clients: TermClient[] = [];

async function open(p: string, opts: Parameters<typeof TermClient.open>[1] = {}): Promise<TermClient> {
  const c = await TermClient.open(wsUrl(d.url, p), opts);
  clients.push(c);
  return c;
}

function rssMb(daemon: TestDaemon): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${daemon.pid()}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)![1]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

async function sh(id: string, script: string): Promise<string> {
  const r = await d.api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['sh', '-c', script] });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.stdout as string;
}

/** The daemon and a neighbour answer: /healthz within HEALTH_MAX_MS, and an exec in the neighbour. */
async function expectUnaffected(): Promise<void> {
  const t = performance.now();
  expect((await fetch(`${d.url}/healthz`)).status).toBe(200);
  expect(performance.now() - t).toBeLessThan(HEALTH_MAX_MS);
  expect(await sh(neighbour, 'echo fine')).toBe('fine\n');
}

beforeAll(async () => {
  d = await startTestDaemon();
  for (const id of [tenant, neighbour]) expect((await d.api('POST', '/v1/sandboxes', { id })).status).toBe(201);
});

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await d?.dispose();
});

describe('terminal attacks', () => {
  it('a flood with a slow viewer: the slow one is dropped (4008), the other keeps reading, memory stays bounded', async () => {
    const before = rssMb(d);
    const fast = await open(`/v1/sandboxes/${tenant}/pty?cmd=yes&cmd=${'x'.repeat(200)}`, { discard: true });
    const slow = await open(`/v1/sandboxes/${tenant}/pty/${fast.hello.session}`, { discard: true });
    // The slow viewer stops reading its socket: the kernel's buffers fill, then the daemon's queue for it.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    await d.waitForLog(/"code":4008.*"msg":"terminal viewer dropped"/, 120_000);
    const atDrop = fast.received;
    await until(async () => fast.received > atDrop + 8 * 1024 * 1024, 'the fast viewer to read 8 MiB more after the drop');
    await expectUnaffected();
    const during = rssMb(d);
    console.log(`terminal flood: fast viewer read ${(fast.received / 1e6).toFixed(0)} MB; daemon RSS ${before.rss.toFixed(0)} MB before, peak ${during.peak.toFixed(0)} MB`);
    expect(during.peak - before.rss).toBeLessThan(RSS_GROWTH_MAX_MB);
    expect(fast.closed).toBeNull();

    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect((await slow.waitClosed()).code).toBe(4008);
    expect((await d.api('DELETE', `/v1/sandboxes/${tenant}/pty/${fast.hello.session}`)).status).toBe(200);
    expect((await fast.waitClosed()).code).toBe(1000);
  });

  it('oversized, malformed and out-of-range frames get a close code or an error frame; the session and daemon live on', async () => {
    const a = await open(`/v1/sandboxes/${tenant}/pty`);
    a.ws.send('not json');
    a.control({ type: 'resize', cols: 100000, rows: 5 });
    a.control({ type: 'signal', name: 'STOP' });
    a.control({ type: 'nonsense' });
    await until(async () => a.frames.filter((f) => f.type === 'error').length === 4, 'four error frames');
    expect(a.frames.filter((f) => f.type === 'error').map((f) => f.error as string)).toEqual([
      expect.stringContaining('JSON control messages'),
      expect.stringContaining('cols must be'),
      expect.stringContaining('signal: name'),
      expect.stringContaining('unknown message type'),
    ]);
    a.type('echo still-$((2+2))\r');
    await a.waitFor('still-4');

    a.ws.send(Buffer.alloc(200 * 1024, 0x61), { binary: true });
    expect((await a.waitClosed()).code).toBe(1009);
    const b = await open(`/v1/sandboxes/${tenant}/pty/${a.hello.session}`);
    b.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect((await b.waitClosed()).code).toBe(1007);

    const c = await open(`/v1/sandboxes/${tenant}/pty/${a.hello.session}`);
    c.type('echo alive-$((3+3))\r');
    await c.waitFor('alive-6');
    await expectUnaffected();
  });

  it('a page on a foreign origin, or under a rebinding host name, cannot open a terminal', async () => {
    const count = async () => (await d.api('GET', `/v1/sandboxes/${tenant}/pty`)).body.count as number;
    const n = await count();
    await expect(open(`/v1/sandboxes/${tenant}/pty`, { headers: { origin: `http://s-${tenant}-3000.preview.localhost` } })).rejects.toMatchObject({ status: 403 });
    await expect(open(`/v1/sandboxes/${tenant}/pty`, { headers: { origin: 'https://evil.example' } })).rejects.toMatchObject({ status: 403 });
    await expect(open(`/v1/sandboxes/${tenant}/pty`, { headers: { host: 'evil.example' } })).rejects.toMatchObject({ status: 421 });
    expect(await count()).toBe(n);
    expect(d.log()).toMatch(/"status":403.*"msg":"browser guard refused a request"/);
  });
});

describe('the API token in a WebSocket handshake', () => {
  let authed: TestDaemon;
  const secret = 'pty-secret-7f3a9c';
  beforeAll(async () => {
    authed = await startTestDaemon({ env: { SANDBOXD_API_TOKENS: `ops:${secret}` } });
    const r = await authed.api('POST', '/v1/sandboxes', { id: 'tok' }, { authorization: `Bearer ${secret}` });
    expect(r.status).toBe(201);
  });
  afterAll(async () => {
    await authed?.dispose();
  });

  it('is taken from the subprotocol or ?token= on terminal routes only, never echoed, never logged', async () => {
    const url = wsUrl(authed.url, '/v1/sandboxes/tok/pty');
    await expect(TermClient.open(url)).rejects.toMatchObject({ status: 401 });
    await expect(TermClient.open(url, { protocols: ['sandboxed.pty.v1', 'sandboxed.token.wrong'] })).rejects.toMatchObject({ status: 401 });
    const viaProtocol = await TermClient.open(url, { protocols: ['sandboxed.pty.v1', `sandboxed.token.${secret}`] });
    expect(viaProtocol.ws.protocol).toBe('sandboxed.pty.v1');
    const viaQuery = await TermClient.open(`${url}?token=${secret}&cols=90`);
    expect(viaQuery.hello.cols).toBe(90);
    const viaHeader = await TermClient.open(url, { headers: { authorization: `Bearer ${secret}` } });
    for (const c of [viaProtocol, viaQuery, viaHeader]) await c.close();
    // Elsewhere the query is no way in.
    expect((await fetch(`${authed.url}/v1/sandboxes?token=${secret}`)).status).toBe(401);

    await authed.waitForLog('token=[redacted]');
    expect(authed.log()).not.toContain(secret);
  });
});

describe('log file attacks', () => {
  const logs = `/v1/sandboxes/${tenant}/services/hostile/logs`;

  it('a log swapped for a link, truncated or replaced: the follow resets or ends, nothing outside is read', async () => {
    await sh(tenant, 'cd ~/.sandboxed/logs && printf "one\\ntwo\\n" > hostile.log');
    const s = await SseReader.open(`${d.url}${logs}?follow=1&since=0`);
    await until(async () => s.text('log') === 'one\ntwo\n', 'the first lines');
    await sh(tenant, 'cd ~/.sandboxed/logs && : > hostile.log && printf "3\\n" >> hostile.log');
    await s.waitFor((e) => e.event === 'reset' && e.data.reason === 'the file was truncated', 'a reset for the truncation');
    await sh(tenant, 'cd ~/.sandboxed/logs && printf "other file\\n" > new.log && mv new.log hostile.log');
    await s.waitFor((e) => e.event === 'reset' && e.data.reason === 'the file was replaced', 'a reset for the replacement');
    await until(async () => s.text('log').endsWith('other file\n'), 'the new file read from its start');
    await sh(tenant, 'cd ~/.sandboxed/logs && ln -sf /etc/passwd hostile.log');
    await s.waitDone();
    expect(s.events.at(-1)).toMatchObject({ event: 'error' });
    expect(JSON.stringify(s.events)).not.toContain('root:');

    const tail = await d.api('GET', logs);
    expect(tail.status).toBe(400);
    expect(JSON.stringify(tail.body)).not.toContain('root:');
    // A link on the way there: the logs directory itself.
    await sh(tenant, 'cd ~/.sandboxed && mv logs logs.real && ln -s /etc logs');
    const viaDir = await d.api('GET', `/v1/sandboxes/${tenant}/services/passwd/logs`);
    expect(viaDir.status).toBe(400);
    expect(JSON.stringify(viaDir.body)).not.toContain('root:');
    await sh(tenant, 'cd ~/.sandboxed && rm logs && mv logs.real logs');
    await expectUnaffected();
  });

  it('a log growing fast is followed at a bounded rate with bounded memory', async () => {
    const before = rssMb(d);
    await d.api('POST', `/v1/sandboxes/${tenant}/exec`, { cmd: ['sh', '-c', 'yes 0123456789abcdef > ~/.sandboxed/logs/fast.log'], background: true });
    const s = await SseReader.open(`${d.url}/v1/sandboxes/${tenant}/services/fast/logs?follow=1&since=0`);
    await until(async () => s.events.length > 200, 'two hundred chunks followed', 120_000);
    await expectUnaffected();
    const during = rssMb(d);
    console.log(`log flood: ${s.events.length} chunks followed; daemon RSS ${before.rss.toFixed(0)} MB before, peak ${during.peak.toFixed(0)} MB`);
    expect(during.peak - before.rss).toBeLessThan(RSS_GROWTH_MAX_MB);
    s.close();
    await sh(tenant, 'pkill -x yes; rm -f ~/.sandboxed/logs/fast.log');
  });
});
