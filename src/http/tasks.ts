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
import { envSchema, sandboxIdSchema } from './schemas.js';
import { SseStreams, sseCursor } from './sse.js';

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
});
const eventsQuery = z.object({ after: z.coerce.number().int().min(0).optional() });

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
    created_at: iso(t.createdAt),
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
    app.post(base, { schema: { params: z.object({ id: sandboxIdSchema }), body: createBody } }, async (req, reply) => {
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
        keyInSandbox: b.key_in_sandbox,
        maxTokensTotal: b.max_tokens_total,
        maxCostUsd: b.max_cost_usd,
        apiToken: req.tokenName,
      });
      return reply.code(202).send(presentTask(task));
    });

    app.get(base, { schema: { params: z.object({ id: sandboxIdSchema }) } }, async (req) => {
      const list = tasks.list(req.params.id).map(presentTask);
      return { tasks: list, count: list.length };
    });

    app.get(`${base}/:taskId`, { schema: { params: taskParams } }, async (req) => presentTask(tasks.get(req.params.id, req.params.taskId)));

    app.post(`${base}/:taskId/cancel`, { schema: { params: taskParams } }, async (req) =>
      presentTask(await tasks.cancel(req.params.id, req.params.taskId)),
    );

    app.get(`${base}/:taskId/events`, { sse: 'only', schema: { params: taskParams, querystring: eventsQuery } }, async (req, reply) => {
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
