/** Declared services and what the in-sandbox supervisor says about them. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readServiceStatuses } from '../sandboxes/services-status.js';
import type { HttpDeps } from './deps.js';
import { op, replies } from './replies.js';
import { servicesSchema as servicesReply } from './responses.js';
import { idParams, servicesSchema } from './schemas.js';

const PATH = '/v1/sandboxes/:id/services';

export async function servicesRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  const get = { ...op(PATH, 'getServices', 'services', 'Declared services and their supervisor status'), params: idParams, response: replies({ 200: servicesReply }, 400, 404) };
  app.get(PATH, { schema: get }, async (req) => {
    const sb = deps.sandboxes.get(req.params.id);
    return { declared: sb.spec.services, services: await readServiceStatuses(deps.files, sb) };
  });

  const put = {
    ...op(PATH, 'setServices', 'services', 'Replace the declared services', 'A running sandbox applies them at once.'),
    params: idParams,
    body: z.strictObject({ services: servicesSchema }).meta({ id: 'SetServices' }),
    response: replies({ 200: servicesReply }, 404, 502, 503),
  };
  app.put(PATH, { schema: put }, async (req) => {
    const sb = await deps.sandboxes.update(req.params.id, { services: req.body.services });
    return { declared: sb.spec.services, services: await readServiceStatuses(deps.files, sb) };
  });
}
