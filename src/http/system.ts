/** Health, readiness and admin routes. */
import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from './deps.js';
import { sendError } from './error-handler.js';

export async function systemRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    try {
      await deps.checkReady();
      return { status: 'ready' };
    } catch (err) {
      return sendError(reply, 503, `not ready: ${(err as Error).message}`);
    }
  });

  app.post('/v1/admin/reconcile', async () => deps.reconciler.reconcileOnce());
}
