/** Declared services and what the in-sandbox supervisor says about them. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readServiceStatuses } from '../sandboxes/services-status.js';
import type { HttpDeps } from './deps.js';
import { idParams, servicesSchema } from './schemas.js';

export async function servicesRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get('/v1/sandboxes/:id/services', { schema: { params: idParams } }, async (req) => {
    const sb = deps.sandboxes.get(req.params.id);
    return { declared: sb.spec.services, services: await readServiceStatuses(deps.files, sb) };
  });

  app.put(
    '/v1/sandboxes/:id/services',
    { schema: { params: idParams, body: z.strictObject({ services: servicesSchema }) } },
    async (req) => {
      const sb = await deps.sandboxes.update(req.params.id, { services: req.body.services });
      return { declared: sb.spec.services, services: await readServiceStatuses(deps.files, sb) };
    },
  );
}
