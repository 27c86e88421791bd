/** Sandbox resource routes, under the original paths and under /v1/sandboxes. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { InvalidError } from '../errors.js';
import type { HttpDeps } from './deps.js';
import { presentSandbox } from './present.js';
import { createSandboxBody, idParams, updateSandboxBody } from './schemas.js';

export async function sandboxRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { sandboxes, config } = deps;
  const present = (sb: Parameters<typeof presentSandbox>[0]) => presentSandbox(sb, config);

  for (const path of ['/sandbox', '/v1/sandboxes']) {
    app.post(path, { schema: { body: createSandboxBody.nullish() } }, async (req, reply) => {
      const b = req.body ?? {};
      const fork = b.from_snapshot ? deps.snapshots.forkSource(b.from_snapshot) : null;
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
        egress: b.egress,
      });
      return reply.code(201).send(present(sb));
    });
  }

  for (const path of ['/sandboxes', '/v1/sandboxes']) {
    app.get(path, async () => {
      const list = sandboxes.list().map(present);
      return { sandboxes: list, count: list.length };
    });
  }

  for (const base of ['/sandbox/:id', '/v1/sandboxes/:id']) {
    app.get(base, { schema: { params: idParams } }, async (req) => present(sandboxes.get(req.params.id)));

    app.patch(base, { schema: { params: idParams, body: updateSandboxBody } }, async (req) => {
      const b = req.body;
      return present(
        await sandboxes.update(req.params.id, { idlePolicy: b.idle_policy, visibility: b.visibility, services: b.services, egress: b.egress }),
      );
    });

    app.delete(base, { schema: { params: idParams } }, async (req) => {
      await sandboxes.destroy(req.params.id);
      return { id: req.params.id, status: 'destroyed', workspace: 'kept' };
    });

    app.post(`${base}/purge`, { schema: { params: idParams } }, async (req) => {
      await sandboxes.purge(req.params.id);
      // Its snapshots go with it; templates stay (a boot sweep catches a crash in between).
      await deps.snapshots.purgeFor(req.params.id);
      return { id: req.params.id, status: 'purged', workspace: 'removed' };
    });

    app.post(`${base}/keepalive`, { schema: { params: idParams } }, async (req) => present(sandboxes.keepalive(req.params.id)));
    app.post(`${base}/stop`, { schema: { params: idParams } }, async (req) => present(await sandboxes.stop(req.params.id)));
    app.post(`${base}/start`, { schema: { params: idParams } }, async (req) => present(await sandboxes.start(req.params.id)));
  }
}
