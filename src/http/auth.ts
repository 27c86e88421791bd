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
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiToken } from '../config.js';
import { sendError } from './error-handler.js';
import { isOpenRoute } from './replies.js';

export const TOKEN_SUBPROTOCOL_PREFIX = 'sandboxed.token.';

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

function matchSecret(tokens: readonly { name: string; digest: Buffer }[], secret: string | undefined): string | null {
  if (!secret) return null;
  const given = digest(secret);
  let found: string | null = null;
  // Check every token (no early exit) so timing does not tell which one matched.
  for (const t of tokens) if (timingSafeEqual(t.digest, given)) found = t.name;
  return found;
}

export function matchToken(tokens: readonly { name: string; digest: Buffer }[], header: string | undefined): string | null {
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

export function installAuth(app: FastifyInstance, tokens: readonly ApiToken[]): void {
  const digests = tokens.map((t) => ({ name: t.name, digest: digest(t.secret) }));
  app.addHook('onRequest', async (req: FastifyRequest, reply) => {
    // By the matched route's pattern, never the raw URL: `/docs/..%2f/v1/…` names no open route.
    if (isOpenRoute(req.routeOptions.url)) return;
    const name = matchToken(digests, req.headers.authorization) ?? matchSecret(digests, handshakeSecret(req));
    if (!name) {
      req.log.info({ reason: req.headers.authorization ? 'bad token' : 'no token' }, 'unauthorized');
      return sendError(reply.header('www-authenticate', 'Bearer'), 401, 'missing or invalid bearer token');
    }
    req.tokenName = name;
    req.log = req.log.child({ tokenName: name });
    reply.log = req.log;
  });
}
