/**
 * Lifecycle events as every layer sees them: their types, their shape on the
 * wire (`GET /v1/events`, webhooks), and the sink the owners of each change
 * emit into. The sink's implementation (the bus: stored, streamed, posted to
 * webhooks) lives in src/events/ and is handed to each emitter by the
 * composition root; emitters know only this interface. A leaf.
 */

export const EVENT_TYPES = [
  'sandbox.created',
  'sandbox.started',
  'sandbox.stopped',
  'sandbox.deleted',
  'sandbox.purged',
  'sandbox.expired',
  'sandbox.failed',
  'task.started',
  'task.succeeded',
  'task.failed',
  'wake.refused',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** What an emitter says beside the type; snake_case, as it goes on the wire. */
export type EventDetails = Record<string, string | number | boolean | null>;

/** One event as stored and sent: `id` is monotonic (never reused, also after pruning). */
export interface LifecycleEvent {
  id: number;
  type: EventType;
  /** Milliseconds since the epoch. */
  time: number;
  sandboxId: string;
  /** The sandbox's metadata when the event happened (an empty object when it has none). */
  metadata: Record<string, string>;
  details: EventDetails;
}

/**
 * Where events go. `emit` never throws and never waits: the change it reports
 * has already happened, and failing to report it must not undo or fail it.
 * Sandbox events are emitted by their owner under the sandbox's lock, so
 * their ids follow the order of the changes.
 */
export interface EventSink {
  emit(sandboxId: string, type: EventType, details?: EventDetails): void;
}

/** A sink that drops everything (components built without events, e.g. in unit tests). */
export const NO_EVENTS: EventSink = { emit: () => undefined };

/**
 * The metadata an event carries: the row's when it happened (tombstones keep
 * theirs, so a delete's event still names the owner); `{}` for an id without
 * a row.
 */
export function metadataOf(sb: { id: string; metadata?: Record<string, string> } | undefined): Record<string, string> {
  return sb?.metadata ?? {};
}

/**
 * A filter on event types: exact types, a family (`sandbox.*`, `task.*`,
 * `wake.*`) or `*`. Anything else is not a filter (null).
 */
export function parseTypeFilter(text: string): string | null {
  const t = text.trim();
  if (t === '*') return t;
  if ((EVENT_TYPES as readonly string[]).includes(t)) return t;
  if (t.endsWith('.*') && EVENT_TYPES.some((e) => e.startsWith(t.slice(0, -1)))) return t;
  return null;
}

/** Whether `type` passes the filters; an empty list passes everything. */
export function matchesTypes(filters: readonly string[], type: EventType): boolean {
  if (filters.length === 0) return true;
  return filters.some((f) => f === '*' || f === type || (f.endsWith('.*') && type.startsWith(f.slice(0, -1))));
}

/** The event on the wire (SSE data and webhook body): `{id, type, time, sandbox_id, metadata, ...details}`. */
export function eventJson(e: LifecycleEvent): Record<string, unknown> {
  return { ...e.details, id: e.id, type: e.type, time: new Date(e.time).toISOString(), sandbox_id: e.sandboxId, metadata: e.metadata };
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One event owed to one webhook, and how its delivery went so far. */
export interface Delivery {
  id: number;
  webhook: string;
  sandboxId: string;
  eventId: number;
  eventType: EventType;
  /** The exact JSON posted (what the signature covers). */
  body: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  createdAt: number;
  updatedAt: number;
  /** The receiver's HTTP status of the last attempt; null when it gave none (refused, timed out). */
  lastStatus: number | null;
  lastError: string | null;
}
