/**
 * The OpenAPI 3.1 document, generated from the routes' own zod schemas by
 * @fastify/swagger and fastify-type-provider-zod: GET /openapi.json, and a
 * browsable reference at /docs (@fastify/swagger-ui). Both are open like
 * /healthz: they describe the open-source code, hold nothing of this
 * installation, and a browser cannot send a bearer token on navigation.
 *
 * Each route declares `operationId`, `tags` and `summary`, and a response for
 * every status it answers (`replies()` in ./replies.ts); this module turns
 * those into response objects with descriptions, examples and headers, and
 * keeps in the components only the schemas the paths use.
 */
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { createJsonSchemaTransform } from 'fastify-type-provider-zod';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { transformObject } from './openapi-document.js';
import { BODY_ERRORS, DOC_PATHS, errorExample, isContentForm, STATUS_TEXT, TAGS, type ContentForm } from './replies.js';

type Json = Record<string, unknown>;
type TransformInput = Parameters<ReturnType<typeof createJsonSchemaTransform>>[0];
/** What the zod transform gives back: a route schema with JSON Schema where zod was. */
interface RouteSchema {
  body?: Json;
  response?: Record<string, Json>;
  [key: string]: unknown;
}

const zodTransform = createJsonSchemaTransform({ skipList: [] }) as (input: TransformInput) => { schema: RouteSchema; url: string };
const ERROR_REF = { $ref: '#/components/schemas/Error' };
/** The browser guard (415) and the body parser (400 malformed JSON, 413 over the limit) answer these on any route a body may come with. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const INFO = `The control-plane API of sandboxed: isolated Docker sandboxes, coding agents, live previews.

Auth: \`Authorization: Bearer <secret>\` when the daemon has \`SANDBOXD_API_TOKENS\` (without tokens it only listens on loopback and needs none). Open without a token: \`/healthz\`, \`/readyz\`, \`/openapi.json\`, \`/docs\`, the dashboard's pages (\`/ui\`) and its sign-in (\`/v1/session\`, which exchanges a token for an HttpOnly session cookie; the cookie then counts like the token, for state-changing requests only from the API's own origin).

Every error is \`{"error": "..."}\` with a 4xx/5xx status. Every response carries \`x-request-id\`: the request's own \`x-request-id\` when it is 1–128 characters of \`A–Z a–z 0–9 . _ : -\`, else a new one; the daemon's log lines for the request carry it as \`reqId\`.

Browsers are refused unless invited: a foreign \`Origin\` or a cross-site request gets 403, a foreign \`Host\` 421, a form or text body 415.

The original paths (\`/sandbox\`, \`/sandboxes\`, \`/sandbox/{id}/…\`, tag \`legacy\`) take and answer the same as their \`/v1/sandboxes\` twins.`;

export function packageVersion(): string {
  // src/http/ and dist/http/ both sit two levels below the package root.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** One content form's schemas (zod or plain JSON Schema) to JSON Schema, as the zod transform would convert them. */
function convertContent(input: TransformInput, form: ContentForm, io: 'body' | 'response'): Json {
  const content: Json = {};
  for (const [type, media] of Object.entries(form.content ?? {})) {
    let schema: unknown = media.schema;
    if (media.schema instanceof z.ZodType) {
      const probe = io === 'body' ? { body: media.schema } : { response: { 200: media.schema } };
      const out = zodTransform({ ...input, schema: probe }).schema;
      schema = io === 'body' ? out.body : out.response?.[200];
    }
    content[type] = { ...(media.example !== undefined ? { example: media.example } : {}), schema };
  }
  return content;
}

function describe(status: string, schema: unknown, form: ContentForm | null): string {
  if (form?.description) return form.description;
  if (Number(status) >= 400) return STATUS_TEXT[status] ?? 'Error';
  const meta = schema instanceof z.ZodType ? z.globalRegistry.get(schema) : undefined;
  return meta?.description ?? STATUS_TEXT[status] ?? 'Answer';
}

function headersFor(status: string): Json {
  const headers: Json = { 'x-request-id': { type: 'string', description: 'This request’s id; the daemon’s log lines for it carry it as reqId' } };
  if (status === '503') headers['retry-after'] = { type: 'string', description: 'Seconds to wait before trying again' };
  if (status === '401') headers['www-authenticate'] = { type: 'string', description: '`Bearer`' };
  return headers;
}

/**
 * The route's responses as OpenAPI response objects; content forms (SSE, bytes) converted here, JSON by the zod transform.
 * A response without content (101) says `type: 'null'`, which is how fastify-swagger is told to add none.
 */
export function transform(input: TransformInput): { schema: RouteSchema; url: string } {
  const schema = input.schema as { response?: Record<string, unknown>; body?: unknown } | undefined;
  if (!schema || DOC_PATHS.some((p) => input.url === p || input.url.startsWith(`${p}/`))) return { schema: { hide: true }, url: input.url };
  const { response = {}, body, ...rest } = schema;
  const json: Json = {};
  for (const [status, r] of Object.entries(response)) if (!isContentForm(r)) json[status] = r;
  const bodyForm = isContentForm(body) ? body : null;
  const out = zodTransform({ ...input, schema: { ...rest, ...(bodyForm ? {} : { body }), response: json } });
  const converted = out.schema.response ?? {};
  const responses: Record<string, Json> = {};
  for (const [status, r] of Object.entries(response)) {
    const form = isContentForm(r) ? r : null;
    const content = form ? convertContent(input, form, 'response') : { 'application/json': { schema: converted[status], ...errorExample(status) } };
    responses[status] = { description: describe(status, r, form), headers: headersFor(status), ...(Object.keys(content).length > 0 ? { content } : { type: 'null' }) };
  }
  const methods = [input.route.method].flat();
  if (methods.some((m) => BODY_METHODS.has(m))) {
    for (const status of BODY_ERRORS.map(String)) {
      responses[status] ??= { description: STATUS_TEXT[status], headers: headersFor(status), content: { 'application/json': { schema: ERROR_REF, ...errorExample(status) } } };
    }
  }
  out.schema.response = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
  if (bodyForm) out.schema.body = { content: convertContent(input, bodyForm, 'body') };
  // A body that may be left out (`.nullish()`): fastify-swagger marks every body required.
  if (body instanceof z.ZodType && body.safeParse(undefined).success) {
    out.schema['x-body-optional'] = true;
    // `{...} | null` says "may be left out" here; the body's own schema is what a client sends.
    const anyOf = out.schema.body?.anyOf as Json[] | undefined;
    const sent = anyOf?.filter((s) => s.type !== 'null');
    if (anyOf && sent?.length === 1) out.schema.body = sent[0];
  }
  return out;
}

export async function installOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'sandboxed API', version: packageVersion(), description: INFO, license: { name: 'MIT', identifier: 'MIT' } },
      tags: TAGS,
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'A secret of SANDBOXD_API_TOKENS' } } },
      security: [{ bearerAuth: [] }],
    },
    transform,
    transformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true, uiConfig: { deepLinking: true, defaultModelsExpandDepth: 0 } });
}
