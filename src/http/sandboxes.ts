/** Sandbox resource routes, under the original paths and under /v1/sandboxes. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { InvalidError, NotFoundError } from '../errors.js';
import type { HttpDeps } from './deps.js';
import { ownerLabels, principalOf, snapshotVisible } from './ownership.js';
import { pageOf, paging } from './pagination.js';
import { presentSandbox } from './present.js';
import { op, replies } from './replies.js';
import { sandboxDeletedSchema, sandboxListSchema, sandboxPurgedSchema, sandboxSchema } from './responses.js';
import { LIST_DESCRIPTION, listFilters, listQuery } from './sandbox-filters.js';
import { createSandboxBody, idParams, updateSandboxBody } from './schemas.js';

export async function sandboxRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { sandboxes, config } = deps;
  const present = (sb: Parameters<typeof presentSandbox>[0]) => presentSandbox(sb, config);
  const sandbox = replies({ 200: sandboxSchema }, 400, 404, 502, 503);

  for (const path of ['/sandbox', '/v1/sandboxes']) {
    const schema = {
      ...op(path, 'createSandbox', 'sandboxes', 'Create a sandbox and start it', 'Every field is optional; without an id a lowercase ULID is generated.'),
      body: createSandboxBody.nullish(),
      response: replies({ 201: sandboxSchema }, 404, 409, 429, 502, 503),
    };
    app.post(path, { schema }, async (req, reply) => {
      const b = req.body ?? {};
      const by = principalOf(req);
      const fork = b.from_snapshot ? deps.snapshots.forkSource(b.from_snapshot) : null;
      if (fork && !snapshotVisible(deps, by, fork.snapshot.id)) throw new NotFoundError(`from_snapshot: snapshot ${fork.snapshot.id} not found`);
      if (fork && b.disk_mb !== undefined && b.disk_mb < fork.snapshot.diskMb) {
        throw new InvalidError(`disk_mb: at least ${fork.snapshot.diskMb}, the disk of snapshot ${fork.snapshot.id}`);
      }
      const sb = await sandboxes.create({
        id: b.id,
        ports: b.ports,
        env: b.env,
        memoryMb: b.memory_mb,
        diskMb: b.disk_mb ?? (fork ? Math.max(fork.snapshot.diskMb, config.defaultDiskMb) : undefined),
        seedImage: fork?.image,
        cpus: b.cpus,
        idlePolicy: b.idle_policy,
        visibility: b.visibility,
        services: b.services,
        image: b.image,
        metadata: b.metadata,
        ttlS: b.ttl_s,
        idleDeleteS: b.auto_delete_after_idle_s,
        purgeOnExpiry: b.purge_on_expiry,
        by,
        runtime: b.runtime,
        egress: b.egress,
      });
      return reply.code(201).send(present(sb));
    });
  }

  for (const path of ['/sandboxes', '/v1/sandboxes']) {
    const schema = { ...op(path, 'listSandboxes', 'sandboxes', 'List the live sandboxes', LIST_DESCRIPTION), querystring: listQuery, response: replies({ 200: sandboxListSchema }, 400) };
    app.get(path, { schema }, async (req) => {
      const { status, labels } = listFilters(req.query);
      const pages = paging('sandboxes', req.query);
      const rows = sandboxes.find({ status, labels: [...labels, ...ownerLabels(principalOf(req))], ...pages.query });
      const page = pageOf('sandboxes', rows, pages);
      return { sandboxes: page.items.map(present), count: page.items.length, next_cursor: page.next_cursor };
    });
  }

  for (const base of ['/sandbox/:id', '/v1/sandboxes/:id']) {
    app.get(base, { schema: { ...op(base, 'getSandbox', 'sandboxes', 'One sandbox'), params: idParams, response: replies({ 200: sandboxSchema }, 400, 404) } }, async (req) =>
      present(sandboxes.get(req.params.id)),
    );

    const patch = {
      ...op(base, 'updateSandbox', 'sandboxes', 'Change idle policy, visibility, services, metadata or lifetimes', 'metadata is merged: a key set to null is removed. ttl_s still counts from create.'),
      params: idParams,
      body: updateSandboxBody,
      response: replies({ 200: sandboxSchema }, 404, 502, 503),
    };
    app.patch(base, { schema: patch }, async (req) => {
      const b = req.body;
      const lifetimes = { ttlS: b.ttl_s, idleDeleteS: b.auto_delete_after_idle_s, purgeOnExpiry: b.purge_on_expiry };
      return present(
        await sandboxes.update(req.params.id, {
          idlePolicy: b.idle_policy,
          visibility: b.visibility,
          services: b.services,
          metadata: b.metadata,
          egress: b.egress,
          ...lifetimes,
        }),
      );
    });

    const del = { ...op(base, 'deleteSandbox', 'sandboxes', 'Remove the container, keep the workspace'), params: idParams, response: replies({ 200: sandboxDeletedSchema }, 400, 404, 502) };
    app.delete(base, { schema: del }, async (req) => {
      await sandboxes.destroy(req.params.id);
      return { id: req.params.id, status: 'destroyed' as const, workspace: 'kept' as const };
    });

    const purge = { ...op(base, 'purgeSandbox', 'sandboxes', 'Remove the container and the workspace (also of a deleted sandbox)'), params: idParams, response: replies({ 200: sandboxPurgedSchema }, 400, 404, 502) };
    app.post(`${base}/purge`, { schema: purge }, async (req) => {
      await sandboxes.purge(req.params.id);
      // Its snapshots go with it; templates stay (a boot sweep catches a crash in between).
      await deps.snapshots.purgeFor(req.params.id);
      return { id: req.params.id, status: 'purged' as const, workspace: 'removed' as const };
    });

    const keepalive = { ...op(base, 'keepaliveSandbox', 'sandboxes', 'Postpone the idle stop'), params: idParams, response: replies({ 200: sandboxSchema }, 400, 404) };
    app.post(`${base}/keepalive`, { schema: keepalive }, async (req) => present(sandboxes.keepalive(req.params.id)));
    app.post(`${base}/stop`, { schema: { ...op(base, 'stopSandbox', 'sandboxes', 'Stop (idempotent); a preview request wakes it'), params: idParams, response: sandbox } }, async (req) =>
      present(await sandboxes.stop(req.params.id)),
    );
    app.post(`${base}/start`, { schema: { ...op(base, 'startSandbox', 'sandboxes', 'Start (idempotent)'), params: idParams, response: sandbox } }, async (req) =>
      present(await sandboxes.start(req.params.id)),
    );
  }
}
