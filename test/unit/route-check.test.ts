/** A route that does not describe its answers stops the app from starting, naming the route. */
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { installOpenApi } from '../../src/http/openapi.js';
import { op, replies, websocketUpgrade } from '../../src/http/replies.js';
import { missingResponses, requireResponseSchemas } from '../../src/http/route-check.js';

function app() {
  const a = Fastify();
  a.setValidatorCompiler(validatorCompiler);
  a.setSerializerCompiler(serializerCompiler);
  requireResponseSchemas(a);
  return a;
}

describe('route check', () => {
  it('refuses a route without response schemas, or with only its success', async () => {
    const a = app();
    expect(() => a.get('/v1/thing', async () => ({ ok: true }))).toThrow(/GET \/v1\/thing has no success response/);
    expect(() => a.get('/v1/other', { schema: { response: { 200: z.object({ ok: z.boolean() }) } } }, async () => ({ ok: true }))).toThrow(
      /no response for 403, 421, 500/,
    );
    await a.close();
  });

  it('accepts a route whose replies() list its answers, and the reference page’s own routes', async () => {
    const a = app();
    a.get('/v1/thing', { schema: { response: replies({ 200: z.object({ ok: z.boolean() }) }, 404) } }, async () => ({ ok: true, secret: 'x' }));
    a.get('/docs/static/*', async () => 'asset');
    await a.ready();
    const r = await a.inject({ method: 'GET', url: '/v1/thing' });
    // The schema is also the serializer: what it does not list never leaves.
    expect(r.json()).toEqual({ ok: true });
    await a.close();
  });

  it('names what is missing', () => {
    expect(missingResponses('/x', undefined)).toMatch(/no success/);
    expect(missingResponses('/x', { 101: {}, 403: {}, 421: {}, 500: {} })).toBeNull();
    expect(missingResponses('/docs', undefined)).toBeNull();
  });
});

describe('the document of a WebSocket route', () => {
  it('is a GET answering 101 with the upgrade described, and the errors', async () => {
    const a = app();
    await installOpenApi(a);
    const schema = { ...op('/v1/sandboxes/:id/pty', 'listTerminals', 'terminals', 'A terminal'), response: replies({ 101: websocketUpgrade('Binary frames are the terminal’s bytes.') }, 404) };
    a.get('/v1/sandboxes/:id/pty', { schema }, async () => ({ error: 'not a WebSocket' }));
    await a.ready();
    const get = (a.swagger() as any).paths['/v1/sandboxes/{id}/pty'].get;
    expect(get.operationId).toBe('listTerminals');
    expect(get.responses['101']).toEqual({ description: expect.stringMatching(/^Switching Protocols: .*terminal’s bytes/), headers: expect.any(Object) });
    expect(get.responses['404']).toEqual({ $ref: '#/components/responses/NotFound' });
    await a.close();
  });
});

