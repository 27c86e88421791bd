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
import { principalOf } from './ownership.js';
import { pageOf, pageQueryFields, paging } from './pagination.js';
import { presentSandbox } from './present.js';
import { op, replies } from './replies.js';
import { restoredSchema, snapshotDeletedSchema, snapshotListSchema, snapshotSchema, undoneSchema } from './snapshot-responses.js';
import { sandboxIdSchema } from './schemas.js';

const snapshotIdSchema = z.string().regex(SNAPSHOT_ID_PATTERN, 'must be a snapshot id (26 lowercase letters and digits)');
const snapParams = z.object({ id: sandboxIdSchema, snap: snapshotIdSchema });
const takeBody = z.strictObject({ name: z.string().max(64).optional(), template: z.boolean().optional() }).meta({ id: 'TakeSnapshot' }).nullish();
const patchBody = z.strictObject({ template: z.boolean() }).meta({ id: 'UpdateSnapshot' });
const undoParams = z.object({ id: sandboxIdSchema, taskId: z.string().regex(TASK_ID_PATTERN, 'must be a task id') });
const undoBody = z.strictObject({ force: z.boolean().optional() }).meta({ id: 'UndoTask' }).nullish();
const pageQuery = z.object(pageQueryFields);

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

  const sandboxParams = z.object({ id: sandboxIdSchema });
  const take = { ...op(base, 'takeSnapshot', 'snapshots', 'Snapshot the workspace', 'Running or stopped; the filesystem is frozen for the copy.'), params: sandboxParams, body: takeBody, response: replies({ 201: snapshotSchema }, 404, 409, 503) };
  app.post(base, { schema: take }, async (req, reply) => {
    const b = req.body ?? {};
    const s = await snapshots.take(req.params.id, { name: b.name, template: b.template });
    return reply.code(201).send(presentSnapshot(s));
  });

  const listing = { ...op(base, 'listSnapshots', 'snapshots', 'The sandbox’s snapshots, oldest first'), params: sandboxParams, querystring: pageQuery, response: replies({ 200: snapshotListSchema }, 400, 404) };
  app.get(base, { schema: listing }, async (req) => {
    const pages = paging('snapshots', req.query);
    const { snapshots: rows, sizeBytes } = snapshots.page(req.params.id, pages.query);
    const page = pageOf('snapshots', rows, pages);
    return { snapshots: page.items.map(presentSnapshot), count: page.items.length, size_bytes: sizeBytes, next_cursor: page.next_cursor };
  });

  const one = `${base}/:snap`;
  app.get(one, { schema: { ...op(one, 'getSnapshot', 'snapshots', 'One snapshot'), params: snapParams, response: replies({ 200: snapshotSchema }, 400, 404) } }, async (req) =>
    presentSnapshot(snapshots.get(req.params.id, req.params.snap)),
  );

  app.patch(one, { schema: { ...op(one, 'updateSnapshot', 'snapshots', 'Mark or unmark a template'), params: snapParams, body: patchBody, response: replies({ 200: snapshotSchema }, 404) } }, async (req) =>
    presentSnapshot(await snapshots.setTemplate(req.params.id, req.params.snap, req.body.template)),
  );

  app.delete(one, { schema: { ...op(one, 'deleteSnapshot', 'snapshots', 'Delete a snapshot'), params: snapParams, response: replies({ 200: snapshotDeletedSchema }, 400, 404) } }, async (req) => {
    await snapshots.remove(req.params.id, req.params.snap);
    return { id: req.params.snap, deleted: true as const };
  });

  const restore = `${base}/:snap/restore`;
  const restoreOp = op(restore, 'restoreSnapshot', 'snapshots', 'Put the workspace back as the snapshot was', 'The sandbox stops for the swap and starts again if it ran; what it replaced is kept as a pre-restore snapshot.');
  app.post(restore, { schema: { ...restoreOp, params: snapParams, response: replies({ 200: restoredSchema }, 400, 404, 409, 503) } }, async (req) => {
    const { sandbox, saved } = await snapshots.restore(req.params.id, req.params.snap);
    return { sandbox: presentSandbox(sandbox, config), restored: req.params.snap, saved_as: presentSnapshot(saved) };
  });

  const templates = {
    ...op('/v1/snapshots', 'listTemplates', 'snapshots', 'Templates: snapshots new sandboxes may start from', 'A token without admin sees the templates of its own sandboxes.'),
    querystring: pageQuery,
    response: replies({ 200: snapshotListSchema }, 400),
  };
  app.get('/v1/snapshots', { schema: templates }, async (req) => {
    const by = principalOf(req);
    const pages = paging('templates', req.query);
    const page = pageOf('templates', snapshots.templatesPage(by.admin ? null : by.owner, pages.query), pages);
    return { snapshots: page.items.map(presentSnapshot), count: page.items.length, next_cursor: page.next_cursor };
  });

  const undo = '/v1/sandboxes/:id/tasks/:taskId/undo';
  const undoOp = op(undo, 'undoTask', 'tasks', 'Undo an agent task: restore the checkpoint taken before it', 'Refused (409) while it or a later task runs, and after a later task unless force.');
  app.post(undo, { schema: { ...undoOp, params: undoParams, body: undoBody, response: replies({ 200: undoneSchema }, 404, 409, 503) } }, async (req) => {
    const { sandbox, saved } = await snapshots.undoTask(req.params.id, req.params.taskId, req.body?.force ?? false, (id) => deps.tasks.list(id));
    return { sandbox: presentSandbox(sandbox, config), task_id: req.params.taskId, saved_as: presentSnapshot(saved) };
  });
}
