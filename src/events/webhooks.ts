/**
 * Sends the deliveries the store holds, per webhook: the head of each
 * sandbox's queue (its oldest pending delivery), one at a time per sandbox
 * (order holds per sandbox) and at most SANDBOXD_WEBHOOK_CONCURRENCY at a time
 * per webhook. Every attempt is bounded (./post.ts) and every webhook has its
 * own worker, so a receiver that hangs or is down holds up only its own
 * queues. Deliveries are rows, so a restart resumes them: at least once.
 */
import type { Logger } from 'pino';
import type { Config, WebhookConfig } from '../config.js';
import type { Delivery } from '../domain/event.js';
import type { DeliveryQuery, DeliveryStore } from '../store/deliveries.js';
import { eventMetrics } from '../telemetry/event-metrics.js';
import { noteStoreError } from '../telemetry/metrics.js';
import { post, type AttemptResult } from './post.js';
import { decideRetry } from './retry.js';
import { sign, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signature.js';

export type DispatchConfig = Pick<Config, 'webhooks' | 'webhookTimeoutMs' | 'webhookRetryMs' | 'webhookConcurrency'>;

/** A worker with nothing due looks again at least this often (a missed wake costs at most this). */
const IDLE_LOOK_MS = 60_000;

class Worker {
  private readonly inFlight = new Map<string, { deliveryId: number; done: Promise<void> }>();
  private readonly ac = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly hook: WebhookConfig,
    private readonly cfg: DispatchConfig,
    private readonly store: DeliveryStore,
    private readonly log: Logger,
    private readonly userAgent: string,
  ) {}

  /** Starts what is due, and sleeps until the next one is (or, with every slot busy, until one frees). */
  fill(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    try {
      const free = this.cfg.webhookConcurrency - this.inFlight.size;
      if (free > 0) {
        const heads = this.store.due(this.hook.name, Date.now(), this.cfg.webhookConcurrency * 2).filter((d) => !this.inFlight.has(d.sandboxId));
        for (const d of heads.slice(0, free)) this.send(d);
      }
      if (this.inFlight.size >= this.cfg.webhookConcurrency) return;
      const sending = [...this.inFlight.values()].map((f) => f.deliveryId);
      const next = this.store.nextDueAt(this.hook.name, sending);
      const wait = next === null ? IDLE_LOOK_MS : Math.min(Math.max(next - Date.now(), 50), IDLE_LOOK_MS);
      this.timer = setTimeout(() => this.fill(), wait).unref();
    } catch (err) {
      noteStoreError(err);
      this.log.error({ err, webhook: this.hook.name }, 'webhook queue could not be read; trying again');
      this.timer = setTimeout(() => this.fill(), 1000).unref();
    }
  }

  private send(d: Delivery): void {
    const done = this.attempt(d).finally(() => {
      this.inFlight.delete(d.sandboxId);
      this.fill();
    });
    this.inFlight.set(d.sandboxId, { deliveryId: d.id, done });
  }

  private async attempt(d: Delivery): Promise<void> {
    const ts = Math.floor(Date.now() / 1000);
    const headers = {
      'user-agent': this.userAgent,
      'x-sandboxed-event-id': String(d.eventId),
      'x-sandboxed-event-type': d.eventType,
      'x-sandboxed-delivery': String(d.id),
      [TIMESTAMP_HEADER]: String(ts),
      [SIGNATURE_HEADER]: sign(this.hook.secret, ts, d.body),
    };
    const r = await post(this.hook.url, headers, d.body, this.cfg.webhookTimeoutMs, this.ac.signal);
    if (this.stopped) return; // cut short by the stop: still pending, sent again after the restart
    try {
      this.record(d, r);
    } catch (err) {
      noteStoreError(err);
      this.log.error({ err, webhook: this.hook.name, deliveryId: d.id }, 'delivery outcome could not be stored; it is sent again');
    }
  }

  private record(d: Delivery, r: AttemptResult): void {
    const now = Date.now();
    const outcome = { status: r.status, error: r.error, now };
    const fields = { webhook: this.hook.name, deliveryId: d.id, eventId: d.eventId, sandboxId: d.sandboxId, status: r.status };
    if (r.ok) {
      this.store.delivered(d.id, outcome);
      eventMetrics.deliveries.inc({ outcome: 'delivered' });
      this.log.debug(fields, 'webhook delivered');
      return;
    }
    const next = decideRetry(d.attempts + 1, d.createdAt, now, this.cfg.webhookRetryMs, Math.random());
    if (next.kind === 'retry') {
      this.store.retry(d.id, next.at, outcome);
      eventMetrics.deliveries.inc({ outcome: 'retry' });
      this.log.info({ ...fields, error: r.error, retryInMs: next.at - now }, 'webhook delivery failed; will retry');
    } else {
      this.store.giveUp(d.id, outcome);
      eventMetrics.deliveries.inc({ outcome: 'failed' });
      this.log.warn({ ...fields, error: r.error, attempts: d.attempts + 1 }, 'webhook delivery given up');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ac.abort();
    await Promise.all([...this.inFlight.values()].map((f) => f.done));
  }
}

export class WebhookDispatcher {
  private readonly workers = new Map<string, Worker>();

  constructor(
    private readonly cfg: DispatchConfig,
    private readonly store: DeliveryStore,
    log: Logger,
    version: string,
  ) {
    for (const hook of cfg.webhooks) this.workers.set(hook.name, new Worker(hook, cfg, store, log, `sandboxed-webhooks/${version}`));
  }

  /** Fails what is queued for webhooks no longer configured, then sends what is due. */
  start(): void {
    this.store.failOrphans(this.cfg.webhooks.map((h) => h.name));
    for (const w of this.workers.values()) w.fill();
  }

  /** Deliveries as they stand, newest first. */
  deliveries(q: DeliveryQuery): Delivery[] {
    return this.store.list(q);
  }

  /** New deliveries were queued for these webhooks. */
  wake(webhooks: string[]): void {
    for (const name of webhooks) this.workers.get(name)?.fill();
  }

  /** Attempts in flight are cut short and stay pending (at least once: they are sent again after a restart). */
  async stop(): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
  }
}
