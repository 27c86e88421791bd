/**
 * What a preview request gets, decided purely (decideAccess, decideWake), and
 * the wake itself: start the sandbox once however many requests arrive, then
 * wait until the app's port accepts connections. A wake belongs to the
 * sandbox, not to the request: a client that gives up never leaves a half
 * state behind.
 */
import { connect } from 'node:net';
import type { Logger } from 'pino';
import type { Sandbox, Visibility } from '../sandboxes/types.js';
import type { TokenCheck } from './tokens.js';

// ---- pure decisions -------------------------------------------------------

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

export type WakeState = 'none' | 'in-flight' | 'failed';

export interface WakeFacts {
  /** The container runs and the port accepted a connection. */
  appUp: boolean;
  /** Built-in edge: true. Traefik's wake endpoint: false (Traefik proxies once its route exists). */
  canProxy: boolean;
  /** A page load (GET/HEAD accepting text/html), as opposed to fetch/curl/POST/WebSocket. */
  browser: boolean;
  wake: WakeState;
}

export type WakeDecision =
  | 'proxy'
  /** Answer the self-reloading page; the caller starts (or joins) the wake in the background. */
  | 'warming-page'
  /** Start (or join) the wake and keep the request until it ends. */
  | 'hold'
  /** The last wake failed: say so once instead of reloading forever. */
  | 'failed-page'
  /** 503 + Retry-After: the app is up but Traefik has no route yet. */
  | 'retry-later';

export function decideWake(f: WakeFacts): WakeDecision {
  if (f.appUp) {
    if (f.canProxy) return 'proxy';
    return f.browser ? 'warming-page' : 'retry-later';
  }
  if (!f.browser) return 'hold';
  return f.wake === 'failed' ? 'failed-page' : 'warming-page';
}

/** What to do once a held request's wake ended. */
export function afterHold(ok: boolean, canProxy: boolean): 'proxy' | 'retry-later' | 'failed' {
  if (!ok) return 'failed';
  return canProxy ? 'proxy' : 'retry-later';
}

export function isBrowserNavigation(method: string | undefined, accept: string | undefined): boolean {
  return (method === 'GET' || method === 'HEAD') && (accept ?? '').includes('text/html');
}

// ---- the app's address ----------------------------------------------------

export interface Upstream {
  ip: string;
  port: number;
}

/** Does the app accept connections on the container's address? */
export type PortProbe = (target: { containerId: string; ip: string }, port: number) => Promise<boolean>;

/** One TCP connect with a deadline; refused, unreachable or slow all mean "not yet". */
export function tcpProbe(timeoutMs = 1000): PortProbe {
  return ({ ip }, port) =>
    new Promise((resolve) => {
      const socket = connect({ host: ip, port });
      const done = (ok: boolean): void => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(timeoutMs, () => done(false));
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
    });
}

export interface InspectOnly {
  inspect(ref: string): Promise<{ running: boolean; ip: string | null }>;
}

interface CacheEntry {
  containerId: string;
  version: number;
  ip: string;
  ready: Set<number>;
}

/**
 * Container IP per sandbox and the ports known to accept. An entry is only
 * trusted for the row version it was filled from (any state change bumps
 * updated_at), and dropped on connection errors and after a start.
 */
export class Upstreams {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly engine: InspectOnly,
    private readonly probe: PortProbe,
  ) {}

  async ready(sb: Sandbox, port: number): Promise<Upstream | null> {
    if (sb.desiredState !== 'running' || sb.observedState !== 'running' || !sb.containerId) return null;
    let entry = this.cache.get(sb.id);
    if (!entry || entry.containerId !== sb.containerId || entry.version !== sb.updatedAt) {
      const info = await this.engine.inspect(sb.containerId).catch(() => null);
      if (!info?.running || !info.ip) {
        this.cache.delete(sb.id);
        return null;
      }
      entry = { containerId: sb.containerId, version: sb.updatedAt, ip: info.ip, ready: new Set() };
      this.cache.set(sb.id, entry);
    }
    if (entry.ready.has(port)) return { ip: entry.ip, port };
    if (!(await this.probe({ containerId: entry.containerId, ip: entry.ip }, port))) return null;
    entry.ready.add(port);
    return { ip: entry.ip, port };
  }

  invalidate(id: string): void {
    this.cache.delete(id);
  }
}

// ---- the wake -------------------------------------------------------------

export type WakeOutcome = { ok: true; upstream: Upstream } | { ok: false; reason: string; timedOut: boolean };

export interface WakerDeps {
  /** SandboxService.start: shares one in-flight start per id. */
  start(id: string): Promise<Sandbox>;
  upstreams: Upstreams;
  timeoutMs: number;
  log: Logger;
  pollMs?: number;
  now?: () => number;
}

/** How long a failed wake is remembered so the warming page can report it. */
export const FAILURE_MEMORY_MS = 30_000;

export class Waker {
  private readonly inflight = new Map<string, Promise<WakeOutcome>>();
  private readonly failures = new Map<string, { at: number; reason: string; timedOut: boolean }>();
  private readonly now: () => number;

  constructor(private readonly deps: WakerDeps) {
    this.now = deps.now ?? Date.now;
  }

  state(id: string, port: number): WakeState {
    const key = `${id}:${port}`;
    if (this.inflight.has(key)) return 'in-flight';
    const f = this.failures.get(key);
    if (f && this.now() - f.at < FAILURE_MEMORY_MS) return 'failed';
    return 'none';
  }

  /** The last failure, forgotten once read: the next page load tries again. */
  takeFailure(id: string, port: number): { reason: string; timedOut: boolean } | undefined {
    const key = `${id}:${port}`;
    const f = this.failures.get(key);
    this.failures.delete(key);
    return f;
  }

  wake(id: string, port: number): Promise<WakeOutcome> {
    const key = `${id}:${port}`;
    const existing = this.inflight.get(key);
    if (existing) return existing;
    const p = this.run(id, port).then((outcome) => {
      if (outcome.ok) this.failures.delete(key);
      else this.failures.set(key, { at: this.now(), reason: outcome.reason, timedOut: outcome.timedOut });
      return outcome;
    });
    this.inflight.set(key, p);
    void p.finally(() => this.inflight.delete(key));
    return p;
  }

  private async run(id: string, port: number): Promise<WakeOutcome> {
    const { start, upstreams, timeoutMs, log } = this.deps;
    const began = this.now();
    const deadline = began + timeoutMs;
    log.info({ sandboxId: id, port }, 'waking sandbox for a preview request');
    let sb: Sandbox;
    try {
      sb = await start(id);
    } catch (err) {
      const reason = `the sandbox could not start: ${(err as Error).message}`;
      log.warn({ sandboxId: id, port, err }, 'wake failed');
      return { ok: false, reason, timedOut: false };
    }
    upstreams.invalidate(id);
    const pollMs = this.deps.pollMs ?? 250;
    for (;;) {
      const up = await upstreams.ready(sb, port);
      if (up) {
        log.info({ sandboxId: id, port, ms: this.now() - began }, 'preview app is up');
        return { ok: true, upstream: up };
      }
      if (this.now() + pollMs >= deadline) break;
      await new Promise((r) => setTimeout(r, pollMs));
    }
    const reason = `nothing accepted connections on port ${port} within ${Math.round(timeoutMs / 1000)} s`;
    log.warn({ sandboxId: id, port, timeoutMs }, 'preview app did not come up');
    return { ok: false, reason, timedOut: true };
  }
}
