/**
 * The dashboard's session: an API token exchanged for a cookie the page's
 * scripts cannot read (HttpOnly) and browsers never send from another site
 * (SameSite=Strict). Nothing is stored: the cookie is
 *
 *   v1.<token name, base64url>.<expiry, unix seconds>.<HMAC-SHA256, base64url>
 *
 * and the HMAC covers the name, the expiry and the SHA-256 of the token's
 * secret, under a key only the daemon holds. Each request recomputes it from
 * the tokens configured now, so rotating a token's secret (or removing the
 * token) revokes every session made with it, and a cookie cannot be forged
 * or extended without the key.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'sandboxed_session';
const VERSION = 'v1';
/** Longer values are not ours: a cookie header is the client's, never parsed past this. */
const MAX_VALUE = 512;

/** A configured token as auth.ts holds it: its name and the SHA-256 of its secret. */
export interface TokenDigest {
  name: string;
  digest: Buffer;
}

export interface Session {
  tokenName: string;
  /** Unix milliseconds. */
  expiresAt: number;
}

function mac(key: Buffer, nameB64: string, expS: number, digest: Buffer): Buffer {
  return createHmac('sha256', key).update(`${VERSION}.${nameB64}.${expS}.`).update(digest).digest();
}

/** The cookie value for a token, valid until `now + ttlMs` (rounded down to the second). */
export function issueSession(key: Buffer, token: TokenDigest, now: number, ttlMs: number): { value: string; expiresAt: number } {
  const expS = Math.floor((now + ttlMs) / 1000);
  const nameB64 = Buffer.from(token.name, 'utf8').toString('base64url');
  const value = `${VERSION}.${nameB64}.${expS}.${mac(key, nameB64, expS, token.digest).toString('base64url')}`;
  return { value, expiresAt: expS * 1000 };
}

/** The session a cookie value stands for, or null: malformed, expired, forged, or its token is gone or rotated. */
export function verifySession(key: Buffer, tokens: readonly TokenDigest[], value: string | undefined, now: number): Session | null {
  if (value === undefined || value.length > MAX_VALUE) return null;
  const parts = value.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION || !/^\d{1,12}$/.test(parts[2])) return null;
  const [, nameB64, exp, given] = parts;
  const expS = Number(exp);
  if (expS * 1000 <= now) return null;
  const name = Buffer.from(nameB64, 'base64url').toString('utf8');
  const token = tokens.find((t) => t.name === name);
  if (!token) return null;
  const want = mac(key, nameB64, expS, token.digest);
  const got = Buffer.from(given, 'base64url');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return null;
  return { tokenName: name, expiresAt: expS * 1000 };
}

/** The session key, derived from the daemon's preview key (kept in the data dir) under its own label: sessions survive a restart. */
export function deriveSessionKey(previewKey: Buffer): Buffer {
  return createHmac('sha256', previewKey).update('sandboxed dashboard session key v1').digest();
}
