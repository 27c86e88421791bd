/**
 * Snapshots under /v1/sandboxes/:id/snapshots: take, list, get, mark as a
 * template, delete, restore; templates (which outlive their sandbox) under
 * /v1/snapshots; undo an agent task under …/tasks/:taskId/undo.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SNAPSHOT_ID_PATTERN, type Snapshot } from '../domain/snapshot.js';
import { TASK_ID_PATTERN } from '../domain/task.js';
import type { HttpDeps } from './deps.js';
import { presentSandbox } from './present.js';
import { sandboxIdSchema } from './schemas.js';

const snapshotIdSchema = z.string().regex(SNAPSHOT_ID_PATTERN, 'must be a snapshot id (26 lowercase letters and digits)');
const snapParams = z.object({ id: sandboxIdSchema, snap: snapshotIdSchema });
const takeBody = z.strictObject({ name: z.string().max(64).optional(), template: z.boolean().optional() }).nullish();
const patchBody = z.strictObject({ template: z.boolean() });
const undoParams = z.object({ id: sandboxIdSchema, taskId: z.string().regex(TASK_ID_PATTERN, 'must be a task id') });
const undoBody = z.strictObject({ force: z.boolean().optional() }).nullish();

export function presentSnapshot(s: Snapshot) {
  return {
    id: s.id,
    sandbox_id: s.sandboxId,
    name: s.name,
    kind: s.kind,
    template: s.template,
    task_id: s.taskId,
    size_bytes: s.sizeBytes,
    disk_mb: s.diskMb,
    created_at: new Date(s.createdAt).toISOString(),
  };
}

export async function snapshotRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { snapshots, config } = deps;
  const base = '/v1/sandboxes/:id/snapshots';

  app.post(base, { schema: { params: z.object({ id: sandboxIdSchema }), body: takeBody } }, async (req, reply) => {
    const b = req.body ?? {};
    const s = await snapshots.take(req.params.id, { name: b.name, template: b.template });
    return reply.code(201).send(presentSnapshot(s));
  });

  app.get(base, { schema: { params: z.object({ id: sandboxIdSchema }) } }, async (req) => {
    const list = snapshots.list(req.params.id).map(presentSnapshot);
    return { snapshots: list, count: list.length, size_bytes: list.reduce((n, s) => n + s.size_bytes, 0) };
  });

  app.get(`${base}/:snap`, { schema: { params: snapParams } }, async (req) => presentSnapshot(snapshots.get(req.params.id, req.params.snap)));

  app.patch(`${base}/:snap`, { schema: { params: snapParams, body: patchBody } }, async (req) =>
    presentSnapshot(await snapshots.setTemplate(req.params.id, req.params.snap, req.body.template)),
  );

  app.delete(`${base}/:snap`, { schema: { params: snapParams } }, async (req) => {
    await snapshots.remove(req.params.id, req.params.snap);
    return { id: req.params.snap, deleted: true };
  });

  app.post(`${base}/:snap/restore`, { schema: { params: snapParams } }, async (req) => {
    const { sandbox, saved } = await snapshots.restore(req.params.id, req.params.snap);
    return { sandbox: presentSandbox(sandbox, config), restored: req.params.snap, saved_as: presentSnapshot(saved) };
  });

  app.get('/v1/snapshots', async () => {
    const list = snapshots.templates().map(presentSnapshot);
    return { snapshots: list, count: list.length };
  });

  app.post('/v1/sandboxes/:id/tasks/:taskId/undo', { schema: { params: undoParams, body: undoBody } }, async (req) => {
    const { sandbox, saved } = await snapshots.undoTask(req.params.id, req.params.taskId, req.body?.force ?? false, (id) => deps.tasks.list(id));
    return { sandbox: presentSandbox(sandbox, config), task_id: req.params.taskId, saved_as: presentSnapshot(saved) };
  });
}
