/** The dashboard's session cookie, as pure functions: what it stands for, and every way it stops counting. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveSessionKey, issueSession, verifySession, type TokenDigest } from '../../src/http/session-cookie.js';

const key = deriveSessionKey(Buffer.alloc(32, 7));
const token = (name: string, secret: string): TokenDigest => ({ name, digest: createHash('sha256').update(secret).digest() });
const ops = token('ops', 'first-secret');
const NOW = 1_700_000_000_000;
const HOUR = 3600_000;

describe('session cookie', () => {
  it('stands for its token until it expires', () => {
    const { value, expiresAt } = issueSession(key, ops, NOW, 12 * HOUR);
    expect(expiresAt).toBe(NOW + 12 * HOUR);
    expect(verifySession(key, [ops], value, NOW + 11 * HOUR)).toEqual({ tokenName: 'ops', expiresAt });
    expect(verifySession(key, [ops], value, expiresAt)).toBeNull();
  });

  it('ends when its token is rotated or removed, and counts for no other token', () => {
    const { value } = issueSession(key, ops, NOW, HOUR);
    expect(verifySession(key, [token('ops', 'second-secret')], value, NOW)).toBeNull();
    expect(verifySession(key, [], value, NOW)).toBeNull();
    expect(verifySession(key, [token('admin', 'first-secret')], value, NOW)).toBeNull();
  });

  it('cannot be made under another key, renamed, extended or truncated', () => {
    const { value } = issueSession(key, ops, NOW, HOUR);
    const [v, name, exp, mac] = value.split('.');
    expect(verifySession(deriveSessionKey(Buffer.alloc(32, 8)), [ops], value, NOW)).toBeNull();
    const admin = token('admin', 'first-secret');
    expect(verifySession(key, [ops, admin], [v, Buffer.from('admin').toString('base64url'), exp, mac].join('.'), NOW)).toBeNull();
    expect(verifySession(key, [ops], [v, name, String(Number(exp) + 3600), mac].join('.'), NOW)).toBeNull();
    expect(verifySession(key, [ops], [v, name, exp, mac.slice(0, 20)].join('.'), NOW)).toBeNull();
    expect(verifySession(key, [ops], [v, name, exp].join('.'), NOW)).toBeNull();
  });

  it('refuses junk without parsing it at length', () => {
    for (const junk of [undefined, '', 'v1', 'v2.a.1.b', `v1.${'a'.repeat(600)}.1.b`, 'v1.b3Bz.1e9.x', 'v1.b3Bz.-1.x']) {
      expect(verifySession(key, [ops], junk, NOW)).toBeNull();
    }
  });
});
