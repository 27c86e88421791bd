/**
 * What a browser may ask of the API. The API serves backends and tools; a page
 * the operator happens to open (a tenant's preview, any web site) must not drive
 * it through the operator's loopback. Clients that send no Origin, no
 * Sec-Fetch-Site and a JSON body (curl, SDKs, backends) never notice this guard.
 *
 * - Host must name the API: DNS rebinding reaches 127.0.0.1 under the attacker's name.
 * - An Origin must be allowed, or be the API's own (the dashboard it serves at /ui); a browser
 *   that says cross-site or same-site without one is refused.
 * - A body must be JSON (or bytes on raw uploads): forms, text/plain and untyped bodies
 *   are what a page can send without a CORS preflight.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from './error-handler.js';
import { redactUrl } from './log-fields.js';

export interface BrowserPolicy {
  /** Exact origins, e.g. https://app.example.com. */
  allowedOrigins: readonly string[];
  /** Lowercase names without port; IPv6 without brackets. */
  hostnames: readonly string[];
}

export interface Refusal {
  status: number;
  error: string;
}

/** The parts of a request the guard decides on; `route` is the matched route pattern, if any. */
export interface RequestView {
  method: string;
  route: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

// 421 rather than 403: the request may be perfectly authorized, it just reached a
// server that does not answer to that name; clients and proxies read 421 as "wrong host".
const MISDIRECTED = 421;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
// What an HTML form or a no-cors fetch can send cross-site without a preflight.
const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data']);
// The PUT routes of files.ts that store the body as bytes. PUT always needs a CORS
// preflight from a page, so an untyped body here cannot come from a foreign page.
const RAW_UPLOADS = new Set(['/v1/sandboxes/:id/files/raw', '/sandbox/:id/files/raw']);
const OCTET_UPLOADS = new Set([...RAW_UPLOADS, '/v1/sandboxes/:id/files', '/sandbox/:id/files']);
const SETTING_ORIGINS = 'SANDBOXD_API_ALLOWED_ORIGINS';
const SETTING_HOSTS = 'SANDBOXD_API_HOSTNAMES';

function header(v: RequestView, name: string): string | undefined {
  const h = v.headers[name];
  return Array.isArray(h) ? h[0] : h;
}

/** Header values are the client's: shown in errors, but never more than a line's worth. */
function shown(s: string): string {
  return JSON.stringify(s.length > 120 ? `${s.slice(0, 120)}…` : s);
}

/** The host name of a Host header (port dropped, brackets of IPv6 removed), or null when malformed. */
export function hostOf(hostHeader: string): string | null {
  const m = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9.-]+))(?::\d{1,5})?$/.exec(hostHeader.trim().toLowerCase());
  return m ? (m[1] ?? m[2]) : null;
}

export function checkHost(v: RequestView, policy: BrowserPolicy): Refusal | null {
  const raw = header(v, 'host');
  if (raw === undefined || raw.trim() === '') return { status: MISDIRECTED, error: `a Host header naming the API is required (${SETTING_HOSTS})` };
  const host = hostOf(raw);
  if (host !== null && policy.hostnames.includes(host)) return null;
  return { status: MISDIRECTED, error: `host ${shown(raw)} is not a name of this API; add it to ${SETTING_HOSTS} if it is one` };
}

/**
 * A request from a page the API itself served (the dashboard at /ui): its Origin
 * names the Host it was sent to (a name of the API, checked first), and the
 * browser does not call it cross-site. Scheme is not compared: a TLS proxy in
 * front passes the API's name in Host while the page's origin says https.
 */
export function isSameOrigin(v: RequestView): boolean {
  const origin = header(v, 'origin');
  const host = header(v, 'host');
  const site = header(v, 'sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') return false;
  if (origin === undefined) return site === 'same-origin';
  if (host === undefined) return false;
  try {
    const u = new URL(origin);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === origin && u.host === host.trim().toLowerCase();
  } catch {
    return false;
  }
}

export function checkOrigin(v: RequestView, policy: BrowserPolicy): Refusal | null {
  const origin = header(v, 'origin');
  if (origin !== undefined) {
    if (policy.allowedOrigins.includes(origin) || isSameOrigin(v)) return null;
    return { status: 403, error: `origin ${shown(origin)} may not call this API; allow it in ${SETTING_ORIGINS}` };
  }
  const site = header(v, 'sec-fetch-site');
  if (site === 'cross-site' || site === 'same-site') {
    return { status: 403, error: `a ${site} browser request without an allowed Origin may not call this API (${SETTING_ORIGINS})` };
  }
  return null;
}

function hasBody(v: RequestView): boolean {
  const length = header(v, 'content-length');
  return header(v, 'transfer-encoding') !== undefined || (length !== undefined && length.trim() !== '0');
}

export function checkBody(v: RequestView): Refusal | null {
  if (!BODY_METHODS.has(v.method)) return null;
  const raw = header(v, 'content-type');
  const type = raw?.split(';')[0].trim().toLowerCase();
  if (type !== undefined && (FORM_TYPES.has(type) || type.startsWith('text/'))) {
    return { status: 415, error: `content type ${shown(type)} is not accepted; send JSON with content-type: application/json` };
  }
  if (!hasBody(v) || type === 'application/json') return null;
  const route = v.method === 'PUT' ? v.route : undefined;
  if (route !== undefined && RAW_UPLOADS.has(route) && (type === undefined || type === '')) return null;
  if (route !== undefined && OCTET_UPLOADS.has(route) && type === 'application/octet-stream') return null;
  if (type === undefined || type === '') return { status: 415, error: 'a request body needs content-type: application/json' };
  return { status: 415, error: `content type ${shown(type)} is not accepted here; send content-type: application/json` };
}

/** The answer headers a page may read: the SDK's errors and log tails need these. */
const EXPOSED_HEADERS = 'retry-after, x-request-id, x-log-start, x-log-size';

/** CORS for an allowed origin: a dashboard's fetch needs its preflight answered and the reply readable. */
function allowCors(reply: FastifyReply, origin: string): void {
  reply.header('access-control-allow-origin', origin).header('vary', 'origin').header('access-control-expose-headers', EXPOSED_HEADERS);
}

function isPreflight(req: FastifyRequest): boolean {
  return req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
}

export function installBrowserGuard(app: FastifyInstance, policy: BrowserPolicy): void {
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const view: RequestView = { method: req.method, route: req.routeOptions.url, headers: req.headers };
    const refusal = checkHost(view, policy) ?? checkOrigin(view, policy) ?? checkBody(view);
    if (refusal) {
      req.log.info({ method: req.method, url: redactUrl(req.url), status: refusal.status, reason: refusal.error }, 'browser guard refused a request');
      return sendError(reply, refusal.status, refusal.error);
    }
    const origin = req.headers.origin;
    if (origin === undefined || isSameOrigin(view)) return;
    allowCors(reply, origin);
    if (isPreflight(req)) {
      return reply
        .code(204)
        .header('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE')
        .header('access-control-allow-headers', 'authorization, content-type, last-event-id, x-request-id')
        .header('access-control-max-age', '600')
        .send();
    }
  });
}
