/**
 * Rows ↔ domain for webhook deliveries: the queue per webhook and sandbox
 * (its head is the oldest pending delivery; only heads are sent, so order
 * holds per sandbox), attempt outcomes, the listing and pruning. Rows are
 * written with their event (./events.ts). snake_case stays in here.
 */
import type { Delivery, DeliveryStatus, EventType } from '../domain/event.js';
import type { Db } from './db.js';

interface Row {
  id: number;
  webhook: string;
  sandbox_id: string;
  event_id: number;
  event_type: EventType;
  body: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number;
  created_at: number;
  updated_at: number;
  last_status: number | null;
  last_error: string | null;
}

function toDelivery(r: Row): Delivery {
  return {
    id: r.id,
    webhook: r.webhook,
    sandboxId: r.sandbox_id,
    eventId: r.event_id,
    eventType: r.event_type,
    body: r.body,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lastStatus: r.last_status,
    lastError: r.last_error,
  };
}

/** The heads of a webhook's queues: per sandbox, its oldest pending delivery. */
const HEADS = "SELECT MIN(id) AS id FROM webhook_deliveries WHERE webhook = ? AND status = 'pending' GROUP BY sandbox_id";

export interface DeliveryQuery {
  webhook?: string;
  status?: DeliveryStatus;
  sandboxId?: string;
  /** Only deliveries with a smaller id (the previous page's cursor). */
  before?: number;
  limit: number;
}

export interface Outcome {
  status: number | null;
  error: string | null;
  now: number;
}

export class DeliveryStore {
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      due: db.prepare<[string, number, number], Row>(
        `SELECT d.* FROM webhook_deliveries d JOIN (${HEADS}) h ON d.id = h.id WHERE d.next_attempt_at <= ? ORDER BY d.next_attempt_at, d.id LIMIT ?`,
      ),
      nextDue: db.prepare<[string, string], { at: number | null }>(
        `SELECT MIN(d.next_attempt_at) AS at FROM webhook_deliveries d JOIN (${HEADS}) h ON d.id = h.id WHERE d.id NOT IN (SELECT value FROM json_each(?))`,
      ),
      delivered: db.prepare(
        "UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, last_status = ?, last_error = NULL, updated_at = ? WHERE id = ? AND status = 'pending'",
      ),
      retry: db.prepare(
        "UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = ?, last_status = ?, last_error = ?, updated_at = ? WHERE id = ? AND status = 'pending'",
      ),
      giveUp: db.prepare(
        "UPDATE webhook_deliveries SET status = 'failed', attempts = attempts + 1, last_status = ?, last_error = ?, updated_at = ? WHERE id = ? AND status = 'pending'",
      ),
      orphans: db.prepare(`UPDATE webhook_deliveries SET status = 'failed', last_error = ?, updated_at = ? WHERE status = 'pending' AND webhook NOT IN (SELECT value FROM json_each(?))`),
      pruneOld: db.prepare("DELETE FROM webhook_deliveries WHERE status <> 'pending' AND updated_at < ?"),
      pruneCount: db.prepare(
        "DELETE FROM webhook_deliveries WHERE status <> 'pending' AND id <= (SELECT id FROM webhook_deliveries WHERE status <> 'pending' ORDER BY id DESC LIMIT 1 OFFSET ?)",
      ),
    };
  }

  /** Heads due by `now`, soonest first. */
  due(webhook: string, now: number, limit: number): Delivery[] {
    return this.stmts.due.all(webhook, now, limit).map(toDelivery);
  }

  /** When the webhook's next head (other than those being sent) is due; null when none is pending. */
  nextDueAt(webhook: string, sending: readonly number[]): number | null {
    return this.stmts.nextDue.get(webhook, JSON.stringify(sending))?.at ?? null;
  }

  delivered(id: number, o: Outcome): void {
    this.stmts.delivered.run(o.status, o.now, id);
  }

  retry(id: number, at: number, o: Outcome): void {
    this.stmts.retry.run(at, o.status, o.error, o.now, id);
  }

  giveUp(id: number, o: Outcome): void {
    this.stmts.giveUp.run(o.status, o.error, o.now, id);
  }

  /** Pending deliveries of webhooks no longer configured are failed (nobody will send them). */
  failOrphans(configured: readonly string[], now = Date.now()): number {
    return this.stmts.orphans.run('the webhook is no longer in SANDBOXD_WEBHOOKS', now, JSON.stringify(configured)).changes;
  }

  /** Newest first. */
  list(q: DeliveryQuery): Delivery[] {
    const filters: [string, string | number | undefined][] = [
      ['webhook = ?', q.webhook],
      ['status = ?', q.status],
      ['sandbox_id = ?', q.sandboxId],
      ['id < ?', q.before],
    ];
    const set = filters.filter(([, v]) => v !== undefined) as [string, string | number][];
    const where = set.map(([clause]) => clause);
    const args = set.map(([, v]) => v);
    const sql = `SELECT * FROM webhook_deliveries ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return this.db.prepare<(string | number)[], Row>(sql).all(...args, q.limit).map(toDelivery);
  }

  /** Drops finished deliveries older than `maxAgeMs` and all but the newest `maxCount`; pending ones stay. */
  prune(maxCount: number, maxAgeMs: number, now = Date.now()): number {
    return this.db.transaction(() => this.stmts.pruneOld.run(now - maxAgeMs).changes + this.stmts.pruneCount.run(maxCount).changes)();
  }
}
