/** Preview tokens for private sandboxes: issue one, or revoke them all by rotating. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MAX_TTL_S, MIN_TTL_S } from '../edge/tokens.js';
import type { HttpDeps } from './deps.js';
import { idParams, portSchema } from './schemas.js';

const issueBody = z
  .strictObject({
    port: portSchema.optional(),
    ttl_s: z.number().int().min(MIN_TTL_S).max(MAX_TTL_S).optional(),
  })
  .nullish();

export async function previewRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post('/v1/sandboxes/:id/preview-token', { schema: { params: idParams, body: issueBody } }, async (req) => {
    const b = req.body ?? {};
    const t = deps.previews.issue(req.params.id, { port: b.port, ttlS: b.ttl_s });
    return { token: t.token, expires_at: new Date(t.expiresAt).toISOString(), url: t.url, port: t.port };
  });

  app.post('/v1/sandboxes/:id/preview-token/rotate', { schema: { params: idParams } }, async (req) => {
    const { epoch } = deps.previews.rotate(req.params.id);
    return { id: req.params.id, rotated: true, epoch };
  });
}
