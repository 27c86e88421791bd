/**
 * Preview tokens for private sandboxes. A token is
 * `<id>.<expires_s>.<epoch>.<sig>`, sig = HMAC-SHA256 (base64url) over the
 * claims plus the sandbox's created_at, so a purged and recreated id never
 * honours the old sandbox's tokens. Rotation bumps the epoch (SQLite), which
 * revokes every token issued before.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { InvalidError } from '../errors.js';
import type { Sandbox } from '../domain/sandbox.js';
import { isValidSandboxId } from '../domain/sandbox.js';
import type { PreviewEpochStore } from '../store/preview.js';
import { TOKEN_QUERY } from './credentials.js';
import { previewUrl } from './hosts.js';

export const DEFAULT_TTL_S = 24 * 3600;
export const MAX_TTL_S = 30 * 24 * 3600;
export const MIN_TTL_S = 60;

export interface TokenClaims {
  id: string;
  expiresS: number;
  epoch: number;
}

export type TokenCheck =
  | { ok: true; claims: TokenClaims }
  | { ok: false; reason: 'malformed' | 'other-sandbox' | 'bad-signature' | 'expired' | 'revoked' };

function mac(key: Buffer, c: TokenClaims, incarnation: number): Buffer {
  return createHmac('sha256', key).update(`sandboxed-preview:v1:${c.id}:${c.expiresS}:${c.epoch}:${incarnation}`).digest();
}

export function signToken(key: Buffer, claims: TokenClaims, incarnation: number): string {
  return `${claims.id}.${claims.expiresS}.${claims.epoch}.${mac(key, claims, incarnation).toString('base64url')}`;
}

export function verifyToken(
  key: Buffer,
  token: string,
  expect: { id: string; incarnation: number; epoch: number; nowS: number },
): TokenCheck {
  const parts = token.split('.');
  if (parts.length !== 4 || !/^\d{1,12}$/.test(parts[1]) || !/^\d{1,12}$/.test(parts[2]) || !isValidSandboxId(parts[0])) {
    return { ok: false, reason: 'malformed' };
  }
  const claims: TokenClaims = { id: parts[0], expiresS: Number(parts[1]), epoch: Number(parts[2]) };
  if (claims.id !== expect.id) return { ok: false, reason: 'other-sandbox' };
  const given = Buffer.from(parts[3], 'base64url');
  const want = mac(key, claims, expect.incarnation);
  if (given.length !== want.length || !timingSafeEqual(given, want)) return { ok: false, reason: 'bad-signature' };
  if (claims.expiresS <= expect.nowS) return { ok: false, reason: 'expired' };
  if (claims.epoch !== expect.epoch) return { ok: false, reason: 'revoked' };
  return { ok: true, claims };
}

/** The signing key, generated at first start into DATA_DIR/state/preview.key (0600). */
export function loadPreviewKey(dataDir: string): Buffer {
  const file = path.join(dataDir, 'state', 'preview.key');
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, randomBytes(32).toString('hex') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  if (key.length < 32) throw new Error(`${file} holds no usable key (want 64 hex characters); delete it to generate one`);
  return key;
}

export interface IssuedToken {
  token: string;
  expiresAt: number;
  port: number;
  url: string;
}

export type PreviewTokenConfig = Pick<Config, 'previewDomain' | 'httpPort' | 'previewTls'>;

/** Issues, checks and revokes preview tokens. Knows nothing about HTTP. */
export class PreviewTokens {
  constructor(
    private readonly key: Buffer,
    private readonly epochs: PreviewEpochStore,
    private readonly sandboxes: { get(id: string): Sandbox },
    private readonly cfg: PreviewTokenConfig,
    private readonly now: () => number = Date.now,
  ) {}

  issue(id: string, opts: { port?: number; ttlS?: number } = {}): IssuedToken {
    const sb = this.sandboxes.get(id);
    const ports = sb.spec.ports;
    if (ports.length === 0) throw new InvalidError(`sandbox ${id} declares no ports, so it has no preview`);
    const port = opts.port ?? ports[0];
    if (!ports.includes(port)) throw new InvalidError(`port: ${port} is not declared (declared: ${ports.join(', ')})`);
    const ttlS = opts.ttlS ?? DEFAULT_TTL_S;
    if (ttlS < MIN_TTL_S || ttlS > MAX_TTL_S) throw new InvalidError(`ttl_s: from ${MIN_TTL_S} to ${MAX_TTL_S}`);
    const expiresS = Math.floor(this.now() / 1000) + ttlS;
    const token = signToken(this.key, { id, expiresS, epoch: this.epochs.get(id) }, sb.createdAt);
    const url = `${previewUrl(id, port, this.cfg)}?${TOKEN_QUERY}=${encodeURIComponent(token)}`;
    return { token, expiresAt: expiresS * 1000, port, url };
  }

  /** Revokes every token of this sandbox issued so far. */
  rotate(id: string): { epoch: number } {
    this.sandboxes.get(id);
    return { epoch: this.epochs.bump(id) };
  }

  check(sb: Pick<Sandbox, 'id' | 'createdAt'>, token: string): TokenCheck {
    return verifyToken(this.key, token, {
      id: sb.id,
      incarnation: sb.createdAt,
      epoch: this.epochs.get(sb.id),
      nowS: Math.floor(this.now() / 1000),
    });
  }

  secondsLeft(claims: TokenClaims): number {
    return claims.expiresS - Math.floor(this.now() / 1000);
  }
}
