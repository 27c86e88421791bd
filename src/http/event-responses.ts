/**
 * Lifecycle events, webhook deliveries and images on the wire. An event is
 * `{id, type, time, sandbox_id, metadata, ...details}`, the same on the SSE
 * stream and in a webhook's body; its details depend on its type.
 */
import { z } from 'zod';

const timestamp = z.string().meta({ format: 'date-time' });
const common = {
  id: z.number().int().min(1).meta({ description: 'Monotonic; the SSE id, and what Last-Event-ID resumes after' }),
  time: timestamp,
  sandbox_id: z.string(),
  metadata: z.record(z.string(), z.string()).meta({ description: 'The sandbox’s metadata when the event happened' }),
};
const event = (type: string, fields: z.ZodRawShape, id: string, description: string) =>
  z.object({ type: z.literal(type), ...common, ...fields }).meta({ id, description });
const taskFields = { task_id: z.string(), agent: z.string() };

export const lifecycleEventSchema = z
  .discriminatedUnion('type', [
    event('sandbox.created', { image: z.string() }, 'SandboxCreatedEvent', 'Created and running'),
    event(
      'sandbox.started',
      { reason: z.string().meta({ description: 'request (start, wake, exec, task), reconcile (restarted after it died), observed' }) },
      'SandboxStartedEvent',
      'Its container runs again',
    ),
    event('sandbox.stopped', { reason: z.string().meta({ description: 'request, idle, memory pressure: …, observed' }) }, 'SandboxStoppedEvent', 'Stopped; a request wakes it'),
    event('sandbox.deleted', { workspace: z.literal('kept') }, 'SandboxDeletedEvent', 'Deleted; its workspace is kept'),
    event('sandbox.purged', { workspace: z.literal('removed') }, 'SandboxPurgedEvent', 'Deleted with its workspace'),
    z
      .looseObject({ type: z.literal('sandbox.expired'), ...common })
      .meta({ id: 'SandboxExpiredEvent', description: 'Its lifetime ran out; the deletion follows as its own event' }),
    event('sandbox.failed', { error: z.string() }, 'SandboxFailedEvent', 'A start failed, or its container died while it should run'),
    event('task.started', taskFields, 'TaskStartedLifecycleEvent', 'An agent task started'),
    event('task.succeeded', { ...taskFields, status: z.literal('succeeded') }, 'TaskSucceededLifecycleEvent', 'An agent task succeeded'),
    event(
      'task.failed',
      { ...taskFields, status: z.enum(['failed', 'cancelled', 'timed_out']), reason: z.string().nullable() },
      'TaskFailedLifecycleEvent',
      'An agent task failed, was cancelled or timed out',
    ),
    event(
      'wake.refused',
      { port: z.number().int(), reason: z.string(), error: z.string(), retry_after_s: z.number().int() },
      'WakeRefusedEvent',
      'A preview request could not wake it for now (memory, disk); said at most once a minute per sandbox',
    ),
  ])
  .meta({
    id: 'LifecycleEvent',
    description: 'A lifecycle event: the `data` of one SSE message of GET /v1/events (its `id:` is `id`), and a webhook’s body',
    examples: [{ id: 42, type: 'sandbox.stopped', time: '2025-01-01T12:35:00.000Z', sandbox_id: 'demo', metadata: { user: '42' }, reason: 'idle' }],
  });

const gapSchema = z
  .object({ after: z.number().int(), oldest_id: z.number().int() })
  .meta({ id: 'EventGap', description: '`event: gap`: events after `after` were pruned before this stream asked; the replay resumes at `oldest_id`' });

export const eventStream = {
  description: 'Lifecycle events, one SSE message each (`data` a LifecycleEvent, `id:` its id); first an `event: gap` when the replay asked for pruned events',
  content: {
    'text/event-stream': {
      schema: z.union([lifecycleEventSchema, gapSchema]).meta({ id: 'EventStreamMessage' }),
      example: { id: 42, type: 'sandbox.stopped', time: '2025-01-01T12:35:00.000Z', sandbox_id: 'demo', metadata: {}, reason: 'idle' },
    },
  },
};

const DELIVERY_EXAMPLE = {
  id: 7,
  webhook: 'billing',
  event_id: 42,
  event_type: 'sandbox.stopped',
  sandbox_id: 'demo',
  status: 'pending',
  attempts: 2,
  next_attempt_at: '2025-01-01T12:35:04.000Z',
  created_at: '2025-01-01T12:35:00.000Z',
  updated_at: '2025-01-01T12:35:02.000Z',
  last_status: 503,
  last_error: 'answered 503: busy',
};

export const deliverySchema = z
  .object({
    id: z.number().int(),
    webhook: z.string().meta({ description: 'The webhook’s name in SANDBOXD_WEBHOOKS (its URL and secret are never shown)' }),
    event_id: z.number().int(),
    event_type: z.string(),
    sandbox_id: z.string(),
    status: z.enum(['pending', 'delivered', 'failed']).meta({ description: 'failed: given up (retried for SANDBOXD_WEBHOOK_RETRY_SECONDS, or the queue was full)' }),
    attempts: z.number().int(),
    next_attempt_at: timestamp.nullable().meta({ description: 'When a pending one is tried next' }),
    created_at: timestamp,
    updated_at: timestamp,
    last_status: z.number().int().nullable().meta({ description: 'The receiver’s HTTP status at the last attempt; null: none (refused, timed out)' }),
    last_error: z.string().nullable(),
  })
  .meta({ id: 'WebhookDelivery', examples: [DELIVERY_EXAMPLE] });

export const deliveryListSchema = z
  .object({
    deliveries: z.array(deliverySchema),
    count: z.number().int().min(0),
    next_cursor: z.string().nullable().meta({ description: 'Pass as ?cursor= for the next (older) page; null on the last one' }),
  })
  .meta({ id: 'WebhookDeliveryList', description: 'Newest first', examples: [{ deliveries: [DELIVERY_EXAMPLE], count: 1, next_cursor: null }] });

const IMAGE_EXAMPLE = { name: 'default', reference: 'sandboxed/sandbox:latest', default: true, id: 'sha256:5e62550790e3…', sandboxes: 3, outdated: 1 };

export const imageListSchema = z
  .object({
    images: z.array(
      z
        .object({
          name: z.string(),
          reference: z.string(),
          default: z.boolean(),
          id: z.string().nullable().meta({ description: 'The engine’s id of the reference now; null: not on this host (creates with it answer 503)' }),
          sandboxes: z.number().int().meta({ description: 'Live sandboxes with this image' }),
          outdated: z.number().int().meta({ description: 'Of them, those whose container was made from another build than `id` (stop and start one to move it)' }),
        })
        .meta({ id: 'Image' }),
    ),
    count: z.number().int(),
  })
  .meta({ id: 'ImageList', description: 'The images sandboxes may run (SANDBOXD_IMAGES)', examples: [{ images: [IMAGE_EXAMPLE], count: 1 }] });
