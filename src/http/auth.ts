/**
 * Bearer-token auth. Secrets are compared in constant time (as SHA-256
 * digests, so lengths leak nothing); logs carry the token's name only.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiToken } from '../config.js';
import { sendError } from './error-handler.js';
import { isOpenRoute } from './replies.js';

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

export function matchToken(tokens: readonly { name: string; digest: Buffer }[], header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!m) return null;
  const given = digest(m[1]);
  let found: string | null = null;
  // Check every token (no early exit) so timing does not tell which one matched.
  for (const t of tokens) if (timingSafeEqual(t.digest, given)) found = t.name;
  return found;
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
    const name = matchToken(digests, req.headers.authorization);
    if (!name) {
      req.log.info({ reason: req.headers.authorization ? 'bad token' : 'no token' }, 'unauthorized');
      return sendError(reply.header('www-authenticate', 'Bearer'), 401, 'missing or invalid bearer token');
    }
    req.tokenName = name;
    req.log = req.log.child({ tokenName: name });
    reply.log = req.log;
  });
}
