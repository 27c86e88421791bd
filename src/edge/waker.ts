/**
 * The wake: start the sandbox once however many requests arrive, then wait
 * until the app's port accepts connections. A wake belongs to the sandbox,
 * not to the request: a client that gives up never leaves a half state behind.
 */
import type { Logger } from 'pino';
import { NO_EVENTS, type EventSink } from '../domain/event.js';
import type { Sandbox } from '../domain/sandbox.js';
import { UnavailableError } from '../errors.js';
import { metrics } from '../telemetry/metrics.js';
import type { PortCheck } from './port-check.js';
import { decidePortWait, PORT_GRACE_MS, type PortVerdict } from './port-decide.js';
import type { Upstream, Upstreams } from './upstreams.js';
import type { WakeState } from './wake-decide.js';

/**
 * Why a wake ended without the app: `retryAfterS` when the start was refused
 * for now (memory), not failed; `idle` when nothing was on its way up on the port.
 */
export interface WakeFailure {
  reason: string;
  timedOut: boolean;
  retryAfterS?: number;
  idle?: Extract<PortVerdict, { kind: 'answer' }>;
}

export type WakeOutcome = { ok: true; upstream: Upstream } | ({ ok: false } & WakeFailure);

export interface WakerDeps {
  /** SandboxService.start: shares one in-flight start per id. */
  start: (id: string) => Promise<Sandbox>;
  upstreams: Upstreams;
  /** Asks what runs behind the port while the app is not up (port-check.ts); absent, a wake waits out its timeout. */
  checkPort?: PortCheck;
  timeoutMs: number;
  log: Logger;
  pollMs?: number;
  now?: () => number;
  /** Where wake.refused goes (at most one per sandbox per REFUSAL_EVENT_MS). */
  events?: EventSink;
}

/** How long a failed wake is remembered so the warming page can report it. */
export const FAILURE_MEMORY_MS = 30_000;
/** Anyone on the internet can ask for a wake: refusals of one sandbox are said at most this often. */
export const REFUSAL_EVENT_MS = 60_000;
/** Port checks while a held app is not up: the first after the grace, then ever further apart. */
const CHECK_FIRST_GAP_MS = 1_000;
const CHECK_MAX_GAP_MS = 8_000;

export class Waker {
  private readonly inflight = new Map<string, Promise<WakeOutcome>>();
  private readonly failures = new Map<string, WakeFailure & { at: number }>();
  /** When wake.refused was last said per sandbox; entries older than REFUSAL_EVENT_MS are swept as new ones come. */
  private readonly refusalsSaid = new Map<string, number>();
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
  takeFailure(id: string, port: number): WakeFailure | undefined {
    const key = `${id}:${port}`;
    const f = this.failures.get(key);
    this.failures.delete(key);
    return f;
  }

  wake(id: string, port: number): Promise<WakeOutcome> {
    const key = `${id}:${port}`;
    const existing = this.inflight.get(key);
    if (existing) return existing;
    const observe = metrics.wake.startTimer();
    const p = this.run(id, port).then((outcome) => {
      observe({ outcome: outcome.ok ? 'ok' : outcome.retryAfterS !== undefined ? 'refused' : outcome.timedOut ? 'timeout' : 'failed' });
      if (outcome.ok) this.failures.delete(key);
      else {
        const { reason, timedOut, retryAfterS, idle } = outcome;
        this.failures.set(key, { at: this.now(), reason, timedOut, retryAfterS, idle });
      }
      return outcome;
    });
    this.inflight.set(key, p);
    void p.finally(() => this.inflight.delete(key));
    return p;
  }

  private sayRefused(id: string, port: number, err: UnavailableError): void {
    const now = this.now();
    const last = this.refusalsSaid.get(id);
    if (last !== undefined && now - last < REFUSAL_EVENT_MS) return;
    for (const [k, at] of this.refusalsSaid) if (now - at >= REFUSAL_EVENT_MS) this.refusalsSaid.delete(k);
    this.refusalsSaid.set(id, now);
    (this.deps.events ?? NO_EVENTS).emit(id, 'wake.refused', { port, reason: err.reason, error: err.message, retry_after_s: err.retryAfterS ?? 30 });
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
      log.warn({ sandboxId: id, port, err }, 'wake failed');
      // Refused for now (not enough memory): the client is told when to come back.
      if (err instanceof UnavailableError) {
        metrics.wakeRefusals.inc({ reason: err.reason });
        this.sayRefused(id, port, err);
        return { ok: false, reason: err.message, timedOut: false, retryAfterS: err.retryAfterS ?? 30 };
      }
      return { ok: false, reason: `the sandbox could not start: ${(err as Error).message}`, timedOut: false };
    }
    upstreams.invalidate(id);
    const pollMs = this.deps.pollMs ?? 250;
    const started = this.now();
    let nextCheck = started + PORT_GRACE_MS;
    let gap = CHECK_FIRST_GAP_MS;
    for (;;) {
      const up = await upstreams.ready(sb, port);
      if (up) {
        log.info({ sandboxId: id, port, ms: this.now() - began }, 'preview app is up');
        return { ok: true, upstream: up };
      }
      if (this.deps.checkPort && this.now() >= nextCheck) {
        const idle = await this.idle(sb, port, started);
        if (idle) return idle;
        nextCheck = this.now() + gap;
        gap = Math.min(gap * 2, CHECK_MAX_GAP_MS);
      }
      if (this.now() + pollMs >= deadline) break;
      await new Promise((r) => setTimeout(r, pollMs));
    }
    const reason = `nothing accepted connections on port ${port} within ${Math.round(timeoutMs / 1000)} s`;
    log.warn({ sandboxId: id, port, timeoutMs }, 'preview app did not come up');
    return { ok: false, reason, timedOut: true };
  }

  /** A failure when nothing is on its way up on the port (no pointless hold), else null: keep waiting. */
  private async idle(sb: Sandbox, port: number, started: number): Promise<WakeOutcome | null> {
    const facts = await this.deps.checkPort!(sb, port);
    if (!facts) return null;
    const verdict = decidePortWait(facts, port, sb.spec.ports[0], this.now() - started);
    if (verdict.kind === 'wait') return null;
    this.deps.log.info({ sandboxId: sb.id, port, portState: verdict.portState }, 'nothing is on its way up on the port; answering');
    return { ok: false, reason: `nothing is on its way up on port ${port}`, timedOut: false, idle: verdict };
  }
}
