/** The images sandboxes may run (SANDBOXD_IMAGES): each name's reference and build, and the sandboxes on an older one. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { DEFAULT_IMAGE } from '../config.js';
import type { HttpDeps } from './deps.js';
import { imageListSchema } from './event-responses.js';
import { op, replies } from './replies.js';

export async function imageRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const schema = { ...op('/v1/images', 'listImages', 'images', 'The images sandboxes may run, and which sandboxes run an old build'), response: replies({ 200: imageListSchema }, 502) };
  app.get('/v1/images', { schema }, async () => {
    const live = deps.sandboxes.list();
    const list = (await deps.images.list()).map((img) => {
      const mine = live.filter((sb) => (sb.image ?? DEFAULT_IMAGE) === img.name);
      const outdated = mine.filter((sb) => sb.imageId && sb.imageId !== img.id).length;
      return { name: img.name, reference: img.reference, default: img.name === DEFAULT_IMAGE, id: img.id, sandboxes: mine.length, outdated };
    });
    return { images: list, count: list.length };
  });
}
