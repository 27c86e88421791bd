/** Health, readiness, this API's description, and admin routes. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DomainError } from '../errors.js';
import type { HttpDeps } from './deps.js';
import { sendError } from './error-handler.js';
import { metricsRoutes } from './metrics.js';
import { op, openReplies, replies } from './replies.js';
import { healthSchema, readySchema, reconcileSchema } from './responses.js';

const documentSchema = z.looseObject({ openapi: z.string() }).meta({ id: 'OpenApiDocument', description: 'This document (OpenAPI 3.1)' });

export async function systemRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get('/healthz', { schema: { ...op('/healthz', 'getHealth', 'system', 'Liveness: the process answers'), response: openReplies({ 200: healthSchema }) } }, async () => ({
    status: 'ok' as const,
  }));

  app.get(
    '/readyz',
    {
      schema: {
        ...op('/readyz', 'getReadiness', 'system', 'Readiness: SQLite and Docker answer, disks and network isolation are in place'),
        response: openReplies({ 200: readySchema }, 503),
      },
    },
    async (_req, reply) => {
      try {
        await deps.checkReady();
        return { status: 'ready' as const };
      } catch (err) {
        // Network isolation not in place answers with a Retry-After: the next probe re-checks (and re-applies).
        const retryAfterS = err instanceof DomainError ? err.retryAfterS : undefined;
        return sendError(reply, 503, `not ready: ${(err as Error).message}`, retryAfterS);
      }
    },
  );

  app.get(
    '/openapi.json',
    { schema: { ...op('/openapi.json', 'getOpenApiDocument', 'system', 'This document', 'Browsable at /docs.'), response: openReplies({ 200: documentSchema }) } },
    async () => fastify.swagger() as z.infer<typeof documentSchema>,
  );

  app.post(
    '/v1/admin/reconcile',
    { schema: { ...op('/v1/admin/reconcile', 'reconcile', 'admin', 'Converge Docker to SQLite now'), response: replies({ 200: reconcileSchema }, 502, 503) } },
    async () => deps.reconciler.reconcileOnce(),
  );

  await fastify.register(metricsRoutes);
}
