/**
 * Who a request acts for, and what it may reach. With auth off every request
 * is the operator's; with auth on it is its token's: a token with `admin` (or
 * with no options at all) reaches everything, any other token only the
 * sandboxes it created (metadata sandboxed.owner), their tasks and snapshots
 * and the templates taken from them. What it does not own is answered 404 like
 * what does not exist, so ids of other tokens leak nothing.
 *
 * The check is one hook for every route under /v1/sandboxes/:id and
 * /sandbox/:id (exec, files, services, previews, tasks, snapshots, terminals,
 * logs…), run before the handler and before a WebSocket upgrade; a route with
 * an `:id` anywhere else stops the daemon at start, so no route can slip past
 * it. Lists filter in SQL (sandboxes.ts, snapshots.ts). Any other route
 * acts on the whole installation (/v1/admin/*, /metrics…) and is 403 for a
 * scoped token unless it is listed in TENANT_ROUTES, which only a route that
 * filters by owner may join: a new global route is refused until then.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { OWNER_KEY } from '../domain/metadata.js';
import { mayAct, OPERATOR, type Principal } from '../domain/principal.js';
import { ForbiddenError, NotFoundError } from '../errors.js';
import type { HttpDeps } from './deps.js';
import { isOpenRoute } from './replies.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** Routes whose `:id` is a sandbox id: the ownership check covers exactly these. */
const SANDBOX_ROUTE = /^\/(v1\/sandboxes|sandbox)\/:id(\/|$)/;
/** Routes without a sandbox id that a scoped token may call: each answers only what it owns. */
const TENANT_ROUTES = new Set(['/v1/sandboxes', '/sandbox', '/sandboxes', '/v1/snapshots', '/v1/events']);

/** The request's principal; every route behind auth has one (set at onRequest). */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new Error(`no principal on ${req.method} ${req.routeOptions.url ?? req.url}`);
  return req.principal;
}

/** Labels a list must match for the principal: its own sandboxes only, unless it is an admin. */
export function ownerLabels(p: Principal): [string, string][] {
  return p.admin || p.owner === null ? [] : [[OWNER_KEY, p.owner]];
}

export function installOwnership(app: FastifyInstance, deps: Pick<HttpDeps, 'config' | 'sandboxes' | 'snapshots'>): void {
  const byName = new Map(deps.config.tokens.map((t) => [t.name, Object.freeze({ owner: t.name, admin: t.admin, limits: t.limits })]));

  app.addHook('onRoute', (route) => {
    if (/\/:id(\/|$)/.test(route.url) && !SANDBOX_ROUTE.test(route.url)) {
      throw new Error(`route ${route.url}: an :id outside /v1/sandboxes/:id would escape the ownership check (src/http/ownership.ts)`);
    }
  });

  // After auth's onRequest (registered before this one), which has matched the token.
  app.addHook('onRequest', async (req) => {
    if (isOpenRoute(req.routeOptions.url)) return;
    const p = deps.config.authEnabled ? byName.get(req.tokenName ?? '') : OPERATOR;
    if (!p) throw new Error('auth passed a request without a known token');
    req.principal = p;
    const url = req.routeOptions.url;
    // An unknown URL (url undefined) is left to the 404 handler.
    if (!p.admin && url !== undefined && !SANDBOX_ROUTE.test(url) && !TENANT_ROUTES.has(url)) {
      throw new ForbiddenError(`token "${p.owner}" is not an admin token; ${url} is for admins`);
    }
  });

  // After validation: params are well-formed ids.
  app.addHook('preHandler', async (req) => {
    const p = req.principal;
    if (!p || p.admin || !SANDBOX_ROUTE.test(req.routeOptions.url ?? '')) return;
    const { id, snap } = req.params as { id: string; snap?: string };
    const sb = deps.sandboxes.lookup(id);
    if (sb && !mayAct(p, sb.metadata)) throw new NotFoundError(`sandbox ${id} not found`);
    // A template may be reached through any sandbox's path: it must be one of this token's too.
    if (snap !== undefined && !snapshotVisible(deps, p, snap)) throw new NotFoundError(`snapshot ${snap} not found in sandbox ${id}`);
  });
}

/** Whether the principal may use a snapshot: one of a sandbox it owns (a deleted one included). Unknown ids are left to the route. */
export function snapshotVisible(deps: Pick<HttpDeps, 'sandboxes' | 'snapshots'>, p: Principal, snapshotId: string): boolean {
  if (p.admin) return true;
  const s = deps.snapshots.peek(snapshotId);
  if (!s) return true;
  const source = deps.sandboxes.lookup(s.sandboxId);
  return source !== undefined && mayAct(p, source.metadata);
}
