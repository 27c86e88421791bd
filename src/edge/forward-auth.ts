/**
 * Traefik's forward-auth check: Traefik asks here before every request it
 * routes to a sandbox's own router (X-Forwarded-Host/Uri/Method describe the
 * request; trustForwardHeader is off, so Traefik sets them from the request
 * itself), so private previews are checked and every request counts as activity.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccessGate } from './access.js';
import { send } from './answers.js';
import { stripTokenCookie } from './credentials.js';
import { parsePreviewHost } from './hosts.js';

export const FORWARD_AUTH_PATH = '/_sandboxed/forward-auth';

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export interface ForwardAuthDeps {
  previewDomain: string;
  access: AccessGate;
  touch(id: string): void;
}

export function forwardAuth(deps: ForwardAuthDeps, req: IncomingMessage, res: ServerResponse): void {
  const host = header(req, 'x-forwarded-host');
  const uri = header(req, 'x-forwarded-uri') ?? '/';
  const method = header(req, 'x-forwarded-method') ?? 'GET';
  const target = parsePreviewHost(host, deps.previewDomain);
  if (!target) return send(req, res, { status: 403, kind: 'not-preview', json: { error: 'not a preview host' } });
  const proto = header(req, 'x-forwarded-proto') === 'https' ? 'https' : 'http';
  const admitted = deps.access.admit(req, target, uri, method, `${proto}://${host}`);
  // Every refusal is Traefik's answer to the client (it passes our status, headers and body on).
  // Unknown ids are refused too: a router that names this instance's middleware for a sandbox
  // this daemon does not know is not ours to open.
  if ('answer' in admitted) return send(req, res, admitted.answer);
  deps.touch(target.id);
  // Traefik replaces the forwarded request's Cookie and token header with what we answer
  // (authResponseHeaders): nothing for the token, the cookies minus ours.
  const cookie = stripTokenCookie(req.headers.cookie);
  res.writeHead(200, cookie ? { cookie } : {}).end();
}
