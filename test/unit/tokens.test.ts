import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MAX_TOKEN_COOKIES,
  clearTokenCookie,
  cookieValues,
  sameHostPath,
  stripTokenCookie,
  tokenCookie,
  withoutTokenParam,
} from '../../src/edge/credentials.js';
import { loadPreviewKey, PreviewTokens, signToken, verifyToken } from '../../src/edge/tokens.js';
import { openDb } from '../../src/store/db.js';
import { PreviewEpochStore } from '../../src/store/preview.js';
import type { Sandbox } from '../../src/domain/sandbox.js';

const key = Buffer.alloc(32, 7);
const nowS = 1_700_000_000;
const expect0 = { id: 'abc', incarnation: 111, epoch: 0, nowS };

describe('signToken / verifyToken', () => {
  const good = signToken(key, { id: 'abc', expiresS: nowS + 60, epoch: 0 }, 111);

  it('accepts a token for its own sandbox, before expiry, in the current epoch', () => {
    expect(verifyToken(key, good, expect0)).toMatchObject({ ok: true, claims: { id: 'abc', epoch: 0 } });
  });

  it.each([
    ['another sandbox', good, { ...expect0, id: 'abd' }, 'other-sandbox'],
    ['a recreated sandbox with the same id', good, { ...expect0, incarnation: 222 }, 'bad-signature'],
    ['after expiry', good, { ...expect0, nowS: nowS + 60 }, 'expired'],
    ['after rotation', good, { ...expect0, epoch: 1 }, 'revoked'],
    ['another key', signToken(Buffer.alloc(32, 8), { id: 'abc', expiresS: nowS + 60, epoch: 0 }, 111), expect0, 'bad-signature'],
    ['an edited expiry', good.replace(`.${nowS + 60}.`, `.${nowS + 9999}.`), expect0, 'bad-signature'],
    ['an empty token', '', expect0, 'malformed'],
    ['garbage', 'abc.def.ghi.jkl', expect0, 'malformed'],
    ['a truncated signature', good.slice(0, -4), expect0, 'bad-signature'],
  ])('rejects %s', (_name, token, exp, reason) => {
    expect(verifyToken(key, token, exp)).toEqual({ ok: false, reason });
  });
});

describe('loadPreviewKey', () => {
  it('generates a 0600 key once and reads it back afterwards', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sbx-key-'));
    const a = loadPreviewKey(dir);
    const file = path.join(dir, 'state', 'preview.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(a.length).toBe(32);
    expect(loadPreviewKey(dir).equals(a)).toBe(true);
  });

  it('refuses a file that holds no key', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sbx-key-'));
    loadPreviewKey(dir);
    writeFileSync(path.join(dir, 'state', 'preview.key'), 'short\n');
    expect(() => loadPreviewKey(dir)).toThrow(/no usable key/);
  });
});

describe('cookies and URLs', () => {
  it('sets a host-only, HttpOnly, Lax cookie; over TLS Secure with the __Host- prefix', () => {
    const c = tokenCookie('t0k', 60, false);
    expect(c).toBe('sandboxed_preview=t0k; Max-Age=60; Path=/; HttpOnly; SameSite=Lax');
    expect(c).not.toMatch(/Domain=/i);
    // __Host-: browsers refuse it with a Domain attribute, so no sibling host can toss one.
    expect(tokenCookie('t0k', 60, true)).toBe('__Host-sandboxed_preview=t0k; Max-Age=60; Path=/; HttpOnly; Secure; SameSite=Lax');
    expect(clearTokenCookie(false)).toMatch(/^sandboxed_preview=; Max-Age=0;/);
    expect(clearTokenCookie(true)).toMatch(/^__Host-sandboxed_preview=; Max-Age=0;.*Secure/);
  });

  it('strips our cookie (both names) before the app sees the request', () => {
    expect(stripTokenCookie('a=1; sandboxed_preview=xyz; b=2')).toBe('a=1; b=2');
    expect(stripTokenCookie('a=1; __Host-sandboxed_preview=xyz; sandboxed_preview=q')).toBe('a=1');
    expect(stripTokenCookie('sandboxed_preview=xyz')).toBeUndefined();
    expect(stripTokenCookie(undefined)).toBeUndefined();
  });

  it('finds every value of a cookie name in order (tossed ones included), at most MAX_TOKEN_COOKIES', () => {
    expect(cookieValues('a=1; sandboxed_preview=x.y=; b=2', 'sandboxed_preview')).toEqual(['x.y=']);
    expect(cookieValues('sandboxed_preview=bad; theme=dark;sandboxed_preview=good', 'sandboxed_preview')).toEqual(['bad', 'good']);
    expect(cookieValues('sandboxed_preview="quoted"; __Host-sandboxed_preview=tls', '__Host-sandboxed_preview')).toEqual(['tls']);
    expect(cookieValues(undefined, 'sandboxed_preview')).toEqual([]);
    const many = Array.from({ length: 20 }, (_, i) => `sandboxed_preview=v${i}`).join('; ');
    expect(cookieValues(many, 'sandboxed_preview')).toEqual(Array.from({ length: MAX_TOKEN_COOKIES }, (_, i) => `v${i}`));
  });

  it.each([
    ['/a?b=1', '/a?b=1'],
    ['//evil.example/?x=1', '/evil.example/?x=1'],
    ['///evil.example/', '/evil.example/'],
    ['/\\evil.example/', '/evil.example/'],
    ['/\t/evil.example/', '/evil.example/'],
    ['http://evil.example/p?q=1', '/p?q=1'],
    ['*', '/'],
    ['/', '/'],
  ])('sameHostPath(%j) = %j: a redirect never leaves the host', (target, want) => {
    expect(sameHostPath(target)).toBe(want);
    expect(new URL(sameHostPath(target), 'http://s-a-1.preview.localhost/').host).toBe('s-a-1.preview.localhost');
  });

  it.each([
    ['/?token=abc', '/'],
    ['/p?token=abc&x=1', '/p?x=1'],
    ['/p?x=a%20b&token=abc&y', '/p?x=a%20b&y'],
    ['/p?tokens=1', '/p?tokens=1'],
    ['/p', '/p'],
  ])('withoutTokenParam(%s) = %s', (url, want) => {
    expect(withoutTokenParam(url)).toBe(want);
  });
});

describe('PreviewTokens', () => {
  const sb = (over: Partial<Sandbox['spec']> = {}): Sandbox => ({
    id: 'abc',
    spec: { ports: [3000, 5173], memoryMb: 512, cpus: 1, idlePolicy: 'sleep', visibility: 'private', services: [], ...over },
    desiredState: 'running',
    observedState: 'running',
    containerId: 'c1',
    envNames: [],
    createdAt: 5000,
    updatedAt: 5000,
    lastActiveAt: 5000,
    lastError: null,
    metadata: {},
    stoppedAt: null,
  });

  function setup(s = sb()) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sbx-tok-'));
    const db = openDb(path.join(dir, 'db.sqlite'));
    db.prepare(
      "INSERT INTO sandboxes (id, desired_state, spec_json, created_at, updated_at, last_active_at) VALUES (?, 'running', '{}', 0, 0, 0)",
    ).run(s.id);
    let now = nowS * 1000;
    const tokens = new PreviewTokens(key, new PreviewEpochStore(db), { get: () => s }, { previewDomain: 'localhost', httpPort: 8080, previewTls: false }, () => now);
    return { tokens, db, advance: (ms: number) => (now += ms) };
  }

  it('issues a token with a ready-to-open URL for the first declared port by default', () => {
    const { tokens } = setup();
    const t = tokens.issue('abc');
    expect(t.port).toBe(3000);
    expect(t.url).toBe(`http://s-abc-3000.preview.localhost:8080/?token=${encodeURIComponent(t.token)}`);
    expect(t.expiresAt).toBe((nowS + 86400) * 1000);
    expect(tokens.check(sb(), t.token).ok).toBe(true);
  });

  it('rejects undeclared ports, sandboxes without ports, and silly TTLs', () => {
    const { tokens } = setup();
    expect(() => tokens.issue('abc', { port: 9999 })).toThrow(/not declared/);
    expect(() => tokens.issue('abc', { ttlS: 1 })).toThrow(/ttl_s/);
    expect(() => setup(sb({ ports: [] })).tokens.issue('abc')).toThrow(/no ports/);
  });

  it('rotation revokes every earlier token; new ones work', () => {
    const { tokens } = setup();
    const old = tokens.issue('abc');
    expect(tokens.rotate('abc')).toEqual({ epoch: 1 });
    expect(tokens.check(sb(), old.token)).toEqual({ ok: false, reason: 'revoked' });
    expect(tokens.check(sb(), tokens.issue('abc').token).ok).toBe(true);
    expect(tokens.rotate('abc')).toEqual({ epoch: 2 });
  });

  it('tokens expire', () => {
    const { tokens, advance } = setup();
    const t = tokens.issue('abc', { ttlS: 60 });
    advance(61_000);
    expect(tokens.check(sb(), t.token)).toEqual({ ok: false, reason: 'expired' });
  });

  it('the epoch row goes away with the sandbox row', () => {
    const { tokens, db } = setup();
    tokens.rotate('abc');
    db.prepare('DELETE FROM sandboxes WHERE id = ?').run('abc');
    expect(new PreviewEpochStore(db).get('abc')).toBe(0);
  });
});
