/**
 * The event bus: the one EventSink behind every emitter. An event is stored
 * first (SQLite, with the webhook deliveries it owes, in one transaction:
 * that gives it its monotonic id and makes it replayable and deliverable
 * across restarts), then handed to the live streams and the webhook
 * dispatcher. Nothing here waits on a client or a receiver.
 */
import type { Logger } from 'pino';
import type { WebhookConfig } from '../config.js';
import { matchesTypes, metadataOf, type EventDetails, type EventSink, type EventType, type LifecycleEvent } from '../domain/event.js';
import type { EventStore } from '../store/events.js';
import { eventMetrics } from '../telemetry/event-metrics.js';
import { noteStoreError } from '../telemetry/metrics.js';
import { Subscription } from './subscription.js';

export interface BusDeps {
  store: EventStore;
  /** The sandbox's row (tombstones too), for the metadata every event carries. */
  lookup: (sandboxId: string) => { id: string; metadata?: Record<string, string> } | undefined;
  webhooks: readonly Pick<WebhookConfig, 'name' | 'events'>[];
  /** SANDBOXD_WEBHOOK_MAX_PENDING. */
  maxPending: number;
  log: Logger;
  now?: () => number;
}

export class EventBus implements EventSink {
  private readonly subscriptions = new Set<Subscription>();
  private readonly listeners: ((webhooks: string[]) => void)[] = [];
  private readonly now: () => number;

  constructor(private readonly deps: BusDeps) {
    this.now = deps.now ?? Date.now;
  }

  emit(sandboxId: string, type: EventType, details: EventDetails = {}): void {
    let event: LifecycleEvent;
    const owed = this.deps.webhooks.filter((h) => matchesTypes(h.events, type)).map((h) => h.name);
    try {
      const metadata = metadataOf(this.deps.lookup(sandboxId));
      event = this.deps.store.append({ type, sandboxId, time: this.now(), metadata, details }, owed, this.deps.maxPending);
    } catch (err) {
      // The change happened; only its report is lost. Said loudly, never thrown at the owner.
      noteStoreError(err);
      this.deps.log.error({ err, sandboxId, type }, 'event could not be stored');
      return;
    }
    eventMetrics.events.inc({ type });
    for (const s of this.subscriptions) s.offer(event);
    if (owed.length > 0) for (const listen of this.listeners) listen(owed);
  }

  /** Called with the webhooks an event was queued for, after it is stored (the dispatcher's wake). */
  onQueued(listen: (webhooks: string[]) => void): void {
    this.listeners.push(listen);
  }

  /** A live listener taking the events `wants` accepts; it ends when dropped (then `onDrop` is called) or ended. */
  subscribe(capacity: number, wants: (e: LifecycleEvent) => boolean, onDrop: () => void): Subscription {
    const s = new Subscription(capacity, wants, (ended) => {
      this.subscriptions.delete(ended);
      eventMetrics.streams.set(this.subscriptions.size);
      if (ended.dropped) {
        eventMetrics.streamsDropped.inc();
        this.deps.log.warn({ capacity }, 'event stream dropped: its client fell too far behind');
        onDrop();
      }
    });
    this.subscriptions.add(s);
    eventMetrics.streams.set(this.subscriptions.size);
    return s;
  }

  /** Open live listeners. */
  get listening(): number {
    return this.subscriptions.size;
  }

  /** Stored events after `afterId`, oldest first (a replay). */
  after(afterId: number, limit: number): LifecycleEvent[] {
    return this.deps.store.after(afterId, limit);
  }

  oldestId(): number | null {
    return this.deps.store.oldestId();
  }

  /** Ends every live listener (the daemon is stopping). */
  endAll(): void {
    for (const s of [...this.subscriptions]) s.end();
  }
}
