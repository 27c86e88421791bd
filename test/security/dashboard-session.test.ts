/**
 * Attack: the dashboard's session cookie used by someone it was not given to.
 * A page on another site (a tenant's preview, any web site) makes the
 * operator's browser send it with a state-changing request (CSRF), or opens a
 * terminal WebSocket with it; a client without an Origin replays it; a cookie
 * is forged, extended or kept after its token was rotated; a wrong token is
 * tried at the sign-in.
 * Defence: src/http/session-cookie.ts (an HMAC over the token's name, the
 * expiry and the hash of its secret, checked against the tokens configured
 * now), src/http/auth.ts (a cookie counts for a write or a WebSocket only from
 * the API's own origin), src/http/browser-guard.ts (foreign origins refused).
 * Each refusal leaves the victim and its neighbour as they were, and the
 * daemon answering.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';

const SECRET = `s-${uniqueId()}`;
const ROTATED = `r-${uniqueId()}`;
let d: TestDaemon;
let cookie: string;
const victim = uniqueId('victim');
const neighbour = uniqueId('peer');
const bearer = (secret = SECRET) => ({ authorization: `Bearer ${secret}` });

async function signIn(token: string): Promise<{ status: number; setCookie: string | null; body: any }> {
  const r = await d.api('POST', '/v1/session', { token });
  return { status: r.status, setCookie: r.headers.get('set-cookie'), body: r.body };
}

async function statusOf(id: string): Promise<string> {
  return (await d.api('GET', `/v1/sandboxes/${id}`, undefined, bearer())).body.status as string;
}

/** Opens a terminal with only the cookie; resolves with the handshake's status (101: opened). */
function openTerminal(headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${d.url.replace(/^http/, 'ws')}/v1/sandboxes/${victim}/pty`, ['sandboxed.pty.v1'], { headers });
    ws.on('open', () => (ws.close(), resolve(101)));
    ws.on('unexpected-response', (_req, res) => (res.resume(), resolve(res.statusCode ?? 0)));
    ws.on('error', reject);
  });
}

beforeAll(async () => {
  d = await startTestDaemon({ env: { SANDBOXD_API_TOKENS: `operator:${SECRET}` } });
  for (const id of [victim, neighbour]) expect((await d.api('POST', '/v1/sandboxes', { id }, bearer())).status).toBe(201);
  const r = await signIn(SECRET);
  expect(r.status).toBe(200);
  cookie = r.setCookie!.split(';')[0];
});

afterAll(async () => {
  await d?.dispose();
});

describe('the dashboard session cookie', () => {
  it('is HttpOnly, SameSite=Strict, expiring, and carries no secret; a wrong token gets none', async () => {
    const r = await signIn(SECRET);
    expect(r.setCookie).toMatch(/^sandboxed_session=v1\.[^;]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Strict$/);
    expect(r.setCookie).not.toContain(SECRET);
    expect(JSON.stringify(r.body)).not.toContain(SECRET);
    expect(r.body).toMatchObject({ auth: true, token_name: 'operator' });
    const wrong = await signIn(`${SECRET}x`);
    expect(wrong.status).toBe(401);
    expect(wrong.setCookie).toBeNull();
    expect(d.log()).not.toContain(SECRET);
  });

  it('works for the dashboard itself: reads, and writes from the API’s own origin', async () => {
    expect((await d.api('GET', '/v1/sandboxes', undefined, { cookie })).status).toBe(200);
    const own = { cookie, origin: d.url, 'sec-fetch-site': 'same-origin' };
    expect((await d.api('POST', `/v1/sandboxes/${victim}/keepalive`, {}, own)).status).toBe(200);
  });

  it('does not count for a write another site makes the browser send (CSRF), nor one without an Origin', async () => {
    const attempts: Record<string, string>[] = [
      { cookie, origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
      { cookie, origin: `http://s-${victim}-3000.preview.localhost:${d.edgePort}`, 'sec-fetch-site': 'same-site' },
      // A page's no-cors request without an Origin still says where it came from.
      { cookie, 'sec-fetch-site': 'cross-site' },
      // A client that is no browser: it sends no Origin, and so the cookie is not enough.
      { cookie },
    ];
    for (const headers of attempts) {
      const stop = await d.api('POST', `/v1/sandboxes/${victim}/stop`, {}, headers);
      expect([401, 403], JSON.stringify({ headers, body: stop.body })).toContain(stop.status);
      expect(typeof stop.body.error).toBe('string');
      const purge = await d.api('POST', `/v1/sandboxes/${neighbour}/purge`, {}, headers);
      expect([401, 403]).toContain(purge.status);
    }
    expect(await statusOf(victim)).toBe('running');
    expect(await statusOf(neighbour)).toBe('running');
  });

  it('opens no terminal from another origin, nor without an Origin', async () => {
    expect(await openTerminal({ cookie, origin: 'http://evil.example' })).toBe(403);
    expect(await openTerminal({ cookie })).toBe(401);
    expect(await openTerminal({ cookie, origin: d.url })).toBe(101);
  });

  it('is refused when forged: another name, a later expiry, a bad signature, junk', async () => {
    const [, name, exp, mac] = cookie.slice('sandboxed_session='.length).split('.');
    const forged = [
      `v1.${Buffer.from('admin').toString('base64url')}.${exp}.${mac}`,
      `v1.${name}.${Number(exp) + 86400}.${mac}`,
      `v1.${name}.${exp}.${mac.slice(0, -2)}AA`,
      `v1.${name}.${exp}`,
      'x'.repeat(4000),
    ];
    for (const value of forged) {
      const r = await d.api('GET', '/v1/sandboxes', undefined, { cookie: `sandboxed_session=${value}` });
      expect(r.status, value.slice(0, 80)).toBe(401);
      expect(r.body.error).toMatch(/sign in again/);
    }
  });

  it('ends when the token is rotated; the daemon and the sandboxes carry on', async () => {
    await d.restart({ SANDBOXD_API_TOKENS: `operator:${ROTATED}` });
    expect((await d.api('GET', '/v1/sandboxes', undefined, { cookie })).status).toBe(401);
    expect((await d.api('GET', '/v1/session', undefined, { cookie })).body).toMatchObject({ auth: true, token_name: null });
    expect((await d.api('GET', `/v1/sandboxes/${neighbour}`, undefined, bearer(ROTATED))).body.status).toBe('running');
    expect((await d.api('GET', '/healthz')).status).toBe(200);
  });
});
