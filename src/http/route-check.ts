/**
 * Every route describes every answer: a route registered without a response
 * schema for its success and for the errors any route may give stops the
 * daemon at start, naming the route. The schemas are the OpenAPI document and
 * the serializer (src/http/responses.ts).
 */
import type { FastifyInstance } from 'fastify';
import { DOC_PATHS } from './replies.js';

const ALWAYS = ['403', '421', '500'];

export function missingResponses(url: string, response: unknown): string | null {
  if (DOC_PATHS.some((p) => url === p || url.startsWith(`${p}/`))) return null;
  const statuses = Object.keys(response ?? {});
  if (!statuses.some((s) => /^[12]\d\d$/.test(s))) return 'no success response (1xx or 2xx)';
  const absent = ALWAYS.filter((s) => !statuses.includes(s));
  return absent.length > 0 ? `no response for ${absent.join(', ')} (use replies())` : null;
}

export function requireResponseSchemas(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const missing = missingResponses(route.url, route.schema?.response);
    if (missing) throw new Error(`route ${String(route.method)} ${route.url} has ${missing}: every route declares its responses (src/http/replies.ts)`);
  });
}
