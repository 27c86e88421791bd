/**
 * Who may reach what, decided purely before anything is revealed or woken:
 * unknown and deleted sandboxes, private previews and their tokens,
 * undeclared ports. Table-tested in test/unit/wake-decide.test.ts.
 */
import type { Visibility } from '../domain/sandbox.js';
import type { TokenCheck } from './tokens.js';

export interface AccessFacts {
  sandbox: 'unknown' | 'gone' | { ports: number[]; visibility: Visibility };
  port: number;
  method: string;
  /** The first token found (query, then header, then cookie), checked. */
  token: { source: 'query' | 'header' | 'cookie'; check: TokenCheck } | null;
}

export type AccessDecision =
  | { kind: 'not-found' }
  | { kind: 'gone' }
  | { kind: 'unauthorized'; reason: string; clearCookie: boolean }
  | { kind: 'undeclared-port'; ports: number[] }
  /** A valid ?token= on a page load: set the host-only cookie and redirect to the URL without it. */
  | { kind: 'set-cookie-redirect' }
  /** A ?token= on any other method is honoured for that request only (and stripped before the app). */
  | { kind: 'allow' };

/**
 * Private sandboxes are checked before anything else is revealed (their
 * ports) or done (a wake): a bad token never starts a container.
 */
export function decideAccess(f: AccessFacts): AccessDecision {
  if (f.sandbox === 'unknown') return { kind: 'not-found' };
  if (f.sandbox === 'gone') return { kind: 'gone' };
  if (f.sandbox.visibility === 'private') {
    if (!f.token) return { kind: 'unauthorized', reason: 'this preview is private and no token was given', clearCookie: false };
    if (!f.token.check.ok) {
      return { kind: 'unauthorized', reason: `preview token ${f.token.check.reason}`, clearCookie: f.token.source === 'cookie' };
    }
  }
  if (!f.sandbox.ports.includes(f.port)) return { kind: 'undeclared-port', ports: f.sandbox.ports };
  if (f.sandbox.visibility === 'private' && f.token?.source === 'query') {
    if (f.method === 'GET' || f.method === 'HEAD') return { kind: 'set-cookie-redirect' };
  }
  return { kind: 'allow' };
}
