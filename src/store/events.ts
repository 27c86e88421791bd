/**
 * Rows ↔ domain for lifecycle events, and the webhook deliveries each event
 * is written with (in its transaction: an event is never stored without the
 * deliveries it owes, so a crash loses neither). snake_case stays in here.
 */
import { eventJson, type EventDetails, type EventType, type LifecycleEvent } from '../domain/event.js';
import type { Db } from './db.js';

interface Row {
  id: number;
  type: EventType;
  sandbox_id: string;
  time: number;
  body_json: string;
}

function toEvent(r: Row): LifecycleEvent {
  const body = JSON.parse(r.body_json) as { metadata: Record<string, string>; details: EventDetails };
  return { id: r.id, type: r.type, time: r.time, sandboxId: r.sandbox_id, metadata: body.metadata, details: body.details };
}

export type NewEvent = Omit<LifecycleEvent, 'id'>;

export class EventStore {
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      insert: db.prepare('INSERT INTO events (type, sandbox_id, time, body_json) VALUES (?, ?, ?, ?)'),
      after: db.prepare<[number, number], Row>('SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?'),
      oldest: db.prepare<[], { id: number }>('SELECT id FROM events ORDER BY id LIMIT 1'),
      pending: db.prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE webhook = ? AND status = 'pending'"),
      owe: db.prepare(
        `INSERT INTO webhook_deliveries (webhook, sandbox_id, event_id, event_type, body, status, next_attempt_at, created_at, updated_at, last_error)
         VALUES (@webhook, @sandboxId, @eventId, @type, @body, @status, @now, @now, @now, @error)`,
      ),
      pruneOld: db.prepare('DELETE FROM events WHERE time < ?'),
      pruneCount: db.prepare('DELETE FROM events WHERE id <= (SELECT id FROM events ORDER BY id DESC LIMIT 1 OFFSET ?)'),
    };
  }

  /**
   * Stores the event and a delivery for each webhook in `owedTo`; returns the
   * event with its id. A webhook with `maxPending` deliveries waiting gets this
   * one recorded as failed: a receiver that is down never grows its queue past it.
   */
  append(e: NewEvent, owedTo: readonly string[], maxPending: number): LifecycleEvent {
    return this.db.transaction(() => {
      const id = Number(this.stmts.insert.run(e.type, e.sandboxId, e.time, JSON.stringify({ metadata: e.metadata, details: e.details })).lastInsertRowid);
      const event: LifecycleEvent = { id, ...e };
      const body = JSON.stringify(eventJson(event));
      for (const webhook of owedTo) {
        const full = this.stmts.pending.get(webhook)!.n >= maxPending;
        this.stmts.owe.run({
          webhook,
          sandboxId: e.sandboxId,
          eventId: id,
          type: e.type,
          body,
          status: full ? 'failed' : 'pending',
          now: e.time,
          error: full ? `not queued: ${maxPending} deliveries were already waiting (SANDBOXD_WEBHOOK_MAX_PENDING)` : null,
        });
      }
      return event;
    })();
  }

  /** Events after `afterId`, oldest first. */
  after(afterId: number, limit: number): LifecycleEvent[] {
    return this.stmts.after.all(afterId, limit).map(toEvent);
  }

  /** The oldest id still stored, or null when there is none. */
  oldestId(): number | null {
    return this.stmts.oldest.get()?.id ?? null;
  }

  /** Drops events older than `maxAgeMs` and all but the newest `maxCount`. */
  prune(maxCount: number, maxAgeMs: number, now = Date.now()): number {
    return this.db.transaction(() => this.stmts.pruneOld.run(now - maxAgeMs).changes + this.stmts.pruneCount.run(maxCount).changes)();
  }
}
