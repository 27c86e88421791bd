/**
 * The built-in edge against the real daemon and real Docker: proxying
 * (headers, streaming both ways, WebSockets), wake-on-request with one start
 * for many requests, private previews, and the answers for hosts that have
 * no app behind them.
 */
import Docker from 'dockerode';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { freePort, startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { poolMetrics, poolReady } from '../helpers/pool.js';
import { until } from '../helpers/wait.js';

const docker = new Docker();
let d: TestDaemon;

/** A dependency-free app: echoes requests as JSON, streams /big, and echoes WebSocket frames. */
const ECHO_APP = String.raw`
const http = require('http'), crypto = require('crypto');
const srv = http.createServer((req, res) => {
  let n = 0;
  req.on('data', (c) => (n += c.length));
  req.on('end', () => {
    if (req.url.startsWith('/big')) {
      const total = 8 * 1024 * 1024, chunk = Buffer.alloc(65536, 97);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total });
      let sent = 0;
      const pump = () => { while (sent < total) { sent += chunk.length; if (!res.write(chunk)) return res.once('drain', pump); } res.end(); };
      return pump();
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, bodyBytes: n }));
  });
});
srv.on('upgrade', (req, sock) => {
  const accept = crypto.createHash('sha1').update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  sock.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ' + accept + '\r\n\r\n');
  let buf = Buffer.alloc(0);
  sock.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      if (buf.length < 2) return;
      const op = buf[0] & 15; let len = buf[1] & 127, off = 2;
      if (len === 126) { if (buf.length < 4) return; len = buf.readUInt16BE(2); off = 4; }
      if (buf.length < off + 4 + len) return;
      const mask = buf.subarray(off, off + 4), data = Buffer.from(buf.subarray(off + 4, off + 4 + len));
      for (let i = 0; i < data.length; i++) data[i] ^= mask[i % 4];
      buf = buf.subarray(off + 4 + len);
      if (op === 8) return sock.end();
      const hdr = len < 126 ? Buffer.from([0x80 | op, len]) : Buffer.from([0x80 | op, 126, len >> 8, len & 255]);
      sock.write(Buffer.concat([hdr, data]));
    }
  });
  sock.on('error', () => {});
});
srv.listen(Number(process.env.PORT), '0.0.0.0');
`;

const MARKER = 'hello-from-the-sandbox';
const SERVICES = [
  { name: 'web', command: 'python3 -m http.server 3000', port: 3000 },
  { name: 'echo', command: 'node echo.js', port: 3001 },
];

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  json: any;
}

function preview(
  id: string,
  port: number,
  opts: { path?: string; method?: string; headers?: Record<string, string>; body?: Buffer | string; host?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: d.edgePort,
        method: opts.method ?? 'GET',
        path: opts.path ?? '/',
        headers: { host: opts.host ?? `s-${id}-${port}.preview.localhost:${d.edgePort}`, ...opts.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const text = body.toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode!, headers: res.headers, body, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

async function exec(id: string, cmd: string[]): Promise<void> {
  const r = await d.api('POST', `/v1/sandboxes/${id}/exec`, { cmd });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body.exit_code, r.body.stderr).toBe(0);
}

const writeFile = (id: string, file: string, content: string) =>
  exec(id, ['node', '-e', `require('fs').writeFileSync(${JSON.stringify(file)}, ${JSON.stringify(content)})`]);

/** A sandbox serving MARKER on 3000 (python) and the echo app on 3001. */
async function createApp(id: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await d.api('POST', '/v1/sandboxes', { id, ports: [3000, 3001], ...extra });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  await writeFile(id, '/home/sandbox/workspace/app/index.html', `<!doctype html><title>app</title><p>${MARKER}</p>`);
  await writeFile(id, '/home/sandbox/workspace/app/echo.js', ECHO_APP);
  const p = await d.api('PATCH', `/v1/sandboxes/${id}`, { services: SERVICES });
  expect(p.status, JSON.stringify(p.body)).toBe(200);
  return r.body.container_id as string;
}

async function running(containerId: string): Promise<boolean> {
  return (await docker.getContainer(containerId).inspect()).State.Running;
}

async function stop(id: string): Promise<void> {
  const r = await d.api('POST', `/v1/sandboxes/${id}/stop`);
  expect(r.status).toBe(200);
  expect(r.body.status).toBe('stopped');
}

/** Docker `start` events for one container since a time in ms (the engine takes fractional seconds). */
async function startEvents(containerId: string, sinceMs: number): Promise<number> {
  const stream = await docker.getEvents({
    since: (sinceMs / 1000).toFixed(3) as unknown as number,
    until: Math.ceil(Date.now() / 1000) + 1,
    filters: { container: [containerId], event: ['start'] },
  });
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text.split('\n').filter((l) => l.trim() !== '').length;
}

beforeAll(async () => {
  d = await startTestDaemon({ env: { SANDBOXD_WAKE_TIMEOUT_SECONDS: '20' } });
});

afterAll(async () => {
  await d?.dispose();
});

describe('a public preview', () => {
  const id = uniqueId('pub');
  let containerId: string;

  beforeAll(async () => {
    containerId = await createApp(id);
  });

  it('serves the app (a first request waits for the app to listen)', async () => {
    const r = await preview(id, 3000);
    expect(r.status).toBe(200);
    expect(r.text).toContain(MARKER);
    const lower = await preview(id, 3000, { host: `S-${id.toUpperCase()}-3000.Preview.LOCALHOST:${d.edgePort}` });
    expect(lower.status).toBe(200);
  });

  it('keeps Host, sets X-Forwarded-*, and counts as activity', async () => {
    const before = (await d.api('GET', `/v1/sandboxes/${id}`)).body.last_active_at;
    await new Promise((r) => setTimeout(r, 5200)); // the activity tracker writes at most every 5 s
    const r = await preview(id, 3001, { path: '/x?y=1&token=the-apps-own', headers: { 'x-forwarded-for': '6.6.6.6', 'x-forwarded-host': 'evil.example' } });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      method: 'GET',
      url: '/x?y=1&token=the-apps-own',
      headers: {
        host: `s-${id}-3001.preview.localhost:${d.edgePort}`,
        'x-forwarded-for': '127.0.0.1',
        'x-forwarded-proto': 'http',
        'x-forwarded-host': `s-${id}-3001.preview.localhost:${d.edgePort}`,
      },
    });
    const after = (await d.api('GET', `/v1/sandboxes/${id}`)).body.last_active_at;
    expect(Date.parse(after)).toBeGreaterThan(Date.parse(before));
  });

  it('streams large bodies both ways', async () => {
    const down = await preview(id, 3001, { path: '/big' });
    expect(down.status).toBe(200);
    expect(down.body.length).toBe(8 * 1024 * 1024);
    const up = await preview(id, 3001, { method: 'POST', path: '/upload', body: Buffer.alloc(5 * 1024 * 1024, 1), headers: { 'content-type': 'application/octet-stream' } });
    expect(up.json).toMatchObject({ method: 'POST', bodyBytes: 5 * 1024 * 1024 });
  });

  it('proxies WebSockets (echo)', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${d.edgePort}/hmr`, { headers: { host: `s-${id}-3001.preview.localhost:${d.edgePort}` } });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const echoed = new Promise<string>((resolve) => ws.once('message', (m: Buffer) => resolve(m.toString())));
    ws.send('ping through the edge');
    expect(await echoed).toBe('ping through the edge');
    ws.close();
  });

  it('answers 404 with a hint for an undeclared port, and never a refresh loop', async () => {
    const r = await preview(id, 8080);
    expect(r.status).toBe(404);
    expect(r.json.error).toMatch(/port 8080 is not declared.*3000, 3001/);
    expect(r.json.ports).toEqual([3000, 3001]);
    const page = await preview(id, 8080, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(404);
    expect(page.text).toContain(`s-${id}-3000.preview.localhost`);
    expect(page.text).not.toMatch(/refresh|location\.reload/);
  });

  it('after a stop, the next request wakes the sandbox and is answered', async () => {
    await stop(id);
    expect(await running(containerId)).toBe(false);
    const r = await preview(id, 3000);
    expect(r.status).toBe(200);
    expect(r.text).toContain(MARKER);
    expect((await d.api('GET', `/v1/sandboxes/${id}`)).body.status).toBe('running');
  });

  it('200 concurrent requests to a stopped sandbox start it once and all get the app', async () => {
    await stop(id);
    const since = Date.now();
    const logBefore = d.log().length;
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => preview(id, 3001, { path: `/n/${i}` })));
    expect(replies.map((r) => r.status)).toEqual(Array(200).fill(200));
    expect(replies.map((r) => r.json.url)).toEqual(Array.from({ length: 200 }, (_, i) => `/n/${i}`));
    expect(await startEvents(containerId, since)).toBe(1);
    const started = d
      .log()
      .slice(logBefore)
      .split('\n')
      .filter((l) => l.includes(`"sandboxId":"${id}"`) && l.includes('"msg":"container started"'));
    expect(started).toHaveLength(1);
  });

  it('a page load of a stopped sandbox gets the warming page (503, not cached), then the app', async () => {
    await stop(id);
    const page = await preview(id, 3000, { headers: { accept: 'text/html,*/*' } });
    expect(page.status).toBe(503);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['retry-after']).toBe('1');
    expect(page.headers['x-sandboxed-edge']).toBe('warming');
    expect(page.text).toMatch(/<meta http-equiv="refresh" content="1">/);
    expect(page.text).toContain('location.reload');
    // What the page's script does: a plain fetch is held until the app answers.
    const held = await preview(id, 3000);
    expect(held.status).toBe(200);
    const again = await preview(id, 3000, { headers: { accept: 'text/html' } });
    expect(again.status).toBe(200);
    expect(again.text).toContain(MARKER);
  });
});

describe('a private preview', () => {
  const id = uniqueId('priv');
  let containerId: string;

  beforeAll(async () => {
    containerId = await createApp(id, { visibility: 'private' });
    await stop(id);
  });

  it('refuses requests without a valid token, and does not wake the sandbox', async () => {
    const none = await preview(id, 3001);
    expect(none.status).toBe(401);
    expect(none.json.error).toMatch(/private/);
    const bad = await preview(id, 3001, { headers: { 'x-sandboxed-preview-token': `${id}.9999999999.0.AAAA` } });
    expect(bad.status).toBe(401);
    const page = await preview(id, 3001, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(401);
    expect(page.text).toContain('preview-token');
    // Ports of a private sandbox are not revealed before the token check.
    expect((await preview(id, 8080)).status).toBe(401);
    expect(await running(containerId)).toBe(false);
  });

  it('accepts the header token, and the app never sees it', async () => {
    const t = await d.api('POST', `/v1/sandboxes/${id}/preview-token`, { port: 3001, ttl_s: 600 });
    expect(t.status).toBe(200);
    expect(t.body.url).toBe(`http://s-${id}-3001.preview.localhost:${d.edgePort}/?token=${encodeURIComponent(t.body.token)}`);
    const r = await preview(id, 3001, { headers: { 'x-sandboxed-preview-token': t.body.token, cookie: 'app=1' } });
    expect(r.status).toBe(200);
    expect(r.json.headers['x-sandboxed-preview-token']).toBeUndefined();
    expect(r.json.headers.cookie).toBe('app=1');
    const post = await preview(id, 3001, { method: 'POST', path: `/submit?token=${encodeURIComponent(t.body.token)}&x=1`, body: 'hi' });
    expect(post.status).toBe(200);
    expect(post.json).toMatchObject({ method: 'POST', url: '/submit?x=1', bodyBytes: 2 });
  });

  it('turns ?token= into a host-only cookie and redirects to the URL without it', async () => {
    const t = (await d.api('POST', `/v1/sandboxes/${id}/preview-token`, { port: 3001 })).body;
    const r = await preview(id, 3001, { path: `/page?a=1&token=${encodeURIComponent(t.token)}&b=2` });
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe('/page?a=1&b=2');
    const cookie = r.headers['set-cookie']![0];
    expect(cookie).toMatch(/^sandboxed_preview=[^;]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax$/);
    const pair = cookie.split(';')[0];
    const r2 = await preview(id, 3001, { path: '/page?a=1&b=2', headers: { cookie: `theme=dark; ${pair}` } });
    expect(r2.status).toBe(200);
    expect(r2.json.url).toBe('/page?a=1&b=2');
    expect(r2.json.headers.cookie).toBe('theme=dark');
  });

  it('a token of another sandbox does not open this one', async () => {
    const other = uniqueId('other');
    expect((await d.api('POST', '/v1/sandboxes', { id: other, ports: [3001], visibility: 'private' })).status).toBe(201);
    const t = (await d.api('POST', `/v1/sandboxes/${other}/preview-token`)).body;
    expect((await preview(id, 3001, { headers: { 'x-sandboxed-preview-token': t.token } })).status).toBe(401);
    await d.api('DELETE', `/v1/sandboxes/${other}`);
  });

  it('rotation revokes earlier tokens; an expired cookie is cleared', async () => {
    const t = (await d.api('POST', `/v1/sandboxes/${id}/preview-token`)).body;
    expect((await preview(id, 3001, { headers: { 'x-sandboxed-preview-token': t.token } })).status).toBe(200);
    const rot = await d.api('POST', `/v1/sandboxes/${id}/preview-token/rotate`);
    expect(rot.status).toBe(200);
    expect((await preview(id, 3001, { headers: { 'x-sandboxed-preview-token': t.token } })).status).toBe(401);
    const viaCookie = await preview(id, 3001, { headers: { cookie: `sandboxed_preview=${t.token}` } });
    expect(viaCookie.status).toBe(401);
    expect(viaCookie.headers['set-cookie']![0]).toMatch(/^sandboxed_preview=; Max-Age=0; Path=\//);
  });

  it('a public sandbox can be made private and back', async () => {
    expect((await d.api('PATCH', `/v1/sandboxes/${id}`, { visibility: 'public' })).status).toBe(200);
    expect((await preview(id, 3001)).status).toBe(200);
    expect((await d.api('PATCH', `/v1/sandboxes/${id}`, { visibility: 'private' })).status).toBe(200);
    expect((await preview(id, 3001)).status).toBe(401);
  });

  it('token routes validate their input', async () => {
    expect((await d.api('POST', `/v1/sandboxes/${id}/preview-token`, { port: 9999 })).status).toBe(400);
    expect((await d.api('POST', `/v1/sandboxes/${id}/preview-token`, { ttl_s: 5 })).status).toBe(400);
    expect((await d.api('POST', `/v1/sandboxes/nope-${id}/preview-token`)).status).toBe(404);
  });
});

describe('hosts without an app', () => {
  it('a non-preview Host gets 404 JSON; the API is not reachable through the edge', async () => {
    const r = await preview('x', 1, { host: `localhost:${d.edgePort}`, path: '/v1/sandboxes' });
    expect(r.status).toBe(404);
    expect(r.json.error).toMatch(/not a preview host/);
    const api = await preview('x', 1, { host: `api.preview.localhost:${d.edgePort}`, path: '/healthz' });
    expect(api.status).toBe(404);
  });

  it('an unknown sandbox is 404, a purged one 410', async () => {
    const unknown = await preview(uniqueId('ghost'), 3000);
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toMatch(/not found/);
    const id = uniqueId('gone');
    expect((await d.api('POST', '/v1/sandboxes', { id, ports: [3000] })).status).toBe(201);
    expect((await d.api('POST', `/v1/sandboxes/${id}/purge`)).status).toBe(200);
    const gone = await preview(id, 3000, { headers: { accept: 'text/html' } });
    expect(gone.status).toBe(410);
    expect(gone.text).toContain('was deleted');
  });

  it('an app that never comes up: the held request gets 504 naming the port and the logs, then the page says so once', async () => {
    const id = uniqueId('dead');
    expect((await d.api('POST', '/v1/sandboxes', { id, ports: [3000], services: [{ name: 'web', command: 'sleep infinity', port: 3000 }] })).status).toBe(201);
    const r = await preview(id, 3000);
    expect(r.status).toBe(504);
    expect(r.json.error).toMatch(/port 3000 within 20 s/);
    expect(r.json.logs).toEqual(['~/.sandboxed/logs/web.log']);
    const page = await preview(id, 3000, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(504);
    expect(page.text).toContain(`/v1/sandboxes/${id}/files/content?path=.sandboxed/logs/web.log`);
    expect(page.text).not.toContain('location.reload');
    // The failure is reported once; the next page load tries again.
    expect((await preview(id, 3000, { headers: { accept: 'text/html' } })).status).toBe(503);
  });
});

describe('Traefik mode: routes, forward-auth and the wake endpoint', () => {
  let t: TestDaemon;
  let internal: number;
  const pub = uniqueId('tpub');
  const priv = uniqueId('tpriv');

  beforeAll(async () => {
    internal = await freePort();
    t = await startTestDaemon({ env: { SANDBOXED_EDGE: 'traefik', SANDBOXED_EDGE_INTERNAL_PORT: String(internal), SANDBOXD_WAKE_TIMEOUT_SECONDS: '30', SANDBOXD_POOL_SIZE: '1' } });
  });

  afterAll(async () => {
    await t?.dispose();
  });

  function ask(headers: Record<string, string>, p = '/_sandboxed/forward-auth'): Promise<Reply> {
    return new Promise((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: internal, path: p, headers: { host: `127.0.0.1:${internal}`, ...headers }, agent: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            let json: unknown;
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), text, json });
          });
        })
        .on('error', reject);
    });
  }

  it('serves Traefik the routes of running sandboxes, a pooled one too, and drops them when stopped', async () => {
    await poolReady(t, 1);
    const r = await t.api('POST', '/v1/sandboxes', { id: pub, ports: [3000, 3001], services: [{ name: 'web', command: 'python3 -m http.server 3000', port: 3000 }] });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect((await poolMetrics(t)).claims.hit).toBe(1);
    const info = await docker.getContainer(r.body.container_id).inspect();
    // Its labels are the pool entry's: nothing routes by them.
    expect(Object.keys(info.Config.Labels).filter((k) => k.startsWith('traefik.'))).toEqual([]);
    const ip = Object.values(info.NetworkSettings.Networks)[0].IPAddress;
    const inst = t.instance.replace(/[^a-z0-9-]/g, '-');
    const name = (port: number) => `sandboxed-${inst}-${pub}-${port}`;
    const routes = async () => (await ask({}, '/_sandboxed/traefik/routes')).json as { http: { routers: Record<string, any>; services: Record<string, any> } };
    const now = await routes();
    expect(now.http.routers[name(3000)]).toEqual({
      rule: `Host(\`s-${pub}-3000.preview.localhost\`)`,
      entryPoints: ['web'],
      priority: 100,
      service: name(3000),
      // This instance's own middlewares (traefik/dynamic/preview.yml renders them with SANDBOXED_INSTANCE).
      middlewares: [`sandboxed-${inst}-preview-auth@file`, `sandboxed-${inst}-preview-headers@file`],
    });
    expect(now.http.services[name(3001)]).toEqual({ loadBalancer: { servers: [{ url: `http://${ip}:3001` }] } });
    // What Traefik would do: the app answers at that address.
    await until(async () => (await fetch(`http://${ip}:3000/`)).status === 200, 'the app at the routed address');

    expect((await t.api('POST', `/v1/sandboxes/${pub}/stop`)).status).toBe(200);
    expect((await routes()).http.routers).not.toHaveProperty([name(3000)]);
    expect((await t.api('POST', `/v1/sandboxes/${pub}/start`)).status).toBe(200);
    expect((await routes()).http.routers).toHaveProperty([name(3000)]);
    expect((await ask({}, '/_sandboxed/traefik/routes')).headers['content-type']).toBe('application/json');
    // The built-in proxy is off in this mode.
    await expect(fetch(t.edgeUrl)).rejects.toThrow();
  });

  it('forward-auth lets public previews through at once, keeping the app cookies but not ours', async () => {
    const r = await ask({ 'x-forwarded-host': `s-${pub}-3000.preview.localhost`, 'x-forwarded-uri': '/', cookie: 'a=1; sandboxed_preview=x' });
    expect(r.status).toBe(200);
    expect(r.headers.cookie).toBe('a=1');
  });

  it('forward-auth refuses what this daemon does not serve: unknown 404, deleted 410, another instance\'s sandbox 404', async () => {
    const ghost = await ask({ 'x-forwarded-host': `s-${uniqueId('ghost')}-3000.preview.localhost`, 'x-forwarded-uri': '/' });
    expect(ghost.status).toBe(404);
    expect(ghost.json.error).toMatch(/not found/);
    const gone = uniqueId('tgone');
    expect((await t.api('POST', '/v1/sandboxes', { id: gone, ports: [3000] })).status).toBe(201);
    expect((await t.api('DELETE', `/v1/sandboxes/${gone}`)).status).toBe(200);
    const deleted = await ask({ 'x-forwarded-host': `s-${gone}-3000.preview.localhost`, 'x-forwarded-uri': '/', accept: 'text/html' });
    expect(deleted.status).toBe(410);
    expect(deleted.text).toContain('was deleted');
    // A sandbox of the other daemon on this engine (the built-in edge's, another instance).
    const foreign = uniqueId('foreign');
    expect((await d.api('POST', '/v1/sandboxes', { id: foreign, ports: [3000] })).status).toBe(201);
    expect((await ask({ 'x-forwarded-host': `s-${foreign}-3000.preview.localhost`, 'x-forwarded-uri': '/' })).status).toBe(404);
    await d.api('DELETE', `/v1/sandboxes/${foreign}`);
    // A neighbour of this instance is still let through.
    expect((await ask({ 'x-forwarded-host': `s-${pub}-3000.preview.localhost`, 'x-forwarded-uri': '/' })).status).toBe(200);
  });

  it('forward-auth checks private tokens (header, cookie, ?token= → cookie + absolute same-host redirect) without waking anything', async () => {
    const c = await t.api('POST', '/v1/sandboxes', {
      id: priv,
      ports: [3000],
      visibility: 'private',
      services: [{ name: 'web', command: 'python3 -m http.server 3000', port: 3000 }],
    });
    expect(c.status).toBe(201);
    await t.api('POST', `/v1/sandboxes/${priv}/stop`);
    const host = `s-${priv}-3000.preview.localhost:8088`;
    expect((await ask({ 'x-forwarded-host': host, 'x-forwarded-uri': '/' })).status).toBe(401);
    const token = (await t.api('POST', `/v1/sandboxes/${priv}/preview-token`)).body.token;
    const ok = await ask({ 'x-forwarded-host': host, 'x-forwarded-uri': '/', 'x-sandboxed-preview-token': token });
    expect(ok.status).toBe(200);
    const byCookie = await ask({ 'x-forwarded-host': host, 'x-forwarded-uri': '/', cookie: `sandboxed_preview=junk; app=1; sandboxed_preview=${token}` });
    expect(byCookie.status).toBe(200);
    expect(byCookie.headers.cookie).toBe('app=1');
    const redirect = await ask({ 'x-forwarded-host': host, 'x-forwarded-proto': 'http', 'x-forwarded-uri': `/a?token=${encodeURIComponent(token)}&b=1` });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toBe(`http://${host}/a?b=1`);
    expect(redirect.headers['set-cookie']![0]).toMatch(/^sandboxed_preview=/);
    const evil = await ask({ 'x-forwarded-host': host, 'x-forwarded-uri': `//evil.example/?token=${encodeURIComponent(token)}` });
    expect(evil.headers.location).toBe(`http://${host}/evil.example/`);
    expect((await docker.getContainer(c.body.container_id).inspect()).State.Running).toBe(false);
  });

  it('the wake endpoint starts a stopped sandbox, holds the request until the app listens, then says retry (Traefik proxies)', async () => {
    await t.api('POST', `/v1/sandboxes/${pub}/stop`);
    const r = await ask({}, '/');
    expect(r.status).toBe(404); // no preview host: not ours
    const woke = await ask({ host: `s-${pub}-3000.preview.localhost` }, '/');
    expect(woke.status).toBe(503);
    expect(woke.headers['retry-after']).toBe('1');
    expect((await t.api('GET', `/v1/sandboxes/${pub}`)).body.status).toBe('running');
    const page = await ask({ host: `s-${pub}-3000.preview.localhost`, accept: 'text/html' }, '/');
    expect(page.status).toBe(503);
    expect(page.text).toContain('Starting sandbox');
  });

  it('a stopped private sandbox is woken through the wake endpoint by a request carrying a valid cookie, never without one', async () => {
    const host = `s-${priv}-3000.preview.localhost`;
    expect((await t.api('GET', `/v1/sandboxes/${priv}`)).body.status).toBe('stopped');
    const refused = await ask({ host, cookie: 'sandboxed_preview=junk' }, '/');
    expect(refused.status).toBe(401);
    expect((await t.api('GET', `/v1/sandboxes/${priv}`)).body.status).toBe('stopped');
    const token = (await t.api('POST', `/v1/sandboxes/${priv}/preview-token`)).body.token;
    const woke = await ask({ host, cookie: `sandboxed_preview=${token}` }, '/');
    expect(woke.status).toBe(503); // the app is up; Traefik's own route takes the next request
    expect(woke.headers['retry-after']).toBe('1');
    expect((await t.api('GET', `/v1/sandboxes/${priv}`)).body.status).toBe('running');
  });
});
