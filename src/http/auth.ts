/**
 * Bearer-token auth. Secrets are compared in constant time (as SHA-256
 * digests, so lengths leak nothing); logs carry the token's name only.
 *
 * A browser cannot set headers on a WebSocket, so the handshake of a route
 * that allows it (`config.tokenInHandshake`) may carry the secret instead as a
 * `Sec-WebSocket-Protocol` entry `sandboxed.token.<secret>` (never echoed back:
 * the server picks the protocol entry) or as `?token=<secret>` (query strings
 * end up in proxies' and browsers' histories; our logs redact it, see
 * log-fields.ts). Nowhere else is a token taken from the URL.
 *
 * The dashboard signs in once and then sends the session cookie instead
 * (./session-cookie.ts). A browser attaches cookies to requests other sites
 * make, so the cookie counts for a state-changing request or a WebSocket only
 * when the browser says the request comes from the API's own origin; the
 * browser guard has already refused foreign origins and hosts.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { parseCookie } from 'cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiToken } from '../config.js';
import { isSameOrigin } from './browser-guard.js';
import { sendError } from './error-handler.js';
import { isOpenRoute } from './replies.js';
import { SESSION_COOKIE, verifySession, type Session, type TokenDigest } from './session-cookie.js';

export const TOKEN_SUBPROTOCOL_PREFIX = 'sandboxed.token.';

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

export function tokenDigests(tokens: readonly ApiToken[]): TokenDigest[] {
  return tokens.map((t) => ({ name: t.name, digest: digest(t.secret) }));
}

export function matchSecret(tokens: readonly TokenDigest[], secret: string | undefined): string | null {
  if (!secret) return null;
  const given = digest(secret);
  let found: string | null = null;
  // Check every token (no early exit) so timing does not tell which one matched.
  for (const t of tokens) if (timingSafeEqual(t.digest, given)) found = t.name;
  return found;
}

export function matchToken(tokens: readonly TokenDigest[], header: string | undefined): string | null {
  const m = header ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
  return m ? matchSecret(tokens, m[1]) : null;
}

/** The secret a WebSocket handshake carries in its subprotocols or its query, if the route allows it. */
function handshakeSecret(req: FastifyRequest): string | undefined {
  if (!req.ws || req.routeOptions.config.tokenInHandshake !== true) return undefined;
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const entry = offered.find((p) => p.startsWith(TOKEN_SUBPROTOCOL_PREFIX));
  if (entry) return entry.slice(TOKEN_SUBPROTOCOL_PREFIX.length);
  const q = req.url.indexOf('?');
  return q < 0 ? undefined : (new URLSearchParams(req.url.slice(q + 1)).get('token') ?? undefined);
}

declare module 'fastify' {
  interface FastifyRequest {
    tokenName?: string;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The dashboard's session the request's cookie stands for, if any (not checked for origin). */
export function sessionOf(req: FastifyRequest, key: Buffer, digests: readonly TokenDigest[]): Session | null {
  const raw = req.headers.cookie;
  if (raw === undefined) return null;
  return verifySession(key, digests, parseCookie(raw)[SESSION_COOKIE], Date.now());
}

/** The cookie's token name, when the request may be authorised by a cookie at all (see above). */
function cookieName(req: FastifyRequest, key: Buffer, digests: readonly TokenDigest[]): string | null {
  const sameOrigin = isSameOrigin({ method: req.method, route: req.routeOptions.url, headers: req.headers });
  if ((req.ws || !SAFE_METHODS.has(req.method)) && !sameOrigin) return null;
  return sessionOf(req, key, digests)?.tokenName ?? null;
}

export function installAuth(app: FastifyInstance, tokens: readonly ApiToken[], sessionKey: Buffer): void {
  const digests = tokenDigests(tokens);
  app.addHook('onRequest', async (req: FastifyRequest, reply) => {
    // By the matched route's pattern, never the raw URL: `/docs/..%2f/v1/…` names no open route.
    if (isOpenRoute(req.routeOptions.url)) return;
    const name = matchToken(digests, req.headers.authorization) ?? matchSecret(digests, handshakeSecret(req)) ?? cookieName(req, sessionKey, digests);
    if (!name) {
      const session = !req.headers.authorization && req.headers.cookie?.includes(`${SESSION_COOKIE}=`) === true;
      req.log.info({ reason: req.headers.authorization ? 'bad token' : session ? 'no valid session' : 'no token' }, 'unauthorized');
      const message = session ? 'the session expired, was revoked or does not count here; sign in again' : 'missing or invalid bearer token';
      return sendError(reply.header('www-authenticate', 'Bearer'), 401, message);
    }
    req.tokenName = name;
    req.log = req.log.child({ tokenName: name });
    reply.log = req.log;
  });
}
