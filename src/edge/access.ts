/**
 * Where a preview request is decided: the sandbox is looked up, a private
 * one's token is found and checked, and decideAccess says what happens —
 * before anything is revealed (its ports) or done (a wake).
 */
import type { IncomingMessage } from 'node:http';
import type { Sandbox } from '../domain/sandbox.js';
import { decideAccess, type AccessFacts } from './access-decide.js';
import { gone, notFound, tokenAccepted, unauthorized, undeclaredPort, type Answer } from './answers.js';
import { TOKEN_HEADER, clearTokenCookie, cookieValues, queryToken, sameHostPath, tokenCookie, tokenCookieName, withoutTokenParam } from './credentials.js';
import { previewUrl, type PreviewTarget, type PreviewUrlConfig } from './hosts.js';
import type { PreviewTokens } from './tokens.js';

export type Admitted = { sb: Sandbox; port: number } | { answer: Answer };

export interface AccessDeps {
  config: PreviewUrlConfig;
  /** SandboxService.forEdge: a map lookup in the in-memory view. */
  sandboxes: { forEdge(id: string): Sandbox | 'unknown' | 'gone' };
  tokens: Pick<PreviewTokens, 'check' | 'secondsLeft'>;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export class AccessGate {
  constructor(private readonly deps: AccessDeps) {}

  /**
   * The token offered first (query, then header, then cookie), checked against
   * this sandbox. Of several token cookies any one that verifies admits: a
   * cookie tossed from a sibling host and sent first must not lock visitors out.
   */
  private findToken(sb: Sandbox, url: string, req: IncomingMessage): AccessFacts['token'] {
    const { tokens, config } = this.deps;
    const fromQuery = queryToken(url);
    if (fromQuery !== undefined) return { source: 'query', check: tokens.check(sb, fromQuery) };
    const fromHeader = header(req, TOKEN_HEADER);
    if (fromHeader) return { source: 'header', check: tokens.check(sb, fromHeader.trim()) };
    const checks = cookieValues(req.headers.cookie, tokenCookieName(config.previewTls)).map((c) => tokens.check(sb, c));
    if (checks.length === 0) return null;
    return { source: 'cookie', check: checks.find((c) => c.ok) ?? checks[0] };
  }

  /** Who may reach what. `absolute` (scheme and host) builds redirects for Traefik's forward-auth, whose Location Traefik resolves against the auth URL. */
  admit(req: IncomingMessage, target: PreviewTarget, url: string, method: string, absolute?: string): Admitted {
    const { config, tokens } = this.deps;
    const found = this.deps.sandboxes.forEdge(target.id);
    const sb = typeof found === 'string' ? null : found;
    const token = sb && sb.spec.visibility === 'private' ? this.findToken(sb, url, req) : null;
    const d = decideAccess({
      sandbox: sb ? { ports: sb.spec.ports, visibility: sb.spec.visibility } : (found as 'unknown' | 'gone'),
      port: target.port,
      method,
      token,
    });
    const id = target.id;
    switch (d.kind) {
      case 'not-found':
        return { answer: notFound(id) };
      case 'gone':
        return { answer: gone(id) };
      case 'unauthorized':
        return { answer: unauthorized(id, d.reason, d.clearCookie ? { 'set-cookie': clearTokenCookie(config.previewTls) } : undefined) };
      case 'undeclared-port': {
        const urls = Object.fromEntries(sb!.spec.ports.map((p) => [String(p), previewUrl(sb!.id, p, config)]));
        return { answer: undeclaredPort(id, target.port, d.ports, urls) };
      }
      case 'set-cookie-redirect': {
        const check = token!.check;
        const maxAge = check.ok ? tokens.secondsLeft(check.claims) : 0;
        const cookie = tokenCookie(queryToken(url)!, maxAge, config.previewTls);
        // Always a path on this preview host, whatever the request target looked like.
        return { answer: tokenAccepted(`${absolute ?? ''}${withoutTokenParam(sameHostPath(url))}`, cookie) };
      }
      case 'allow':
        return { sb: sb!, port: target.port };
    }
  }
}
