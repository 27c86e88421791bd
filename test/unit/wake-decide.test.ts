import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/domain/sandbox.js';
import { decideAccess, type AccessFacts } from '../../src/edge/access-decide.js';
import { Upstreams } from '../../src/edge/upstreams.js';
import { afterHold, decideWake, isBrowserNavigation, type WakeFacts } from '../../src/edge/wake-decide.js';
import { Waker } from '../../src/edge/waker.js';
import { wakeFailed } from '../../src/edge/answers.js';
import { UnavailableError } from '../../src/errors.js';

const ok = { ok: true as const, claims: { id: 'a', expiresS: 1, epoch: 0 } };
const pub = { ports: [3000, 5173], visibility: 'public' as const };
const priv = { ports: [3000], visibility: 'private' as const };

describe('decideAccess', () => {
  it.each<[string, AccessFacts, ReturnType<typeof decideAccess>]>([
    ['unknown sandbox → 404', { sandbox: 'unknown', port: 3000, method: 'GET', token: null }, { kind: 'not-found' }],
    ['deleted sandbox → 410', { sandbox: 'gone', port: 3000, method: 'GET', token: null }, { kind: 'gone' }],
    ['public, declared port → allow', { sandbox: pub, port: 5173, method: 'POST', token: null }, { kind: 'allow' }],
    ['public, undeclared port → hint', { sandbox: pub, port: 8080, method: 'GET', token: null }, { kind: 'undeclared-port', ports: [3000, 5173] }],
    [
      'private without a token → 401 (and no wake)',
      { sandbox: priv, port: 3000, method: 'GET', token: null },
      { kind: 'unauthorized', reason: 'this preview is private and no token was given', clearCookie: false },
    ],
    [
      'private, bad header token → 401',
      { sandbox: priv, port: 3000, method: 'GET', token: { source: 'header', check: { ok: false, reason: 'bad-signature' } } },
      { kind: 'unauthorized', reason: 'preview token bad-signature', clearCookie: false },
    ],
    [
      'private, expired cookie → 401 and the cookie is cleared',
      { sandbox: priv, port: 3000, method: 'GET', token: { source: 'cookie', check: { ok: false, reason: 'expired' } } },
      { kind: 'unauthorized', reason: 'preview token expired', clearCookie: true },
    ],
    [
      'private: ports are not revealed before the token is checked',
      { sandbox: priv, port: 9999, method: 'GET', token: null },
      { kind: 'unauthorized', reason: 'this preview is private and no token was given', clearCookie: false },
    ],
    ['private, good token, undeclared port → hint', { sandbox: priv, port: 9999, method: 'GET', token: { source: 'cookie', check: ok } }, { kind: 'undeclared-port', ports: [3000] }],
    ['private, good cookie → allow', { sandbox: priv, port: 3000, method: 'GET', token: { source: 'cookie', check: ok } }, { kind: 'allow' }],
    ['private, good header → allow', { sandbox: priv, port: 3000, method: 'DELETE', token: { source: 'header', check: ok } }, { kind: 'allow' }],
    ['private, ?token= on a page load → cookie + redirect', { sandbox: priv, port: 3000, method: 'GET', token: { source: 'query', check: ok } }, { kind: 'set-cookie-redirect' }],
    ['private, ?token= on HEAD → cookie + redirect', { sandbox: priv, port: 3000, method: 'HEAD', token: { source: 'query', check: ok } }, { kind: 'set-cookie-redirect' }],
    ['private, ?token= on a POST → allowed for that request', { sandbox: priv, port: 3000, method: 'POST', token: { source: 'query', check: ok } }, { kind: 'allow' }],
  ])('%s', (_name, facts, want) => {
    expect(decideAccess(facts)).toEqual(want);
  });
});

describe('decideWake', () => {
  const f = (over: Partial<WakeFacts>): WakeFacts => ({ appUp: false, canProxy: true, browser: false, wake: 'none', ...over });
  it.each<[string, WakeFacts, ReturnType<typeof decideWake>]>([
    ['app up → proxy', f({ appUp: true }), 'proxy'],
    ['app up, browser → proxy', f({ appUp: true, browser: true }), 'proxy'],
    ['stopped, curl/fetch/POST → hold until up', f({}), 'hold'],
    ['stopped, after a failed wake, curl → hold again (a fresh, bounded wake)', f({ wake: 'failed' }), 'hold'],
    ['stopped, page load → warming page', f({ browser: true }), 'warming-page'],
    ['waking, page load → warming page', f({ browser: true, wake: 'in-flight' }), 'warming-page'],
    ['wake failed, page load → say so once, no refresh loop', f({ browser: true, wake: 'failed' }), 'failed-page'],
    ['Traefik mode, app up but no route yet, curl → 503 retry', f({ appUp: true, canProxy: false }), 'retry-later'],
    ['Traefik mode, app up but no route yet, page load → warming page', f({ appUp: true, canProxy: false, browser: true }), 'warming-page'],
    ['Traefik mode, stopped, curl → hold', f({ canProxy: false }), 'hold'],
  ])('%s', (_name, facts, want) => {
    expect(decideWake(facts)).toBe(want);
  });

  it.each([
    [true, true, 'proxy'],
    [true, false, 'retry-later'],
    [false, true, 'failed'],
    [false, false, 'failed'],
  ] as const)('afterHold(ok=%s, canProxy=%s) = %s', (okay, canProxy, want) => {
    expect(afterHold(okay, canProxy)).toBe(want);
  });

  it.each([
    ['GET', 'text/html,application/xhtml+xml,*/*;q=0.8', true],
    ['HEAD', 'text/html', true],
    ['GET', '*/*', false],
    ['GET', undefined, false],
    ['POST', 'text/html', false],
  ])('isBrowserNavigation(%s, %s) = %s', (method, accept, want) => {
    expect(isBrowserNavigation(method, accept)).toBe(want);
  });
});

function sandbox(over: Partial<Sandbox> = {}): Sandbox {
  return {
    id: 'a',
    spec: { ports: [3000], memoryMb: 512, cpus: 1, idlePolicy: 'sleep', visibility: 'public', services: [] },
    desiredState: 'running',
    observedState: 'running',
    containerId: 'c1',
    envNames: [],
    createdAt: 0,
    updatedAt: 1,
    lastActiveAt: 0,
    lastError: null,
    metadata: {},
    stoppedAt: null,
    ...over,
  };
}

describe('Upstreams', () => {
  it('inspects once per row version and probes a port until it answers', async () => {
    let inspects = 0;
    let listening = false;
    const up = new Upstreams(
      { inspect: async () => (inspects++, { running: true, ip: '10.0.0.2' }) },
      async () => listening,
    );
    expect(await up.ready(sandbox(), 3000)).toBeNull();
    listening = true;
    expect(await up.ready(sandbox(), 3000)).toEqual({ ip: '10.0.0.2', port: 3000 });
    listening = false; // known good: no probe on the hot path
    expect(await up.ready(sandbox(), 3000)).toEqual({ ip: '10.0.0.2', port: 3000 });
    expect(inspects).toBe(1);
    expect(await up.ready(sandbox({ updatedAt: 2 }), 3000)).toBeNull();
    expect(inspects).toBe(2);
  });

  it('never proxies to a sandbox the store says is not running', async () => {
    const up = new Upstreams({ inspect: async () => ({ running: true, ip: '10.0.0.2' }) }, async () => true);
    expect(await up.ready(sandbox({ observedState: 'stopped' }), 3000)).toBeNull();
    expect(await up.ready(sandbox({ desiredState: 'stopped' }), 3000)).toBeNull();
  });
});

describe('Waker', () => {
  const log = pino({ level: 'silent' });

  it('starts once for any number of concurrent requests, then reports the app up', async () => {
    let starts = 0;
    let listening = false;
    const upstreams = new Upstreams({ inspect: async () => ({ running: true, ip: '10.0.0.3' }) }, async () => listening);
    const waker = new Waker({
      start: async () => {
        starts++;
        setTimeout(() => (listening = true), 30);
        return sandbox();
      },
      upstreams,
      timeoutMs: 5000,
      pollMs: 5,
      log,
    });
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => waker.wake('a', 3000)));
    expect(starts).toBe(1);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(waker.state('a', 3000)).toBe('none');
  });

  it('gives up after the timeout, remembers the failure once, then tries again', async () => {
    let now = 0;
    const upstreams = new Upstreams({ inspect: async () => ({ running: true, ip: '10.0.0.3' }) }, async () => false);
    const waker = new Waker({ start: async () => sandbox(), upstreams, timeoutMs: 40, pollMs: 5, log, now: () => (now += 5) });
    const p = waker.wake('a', 3000);
    expect(waker.state('a', 3000)).toBe('in-flight');
    const outcome = await p;
    expect(outcome).toMatchObject({ ok: false, timedOut: true });
    expect(waker.state('a', 3000)).toBe('failed');
    expect(waker.takeFailure('a', 3000)?.reason).toMatch(/port 3000/);
    expect(waker.state('a', 3000)).toBe('none');
  });

  it('reports a start failure with the engine words', async () => {
    const upstreams = new Upstreams({ inspect: async () => ({ running: true, ip: null }) }, async () => false);
    const waker = new Waker({
      start: async () => {
        throw new Error('docker start: no such image');
      },
      upstreams,
      timeoutMs: 1000,
      log,
    });
    expect(await waker.wake('a', 3000)).toEqual({
      ok: false,
      reason: 'the sandbox could not start: docker start: no such image',
      timedOut: false,
    });
  });

  it('tells a start the daemon refused (isolation not in place) from a failed one, so the edge answers 503', async () => {
    const upstreams = new Upstreams({ inspect: async () => ({ running: true, ip: null }) }, async () => false);
    const waker = new Waker({
      start: async () => {
        throw new UnavailableError('network isolation is not in place: iptables-restore: lock; no sandbox starts until it is');
      },
      upstreams,
      timeoutMs: 1000,
      log,
    });
    expect(await waker.wake('a', 3000)).toMatchObject({ ok: false, timedOut: false, retryAfterS: 30 });
    expect(waker.takeFailure('a', 3000)).toMatchObject({ retryAfterS: 30, reason: /network isolation is not in place/ });
  });

  it('a start refused for memory is remembered with its Retry-After, and answered 503 (page for browsers)', async () => {
    const upstreams = new Upstreams({ inspect: async () => ({ running: true, ip: null }) }, async () => false);
    const waker = new Waker({
      start: async () => {
        throw new UnavailableError('not enough memory to start sandbox a: 10 MiB available, 600 MiB needed; retry later', 30);
      },
      upstreams,
      timeoutMs: 1000,
      log,
    });
    const outcome = await waker.wake('a', 3000);
    expect(outcome).toEqual({ ok: false, reason: expect.stringMatching(/^not enough memory/), timedOut: false, retryAfterS: 30 });
    const f = waker.takeFailure('a', 3000)!;
    expect(f.retryAfterS).toBe(30);
    const a = wakeFailed(sandbox(), 3000, f);
    expect(a).toMatchObject({ status: 503, kind: 'unavailable', headers: { 'retry-after': '30' }, json: { error: expect.stringMatching(/not enough memory/) } });
    expect(a.html).toContain('reload this page in about 30 s');
    expect(a.html).not.toMatch(/refresh|location\.reload/);
  });

  it('a wake that failed otherwise stays 502 (start failed) or 504 (app never listened), without Retry-After', () => {
    expect(wakeFailed(sandbox(), 3000, { reason: 'x', timedOut: false })).toMatchObject({ status: 502, kind: 'failed' });
    const timedOut = wakeFailed(sandbox(), 3000, { reason: 'x', timedOut: true });
    expect(timedOut).toMatchObject({ status: 504, kind: 'failed' });
    expect(timedOut.headers).toBeUndefined();
  });
});
