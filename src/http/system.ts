/** Health, readiness and admin routes. */
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../errors.js';
import type { HttpDeps } from './deps.js';
import { sendError } from './error-handler.js';

export async function systemRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    try {
      await deps.checkReady();
      return { status: 'ready' };
    } catch (err) {
      // Network isolation not in place answers with a Retry-After: the next probe re-checks (and re-applies).
      const retryAfterS = err instanceof DomainError ? err.retryAfterS : undefined;
      return sendError(reply, 503, `not ready: ${(err as Error).message}`, retryAfterS);
    }
  });

  app.post('/v1/admin/reconcile', async () => deps.reconciler.reconcileOnce());
}
