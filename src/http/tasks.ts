/**
 * Agent tasks under /v1/sandboxes/:id/tasks (and the original /sandbox/:id/tasks).
 * One task runs per sandbox at a time: a second start is a 409 naming the
 * running one. Events stream as SSE from the store, so they replay for a
 * stopped sandbox and across daemon restarts.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AGENTS, TASK_ID_PATTERN, type Task } from '../domain/task.js';
import type { HttpDeps } from './deps.js';
import { principalOf } from './ownership.js';
import { pageOf, pageQueryFields, paging } from './pagination.js';
import { op, replies } from './replies.js';
import { envSchema, sandboxIdSchema } from './schemas.js';
import { SseStreams, sseCursor } from './sse.js';
import { taskEventSchema, taskListSchema, taskSchema } from './task-responses.js';

const BASES = ['/v1/sandboxes/:id/tasks', '/sandbox/:id/tasks'];

const taskIdSchema = z.string().regex(TASK_ID_PATTERN, 'must be a task id (26 lowercase letters and digits)');
const taskParams = z.object({ id: sandboxIdSchema, taskId: taskIdSchema });
const createBody = z.strictObject({
  prompt: z.string().min(1).refine((s) => !s.includes('\0'), 'must not contain NUL'),
  agent: z.enum(AGENTS),
  model: z.string().min(1).max(256).regex(/^[^\s\0]+$/, 'must not contain spaces').optional(),
  base_url: z.url({ protocol: /^https?$/ }).max(2048).optional(),
  env: envSchema.optional(),
  timeout_s: z.number().int().min(1).optional(),
  continue_from: taskIdSchema.optional(),
  checkpoint: z.boolean().optional(),
  key_in_sandbox: z.boolean().optional(),
  max_tokens_total: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  max_cost_usd: z.number().positive().max(1e9).optional(),
}).meta({ id: 'CreateTask' });
const eventsQuery = z.object({ after: z.coerce.number().int().min(0).optional().meta({ description: 'Replay the events after this seq' }) });
// Other headers pass through untouched: this only documents (and checks) the one the route reads.
const eventsHeaders = z.looseObject({
  'last-event-id': z.string().optional().meta({ description: 'The last seq seen; what a reconnecting EventSource sends. Wins over ?after=' }),
});

const EVENTS = `Server-Sent Events: each message is \`id: <seq>\` and \`data: <TaskEvent as JSON>\`; a \`: heartbeat\` comment comes every 15 s.
Replays the stored events after Last-Event-ID or ?after=, then follows live, and ends after task.completed or task.failed.
Events are stored as they happen, so a stream of an ended task (or of a stopped sandbox) replays the whole run.`;

const eventStream = {
  description: 'The task\'s events, one SSE message each',
  content: { 'text/event-stream': { schema: taskEventSchema } },
};

export function eventsUrl(t: Pick<Task, 'id' | 'sandboxId'>): string {
  return `/v1/sandboxes/${t.sandboxId}/tasks/${t.id}/events`;
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function presentTask(t: Task) {
  return {
    id: t.id,
    sandbox_id: t.sandboxId,
    agent: t.agent,
    model: t.model,
    base_url: t.baseUrl,
    status: t.status,
    prompt: t.prompt,
    result: t.result,
    error: t.error,
    session_id: t.sessionId,
    continue_from: t.continueFrom,
    checkpoint_id: t.checkpointId,
    env_names: t.envNames,
    timeout_s: t.timeoutS,
    key_in_sandbox: t.usageSource === 'agent',
    max_tokens_total: t.maxTokensTotal,
    max_cost_usd: t.maxCostUsd,
    // What the gateway has counted so far (live while the task runs); result.usage once it ended.
    usage: t.usageSource === 'gateway' ? t.gatewayUsage : null,
    created_at: new Date(t.createdAt).toISOString(),
    started_at: iso(t.startedAt),
    ended_at: iso(t.endedAt),
    events_url: eventsUrl(t),
  };
}

export async function taskRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { tasks } = deps;
  const streams = new SseStreams();
  app.addHook('preClose', async () => streams.closeAll());

  for (const base of BASES) {
    const start = {
      ...op(base, 'createTask', 'tasks', 'Start a coding agent', 'One task runs per sandbox at a time (409 names the running one). Keys go in env: never stored, never logged.'),
      params: z.object({ id: sandboxIdSchema }),
      body: createBody,
      response: replies({ 202: taskSchema }, 404, 409, 429, 502, 503),
    };
    app.post(base, { schema: start }, async (req, reply) => {
      const b = req.body;
      const task = await tasks.create(req.params.id, {
        prompt: b.prompt,
        agent: b.agent,
        model: b.model,
        baseUrl: b.base_url,
        env: b.env,
        timeoutS: b.timeout_s,
        continueFrom: b.continue_from,
        checkpoint: b.checkpoint,
        by: principalOf(req),
        keyInSandbox: b.key_in_sandbox,
        maxTokensTotal: b.max_tokens_total,
        maxCostUsd: b.max_cost_usd,
        apiToken: req.tokenName,
      });
      return reply.code(202).send(presentTask(task));
    });

    const listing = {
      ...op(base, 'listTasks', 'tasks', 'The sandbox’s tasks, oldest first'),
      params: z.object({ id: sandboxIdSchema }),
      querystring: z.object(pageQueryFields),
      response: replies({ 200: taskListSchema }, 400, 404),
    };
    app.get(base, { schema: listing }, async (req) => {
      const pages = paging('tasks', req.query);
      const page = pageOf('tasks', tasks.page(req.params.id, pages.query), pages);
      return { tasks: page.items.map(presentTask), count: page.items.length, next_cursor: page.next_cursor };
    });

    const get = { ...op(base, 'getTask', 'tasks', 'One task and its result'), params: taskParams, response: replies({ 200: taskSchema }, 400, 404) };
    app.get(`${base}/:taskId`, { schema: get }, async (req) => presentTask(tasks.get(req.params.id, req.params.taskId)));

    const cancel = { ...op(base, 'cancelTask', 'tasks', 'Stop the agent; answers once the task has ended'), params: taskParams, response: replies({ 200: taskSchema }, 404, 502) };
    app.post(`${base}/:taskId/cancel`, { schema: cancel }, async (req) => presentTask(await tasks.cancel(req.params.id, req.params.taskId)));

    const events = {
      ...op(base, 'streamTaskEvents', 'tasks', 'The task’s events (SSE)', EVENTS),
      params: taskParams,
      querystring: eventsQuery,
      headers: eventsHeaders,
      response: replies({ 200: eventStream }, 400, 404),
    };
    app.get(`${base}/:taskId/events`, { sse: 'only', schema: events }, async (req, reply) => {
      const task = tasks.get(req.params.id, req.params.taskId);
      const after = sseCursor(req, req.query.after);
      await streams.serve(reply, {
        read: (cursor) => {
          const page = tasks.readEvents(task.id, cursor);
          return { items: page.events.map((e) => ({ id: e.seq, data: e })), ended: page.ended };
        },
        changed: (signal) => tasks.waitForEvents(task.id, signal),
      }, after);
    });
  }
}
