/**
 * The dashboard's sign-in: POST /v1/session exchanges an API token for the
 * session cookie (./session-cookie.ts), GET says who is signed in and whether
 * the API takes tokens at all, DELETE signs out. All three are open routes
 * (the token is in the body, or nothing is needed); the browser guard still
 * refuses foreign origins, so no other site can sign a browser in or out.
 */
import { serialize } from 'cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { matchSecret, matchToken, sessionOf, tokenDigests } from './auth.js';
import type { HttpDeps } from './deps.js';
import { sendError } from './error-handler.js';
import { op, openReplies } from './replies.js';
import { issueSession, SESSION_COOKIE } from './session-cookie.js';

const timestamp = z.string().meta({ format: 'date-time' });

const sessionSchema = z
  .object({
    auth: z.boolean().meta({ description: 'false: the API takes no token (SANDBOXD_API_TOKENS is not set); there is nothing to sign in to' }),
    token_name: z.string().nullable().meta({ description: 'The token this request is signed in with (its name only); null: none' }),
    expires_at: timestamp.nullable().meta({ description: 'When the session cookie stops counting; null for a bearer token or no session' }),
  })
  .meta({ id: 'Session', examples: [{ auth: true, token_name: 'dashboard', expires_at: '2025-01-02T00:00:00.000Z' }] });

const signInBody = z.strictObject({ token: z.string().min(1).max(4096).meta({ description: 'A secret of SANDBOXD_API_TOKENS' }) }).meta({ id: 'SignInInput' });
const signedOutSchema = z.object({ signed_out: z.literal(true) }).meta({ id: 'SignedOut', examples: [{ signed_out: true }] });

const COOKIE_NOTE =
  'The cookie is `sandboxed_session`: HttpOnly, SameSite=Strict, Path=/, valid for SANDBOXD_UI_SESSION_HOURS. It is an HMAC over the token’s name and the hash of its secret, so rotating or removing the token ends every session made with it. A cookie authorises state-changing requests and WebSockets only from the API’s own origin (the dashboard at /ui).';

function cookie(value: string, maxAgeS: number): string {
  return serialize(SESSION_COOKIE, value, { httpOnly: true, sameSite: 'strict', path: '/', maxAge: maxAgeS });
}

export async function sessionRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { config, sessionKey } = deps;
  const digests = tokenDigests(config.tokens);

  const current = (req: FastifyRequest) => {
    if (!config.authEnabled) return { auth: false, token_name: null, expires_at: null };
    const bearer = matchToken(digests, req.headers.authorization);
    if (bearer) return { auth: true, token_name: bearer, expires_at: null };
    const s = sessionOf(req, sessionKey, digests);
    return { auth: true, token_name: s?.tokenName ?? null, expires_at: s ? new Date(s.expiresAt).toISOString() : null };
  };

  app.get(
    '/v1/session',
    { schema: { ...op('/v1/session', 'getSession', 'session', 'Whether the API takes tokens, and who this request is signed in as'), response: openReplies({ 200: sessionSchema }) } },
    async (req) => current(req),
  );

  app.post(
    '/v1/session',
    {
      schema: {
        ...op('/v1/session', 'signIn', 'session', 'Exchange an API token for a session cookie (the dashboard’s sign-in)', COOKIE_NOTE),
        body: signInBody,
        response: openReplies({ 200: sessionSchema }, 401, 409),
      },
    },
    async (req, reply) => {
      if (!config.authEnabled) return sendError(reply, 409, 'auth is off (SANDBOXD_API_TOKENS is not set): there is nothing to sign in to');
      const name = matchSecret(digests, req.body.token);
      if (!name) {
        req.log.info({ reason: 'bad token' }, 'sign-in refused');
        return sendError(reply, 401, 'that is not an API token of this daemon');
      }
      const token = digests.find((t) => t.name === name)!;
      const issued = issueSession(sessionKey, token, Date.now(), config.uiSessionTtlMs);
      req.log.info({ tokenName: name }, 'signed in');
      reply.header('set-cookie', cookie(issued.value, Math.floor(config.uiSessionTtlMs / 1000)));
      return { auth: true, token_name: name, expires_at: new Date(issued.expiresAt).toISOString() };
    },
  );

  app.delete(
    '/v1/session',
    { schema: { ...op('/v1/session', 'signOut', 'session', 'Sign out: the session cookie is cleared'), response: openReplies({ 200: signedOutSchema }) } },
    async (_req, reply) => {
      reply.header('set-cookie', cookie('', 0));
      return { signed_out: true as const };
    },
  );
}
