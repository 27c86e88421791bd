/**
 * The ownership check covers every route with a sandbox id because a route
 * with an `:id` anywhere but under /v1/sandboxes/:id or /sandbox/:id cannot
 * be registered: the app does not start, naming the route.
 */
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { HttpDeps } from '../../src/http/deps.js';
import { installOwnership } from '../../src/http/ownership.js';

/** Registration needs only the config: the lookups run per request, and none is made here. */
const deps = { config: loadConfig({ SANDBOXD_API_TOKENS: 'a;max_sandboxes=1:s' }) } as Pick<HttpDeps, 'config' | 'sandboxes' | 'snapshots'>;

describe('routes with a sandbox id', () => {
  it.each(['/v1/sandboxes/:id', '/v1/sandboxes/:id/files', '/sandbox/:id', '/sandbox/:id/tasks/:taskId', '/v1/sandboxes', '/v1/snapshots', '/v1/things/:thingId'])(
    'may be registered: %s',
    async (url) => {
      const app = Fastify();
      installOwnership(app, deps);
      app.get(url, async () => ({}));
      await app.ready();
      await app.close();
    },
  );

  it.each(['/v1/things/:id', '/v1/snapshots/:id', '/v2/sandboxes/:id', '/v1/sandboxes/x/:id/files'])('may not be registered elsewhere: %s', async (url) => {
    const app = Fastify();
    installOwnership(app, deps);
    expect(() => app.get(url, async () => ({}))).toThrowError(`route ${url}: an :id outside /v1/sandboxes/:id would escape the ownership check (src/http/ownership.ts)`);
    await app.close();
  });
});
