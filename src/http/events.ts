/**
 * Lifecycle events: GET /v1/events (SSE: a replay from the store after
 * Last-Event-ID or ?since=, then live) and the webhook deliveries.
 *
 * A stream takes live events from its own bounded queue (src/events/
 * subscription.ts): a client that reads slower than events come is dropped
 * (its connection closed) and reconnects with Last-Event-ID; the replay is
 * read from the store page by page as the client takes it. Streams are capped
 * (SANDBOXD_EVENTS_MAX_CLIENTS, then 429). A token that is not an admin gets
 * only the events of its own sandboxes (their metadata names it as owner, as
 * every event carries it); the deliveries are the operator's (403).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { eventJson, matchesTypes, parseTypeFilter, type Delivery, type LifecycleEvent } from '../domain/event.js';
import { mayAct } from '../domain/principal.js';
import { sandboxIdSchema } from './schemas.js';
import { InvalidError, TooManyError } from '../errors.js';
import type { Subscription } from '../events/subscription.js';
import type { HttpDeps } from './deps.js';
import { deliveryListSchema, eventStream } from './event-responses.js';
import { principalOf } from './ownership.js';
import { op, replies } from './replies.js';
import { sseCursor, type SseMessage } from './sse.js';

/** Events read from the store at a time: what a stream holds while its client reads (or does not). */
const REPLAY_PAGE = 100;

const eventsQuery = z.object({
  since: z.coerce.number().int().min(0).optional().meta({ description: 'Replay the stored events after this id (0: all kept), then follow. Without it (and without Last-Event-ID) only new events come.' }),
  types: z.string().max(1024).optional().meta({ description: 'Comma-separated types or families: sandbox.created,task.*' }),
  sandbox_id: sandboxIdSchema.optional().meta({ description: 'Only this sandbox’s events' }),
  follow: z.enum(['1', 'true', '0', 'false']).optional().meta({ description: 'false: end after the replay (default: follow live). A catch-up without a long-lived connection' }),
});
const eventsHeaders = z.looseObject({
  'last-event-id': z.string().optional().meta({ description: 'The last id seen; what a reconnecting EventSource sends. Wins over ?since=' }),
});
const deliveriesQuery = z.object({
  webhook: z.string().max(64).optional(),
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
  sandbox_id: sandboxIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().regex(/^[0-9]{1,15}$/, 'must be a cursor from a previous page').optional(),
});

const EVENTS = `Server-Sent Events: each message is \`id: <id>\` and \`data: <LifecycleEvent as JSON>\`; a \`: heartbeat\` comment comes every 15 s.
Without a cursor only new events come; with Last-Event-ID or ?since= the stored ones after it are replayed first (with ?follow=false, only those: the stream ends after them; a cursor defaults to 0 then) (the store keeps SANDBOXD_EVENTS_MAX_COUNT events for at most SANDBOXD_EVENTS_MAX_AGE_SECONDS; older ones are announced by an \`event: gap\` message).
A client more than SANDBOXD_EVENTS_CLIENT_BUFFER events behind is disconnected: reconnect with Last-Event-ID. At most SANDBOXD_EVENTS_MAX_CLIENTS streams (429).
A token that is not an admin gets only the events of the sandboxes it owns, on at most SANDBOXD_EVENTS_MAX_CLIENTS_PER_TOKEN streams.`;

function typeFilters(text: string | undefined): string[] {
  const list = (text ?? '').split(',').map((t) => t.trim()).filter((t) => t !== '');
  for (const t of list) if (parseTypeFilter(t) === null) throw new InvalidError(`querystring.types: "${t.slice(0, 64)}" is not an event type or a family like sandbox.*`);
  return list;
}

function message(e: LifecycleEvent): SseMessage {
  return { id: String(e.id), data: eventJson(e) };
}

function presentDelivery(d: Delivery) {
  return {
    id: d.id,
    webhook: d.webhook,
    event_id: d.eventId,
    event_type: d.eventType,
    sandbox_id: d.sandboxId,
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: d.status === 'pending' ? new Date(d.nextAttemptAt).toISOString() : null,
    created_at: new Date(d.createdAt).toISOString(),
    updated_at: new Date(d.updatedAt).toISOString(),
    last_status: d.lastStatus,
    last_error: d.lastError,
  };
}

export async function eventRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { events, config } = deps;
  /** Streams open now, following (with their subscription) or not: each holds a page and a socket, so all count against the cap. */
  const open = new Map<FastifyReply, Subscription | null>();
  /** Streams held by each token that is not an admin (SANDBOXD_EVENTS_MAX_CLIENTS_PER_TOKEN). */
  const perTenant = new Map<string, number>();
  let closing = false;
  // Ends every stream at close; one waiting on its client is cut (it would hold the close up).
  app.addHook('preClose', async () => {
    closing = true;
    for (const [reply, sub] of open) {
      sub?.end();
      if (reply.raw.writableNeedDrain) reply.raw.destroy();
    }
  });

  /** The replay (read from the store as the client takes it), then the live events not already sent. */
  async function* stream(sub: Subscription | null, after: number | null, wants: (e: LifecycleEvent) => boolean): AsyncGenerator<SseMessage> {
    let last = after ?? 0;
    if (after !== null) {
      const oldest = events.oldestId();
      if (oldest !== null && after < oldest - 1) yield { event: 'gap', data: { after, oldest_id: oldest } };
      for (;;) {
        const page = events.after(last, REPLAY_PAGE);
        for (const e of page) {
          last = e.id;
          if (wants(e)) yield message(e);
        }
        if (page.length < REPLAY_PAGE || sub?.closed || closing) break;
      }
    }
    if (sub === null) return;
    for (;;) {
      const batch = await sub.take();
      if (batch === null) return;
      for (const e of batch) if (e.id > last) yield message(e);
    }
  }

  const schema = {
    ...op('/v1/events', 'streamEvents', 'events', 'Lifecycle events of every sandbox (SSE)', EVENTS),
    querystring: eventsQuery,
    headers: eventsHeaders,
    response: replies({ 200: eventStream }, 400, 429),
  };
  app.get('/v1/events', { sse: 'only', schema }, async (req, reply) => {
    const types = typeFilters(req.query.types);
    const sandboxId = req.query.sandbox_id;
    const follow = req.query.follow !== '0' && req.query.follow !== 'false';
    const hasCursor = req.query.since !== undefined || req.headers['last-event-id'] !== undefined;
    const after = hasCursor ? sseCursor(req, req.query.since) : follow ? null : 0;
    const who = principalOf(req);
    const wants = (e: LifecycleEvent): boolean => mayAct(who, e.metadata) && (sandboxId === undefined || e.sandboxId === sandboxId) && matchesTypes(types, e.type);
    if (open.size >= config.eventsMaxClients) {
      throw new TooManyError(`${open.size} event streams are open, the most SANDBOXD_EVENTS_MAX_CLIENTS allows; close one first`);
    }
    const tenant = who.admin ? null : who.owner;
    const held = tenant === null ? 0 : (perTenant.get(tenant) ?? 0);
    if (tenant !== null && held >= config.eventsMaxClientsPerToken) {
      throw new TooManyError(`token "${tenant}" has ${held} event streams open, the most SANDBOXD_EVENTS_MAX_CLIENTS_PER_TOKEN allows; close one first`);
    }
    open.set(reply, null);
    if (tenant !== null) perTenant.set(tenant, held + 1);
    const closed = new Promise<void>((resolve) => reply.raw.once('close', resolve));
    void closed.then(() => {
      open.get(reply)?.end();
      open.delete(reply);
      if (tenant !== null) perTenant.set(tenant, perTenant.get(tenant)! - 1);
    });
    if (!follow) {
      reply.header('cache-control', 'no-cache, no-transform');
      await Promise.race([reply.sse.send(stream(null, after, wants)), closed]);
      return;
    }
    // Subscribed before the replay is read: nothing emitted in between is missed (ids sort out the overlap).
    const sub = events.subscribe(config.eventsClientBuffer, wants, () => reply.raw.destroy());
    open.set(reply, sub);
    reply.header('content-type', 'text/event-stream; charset=utf-8').header('cache-control', 'no-cache, no-transform');
    reply.sse.sendHeaders();
    reply.raw.write(': stream open\n\n');
    // A dropped client's socket is destroyed while a write may wait for it to drain: do not wait for that write.
    await Promise.race([reply.sse.send(stream(sub, after, wants)), closed]);
  });

  const listing = {
    ...op('/v1/webhooks/deliveries', 'listWebhookDeliveries', 'events', 'Webhook deliveries, newest first', 'Pending, delivered and given-up deliveries of SANDBOXD_WEBHOOKS, bounded like the events. For admin tokens.'),
    querystring: deliveriesQuery,
    response: replies({ 200: deliveryListSchema }, 400),
  };
  app.get('/v1/webhooks/deliveries', { schema: listing }, async (req) => {
    const q = req.query;
    const page = deps.webhooks.deliveries({ webhook: q.webhook, status: q.status, sandboxId: q.sandbox_id, before: q.cursor === undefined ? undefined : Number(q.cursor), limit: q.limit });
    const next = page.length === q.limit ? String(page[page.length - 1].id) : null;
    return { deliveries: page.map(presentDelivery), count: page.length, next_cursor: next };
  });

}
