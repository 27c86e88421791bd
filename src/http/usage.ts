/** What sandboxes use now (memory, disk): for the dashboard's table and anyone watching a sandbox grow. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SandboxUsage } from '../sandboxes/usage.js';
import type { HttpDeps } from './deps.js';
import { op, replies } from './replies.js';
import { idParams } from './schemas.js';

const bytes = z.number().int().min(0);
const timestamp = z.string().meta({ format: 'date-time' });

const USAGE_EXAMPLE = {
  id: 'demo',
  memory_bytes: 73400320,
  memory_limit_bytes: 1073741824,
  disk_used_bytes: 157286400,
  disk_size_bytes: 5242880000,
  measured_at: '2025-01-01T12:05:00.000Z',
};

export const usageSchema = z
  .object({
    id: z.string(),
    memory_bytes: bytes.nullable().meta({ description: 'Memory in use now, reclaimable page cache left out (as `docker stats`); null while it is not running' }),
    memory_limit_bytes: bytes.meta({ description: 'Its memory_mb in bytes' }),
    disk_used_bytes: bytes.nullable().meta({ description: 'Bytes in use on its workspace disk (as `df`); null without disk quotas (SANDBOXD_DISK_QUOTA=false) or while the disk is not mounted' }),
    disk_size_bytes: bytes.nullable().meta({ description: 'The size of that disk (its disk_mb, less the filesystem’s own overhead)' }),
    measured_at: timestamp.meta({ description: 'When it was sampled: samples are reused for up to 5 s' }),
  })
  .meta({ id: 'SandboxUsage', description: 'What a sandbox uses now', examples: [USAGE_EXAMPLE] });

const usageListSchema = z.object({ sandboxes: z.array(usageSchema), count: z.number().int().min(0) }).meta({ id: 'SandboxUsageList', examples: [{ sandboxes: [USAGE_EXAMPLE], count: 1 }] });

function present(u: SandboxUsage) {
  return {
    id: u.id,
    memory_bytes: u.memoryBytes,
    memory_limit_bytes: u.memoryLimitBytes,
    disk_used_bytes: u.diskUsedBytes,
    disk_size_bytes: u.diskSizeBytes,
    measured_at: new Date(u.measuredAt).toISOString(),
  };
}

export async function usageRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/v1/usage',
    { schema: { ...op('/v1/usage', 'listUsage', 'sandboxes', 'Memory and disk use of every live sandbox', 'Does not count as activity.'), response: replies({ 200: usageListSchema }, 502) } },
    async () => {
      const list = (await deps.usage.all()).map(present);
      return { sandboxes: list, count: list.length };
    },
  );
  app.get(
    '/v1/sandboxes/:id/usage',
    { schema: { ...op('/v1/sandboxes/:id/usage', 'getUsage', 'sandboxes', 'Memory and disk use of one sandbox', 'Does not count as activity.'), params: idParams, response: replies({ 200: usageSchema }, 400, 404, 502) } },
    async (req) => present(await deps.usage.one(req.params.id)),
  );
}
