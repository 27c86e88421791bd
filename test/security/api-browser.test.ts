/**
 * Attack: a page the operator opens drives the API on their loopback. The page
 * is a tenant's own app, served through the built-in edge on its preview host;
 * from a real Chromium it sends what a page can send without asking: a no-cors
 * POST, a fetch with a JSON body, HTML form posts. Also DNS rebinding (a foreign
 * Host), bodies a form could make, and an open API on a public bind.
 * Defence: src/http/browser-guard.ts and the start rules of src/config.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { until } from '../helpers/wait.js';

const CHROMIUM = '/usr/bin/chromium';
const REFUSED = 'browser guard refused a request';

let d: TestDaemon;
let browser: BrowserContext;
const profile = mkdtempSync(path.join(os.tmpdir(), 'sandboxed-chromium-'));
const tenant = uniqueId('evil');
const victim = uniqueId('victim');
const neighbour = uniqueId('peer');
const daemons: TestDaemon[] = [];

/**
 * The tenant's page. It attacks the API named in ?api= and the sandbox in
 * ?victim=, in this order: a JSON exec (a CORS request: the preflight decides),
 * a no-cors JSON stop (goes out as text/plain), two forms, a no-cors purge.
 */
const PAGE = `<!doctype html><title>tenant app</title><body><script>
const q = new URLSearchParams(location.search);
const api = q.get('api'), v = q.get('victim');
window.results = {};
function form(action, enctype, name, value) {
  const sink = document.createElement('iframe');
  sink.name = 'sink-' + Math.random().toString(36).slice(2);
  document.body.append(sink);
  const f = document.createElement('form');
  Object.assign(f, { method: 'POST', action, enctype, target: sink.name });
  const i = document.createElement('input');
  Object.assign(i, { name, value });
  f.append(i);
  document.body.append(f);
  f.submit();
}
(async () => {
  try {
    const r = await fetch(api + '/v1/sandboxes/' + v + '/exec', { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ cmd: ['touch', '/home/sandbox/pwned'] }) });
    results.exec = r.status + ' ' + await r.text();
  } catch (e) { results.exec = 'blocked: ' + e.message; }
  await fetch(api + '/v1/sandboxes/' + v + '/stop', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'application/json' }, body: '{}' })
    .catch(() => undefined);
  form(api + '/sandbox/' + v + '/purge', 'application/x-www-form-urlencoded', 'x', '1');
  form(api + '/sandbox/' + v + '/exec', 'text/plain', '{"cmd":["touch","/home/sandbox/pwned"],"pad":"', '"}');
  await fetch(api + '/v1/sandboxes/' + v + '/purge', { method: 'POST', mode: 'no-cors' }).catch(() => undefined);
  results.done = true;
})();
</script>`;

function tenantOrigin(): string {
  return `http://s-${tenant}-3000.preview.localhost:${d.edgePort}`;
}

/** One request with a Host header of our choosing (fetch would not send it). */
function rawRequest(port: number, opts: { method?: string; path: string; host: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers: { host: opts.host }, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function logLines(daemon: TestDaemon, msg: string): Record<string, any>[] {
  return daemon
    .log()
    .split('\n')
    .filter((l) => l.includes(`"msg":"${msg}"`))
    .map((l) => JSON.parse(l) as Record<string, any>);
}

/** Requests the daemon received (Fastify logs each), as `METHOD url`. */
function received(daemon: TestDaemon): string[] {
  return logLines(daemon, 'incoming request').map((e) => `${e.req.method} ${e.req.url}`);
}

/** Requests the guard refused, as `METHOD url status`. */
function refusals(daemon: TestDaemon): string[] {
  return logLines(daemon, REFUSED).map((e) => `${e.method} ${e.url} ${e.status}`);
}

async function openTenantPage(api: string, target: string): Promise<Record<string, string>> {
  const page = await browser.newPage();
  await page.goto(`${tenantOrigin()}/?api=${encodeURIComponent(api)}&victim=${target}`);
  await page.waitForFunction(() => (window as unknown as { results: { done?: boolean } }).results?.done === true, undefined, { timeout: 60_000 });
  const results = await page.evaluate(() => (window as unknown as { results: Record<string, string> }).results);
  await page.close();
  return results;
}

async function status(daemon: TestDaemon, id: string): Promise<string> {
  return (await daemon.api('GET', `/v1/sandboxes/${id}`)).body.status as string;
}

async function pwned(daemon: TestDaemon, id: string): Promise<string> {
  const r = await daemon.api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['sh', '-c', 'ls /home/sandbox/pwned 2>/dev/null || echo clean'] });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return (r.body.stdout as string).trim();
}

beforeAll(async () => {
  d = await startTestDaemon();
  daemons.push(d);
  const created = await d.api('POST', '/v1/sandboxes', { id: tenant, ports: [3000], services: [{ name: 'web', command: 'python3 -m http.server 3000', port: 3000 }] });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  for (const id of [victim, neighbour]) expect((await d.api('POST', '/v1/sandboxes', { id })).status).toBe(201);
  expect((await d.api('PUT', `/v1/sandboxes/${neighbour}/files`, { path: 'mine.txt', content: 'neighbour data' })).status).toBe(200);
  expect((await d.api('PUT', `/v1/sandboxes/${tenant}/files`, { path: 'workspace/app/index.html', content: PAGE })).status).toBe(200);
  const preview = { path: '/', host: `s-${tenant}-3000.preview.localhost:${d.edgePort}` };
  await until(async () => (await rawRequest(d.edgePort, preview)).status === 200, 'the tenant app');
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  rmSync(profile, { recursive: true, force: true });
  await Promise.all(daemons.map((x) => x.dispose()));
});

describe('a tenant page in the operator’s browser', () => {
  it('cannot purge, stop or exec through the API: every request is refused and logged', async () => {
    const results = await openTenantPage(d.url, victim);
    expect(results.exec).toMatch(/^blocked/);
    const sent = [
      `OPTIONS /v1/sandboxes/${victim}/exec`,
      `POST /v1/sandboxes/${victim}/stop`,
      `POST /sandbox/${victim}/purge`,
      `POST /sandbox/${victim}/exec`,
      `POST /v1/sandboxes/${victim}/purge`,
    ];
    // The requests did reach the API: it is the guard that stops them.
    await until(async () => sent.every((w) => received(d).includes(w)), `the page's requests: ${sent.join(', ')}`);
    expect(await status(d, victim)).toBe('running');
    expect(await pwned(d, victim)).toBe('clean');
    await until(async () => sent.every((w) => refusals(d).includes(`${w} 403`)), 'the refusals in the log');
    const origin = `origin "${tenantOrigin()}" may not call this API; allow it in SANDBOXD_API_ALLOWED_ORIGINS`;
    expect(logLines(d, REFUSED).filter((e) => e.reason === origin)).toHaveLength(sent.length);

    expect(await status(d, neighbour)).toBe('running');
    expect((await d.api('GET', `/v1/sandboxes/${neighbour}/files/content?path=mine.txt`)).body).toBe('neighbour data');
    expect((await d.api('GET', '/healthz')).status).toBe(200);
  });

  it('gets through once its origin is allowed (another daemon): CORS JSON and the no-cors purge, but still no form bodies', async () => {
    const open = await startTestDaemon({ env: { SANDBOXD_API_ALLOWED_ORIGINS: tenantOrigin() } });
    daemons.push(open);
    const target = uniqueId('victim');
    expect((await open.api('POST', '/v1/sandboxes', { id: target })).status).toBe(201);

    const results = await openTenantPage(open.url, target);
    expect(results.exec).toMatch(/^200 .*"exit_code":0/);
    await until(async () => (await open.api('GET', `/v1/sandboxes/${target}`)).status === 404, 'the purge from the allowed page');
    const want = [`POST /v1/sandboxes/${target}/stop 415`, `POST /sandbox/${target}/purge 415`, `POST /sandbox/${target}/exec 415`];
    await until(async () => want.every((w) => refusals(open).includes(w)), `refusals ${want.join(', ')}`);
  });
});

describe('DNS rebinding', () => {
  it('refuses a foreign Host with 421, even on health checks; the API’s own names pass', async () => {
    const port = Number(new URL(d.url).port);
    const evil = await rawRequest(port, { method: 'POST', path: `/v1/sandboxes/${victim}/purge`, host: `evil.example:${port}` });
    expect(evil.status).toBe(421);
    expect(JSON.parse(evil.body)).toEqual({ error: `host "evil.example:${port}" is not a name of this API; add it to SANDBOXD_API_HOSTNAMES if it is one` });
    expect((await rawRequest(port, { path: '/healthz', host: `evil.example:${port}` })).status).toBe(421);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
      expect((await rawRequest(port, { path: `/v1/sandboxes/${victim}`, host })).status, host).toBe(200);
    }
    expect(await status(d, victim)).toBe('running');
  });

  it('refuses a request without a Host header (HTTP/1.0)', async () => {
    const port = Number(new URL(d.url).port);
    const answer = await new Promise<string>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => s.end('GET /v1/sandboxes HTTP/1.0\r\n\r\n'));
      let text = '';
      s.on('data', (c: Buffer) => (text += c.toString()));
      s.on('end', () => resolve(text));
      s.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.[01] 421/);
    expect(answer).toContain('a Host header naming the API is required');
  });
});

describe('request bodies', () => {
  const exec = `/v1/sandboxes/${victim}/exec`;
  const json = JSON.stringify({ cmd: ['touch', '/home/sandbox/pwned'] });

  it.each([
    ['text/plain;charset=UTF-8', json],
    ['application/x-www-form-urlencoded', 'cmd=touch'],
    ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="cmd"\r\n\r\ntouch\r\n--x--\r\n'],
  ])('refuses %s with 415 naming the type, and runs nothing', async (type, body) => {
    const r = await d.api('POST', exec, body, { 'content-type': type });
    expect(r.status).toBe(415);
    expect(r.body.error).toContain(type.split(';')[0]);
    expect(await pwned(d, victim)).toBe('clean');
  });

  it('refuses an untyped body', async () => {
    const r = await fetch(`${d.url}${exec}`, { method: 'POST', body: new TextEncoder().encode(json) });
    expect(r.status).toBe(415);
    expect(await r.json()).toEqual({ error: 'a request body needs content-type: application/json' });
  });

  it('takes JSON, a bodiless POST and raw bytes as before', async () => {
    const ran = await d.api('POST', exec, { cmd: ['echo', 'ok'] }, { 'content-type': 'application/json; charset=utf-8' });
    expect(ran.body).toMatchObject({ exit_code: 0, stdout: 'ok\n' });
    expect((await d.api('POST', `/v1/sandboxes/${victim}/keepalive`)).status).toBe(200);
    const bytes = Buffer.from([0, 1, 2, 255, 10, 13]);
    for (const headers of [{ 'content-type': 'application/octet-stream' }, {}] as Record<string, string>[]) {
      const up = await fetch(`${d.url}/v1/sandboxes/${victim}/files/raw?path=blob.bin`, { method: 'PUT', body: new Uint8Array(bytes), headers });
      expect(up.status, await up.clone().text()).toBe(200);
      const down = await fetch(`${d.url}/v1/sandboxes/${victim}/files/raw?path=blob.bin`);
      expect(Buffer.from(await down.arrayBuffer())).toEqual(bytes);
    }
  });
});

describe('start rules', () => {
  it('logs a warning when auth is off on loopback', async () => {
    const line = (await d.waitForLog('API auth is off')).split('\n').find((l) => l.includes('API auth is off'))!;
    expect(JSON.parse(line)).toMatchObject({ level: 40, msg: 'API auth is off: anyone on this host can drive it; set SANDBOXD_API_TOKENS' });
  });

  it('refuses to start open on a public bind, and starts there with tokens', async () => {
    await expect(startTestDaemon({ apiHost: '0.0.0.0' })).rejects.toThrow(
      /invalid configuration: SANDBOXED_API_BIND: .*auth is off, so the API may only listen on loopback; set SANDBOXD_API_TOKENS/,
    );
    const secret = 'c2VjcmV0LWZvci1icm93c2Vycw==';
    const guarded = await startTestDaemon({ apiHost: '0.0.0.0', env: { SANDBOXD_API_TOKENS: `backend:${secret}` } });
    daemons.push(guarded);
    expect((await guarded.api('GET', '/v1/sandboxes')).status).toBe(401);
    expect((await guarded.api('GET', '/v1/sandboxes', undefined, { authorization: `Bearer ${secret}` })).status).toBe(200);
    expect(guarded.log()).not.toContain('API auth is off');
  });
});
