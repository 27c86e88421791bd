/** Preview tokens for private sandboxes: issue one, or revoke them all by rotating. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MAX_TTL_S, MIN_TTL_S } from '../edge/tokens.js';
import type { HttpDeps } from './deps.js';
import { op, replies } from './replies.js';
import { previewRotatedSchema, previewTokenSchema } from './responses.js';
import { idParams, portSchema } from './schemas.js';

const issueBody = z
  .strictObject({
    port: portSchema.optional().meta({ description: 'A declared port; default: the first' }),
    ttl_s: z.number().int().min(MIN_TTL_S).max(MAX_TTL_S).optional(),
  })
  .meta({ id: 'CreatePreviewToken' })
  .nullish();

const ISSUE = 'Pass it once as ?token= (the edge sets a cookie for that one preview host and redirects) or as the X-Sandboxed-Preview-Token header.';

export async function previewRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  const issue = { ...op('/v1/sandboxes/:id/preview-token', 'createPreviewToken', 'previews', 'Issue a token for a private preview', ISSUE), params: idParams, body: issueBody, response: replies({ 200: previewTokenSchema }, 404) };
  app.post('/v1/sandboxes/:id/preview-token', { schema: issue }, async (req) => {
    const b = req.body ?? {};
    const t = deps.previews.issue(req.params.id, { port: b.port, ttlS: b.ttl_s });
    return { token: t.token, expires_at: new Date(t.expiresAt).toISOString(), url: t.url, port: t.port };
  });

  const rotate = { ...op('/v1/sandboxes/:id/preview-token/rotate', 'rotatePreviewTokens', 'previews', 'Revoke every token issued so far'), params: idParams, response: replies({ 200: previewRotatedSchema }, 404) };
  app.post('/v1/sandboxes/:id/preview-token/rotate', { schema: rotate }, async (req) => {
    const { epoch } = deps.previews.rotate(req.params.id);
    return { id: req.params.id, rotated: true as const, epoch };
  });
}
