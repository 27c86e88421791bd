/** Auth with real tokens, and readiness that tells the truth about its dependencies. */
import { afterAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';

const daemons: TestDaemon[] = [];
afterAll(async () => {
  await Promise.all(daemons.map((d) => d.dispose()));
});

describe('auth', () => {
  // A base64 secret with padding: the original parsed this to an empty token.
  const secret = 'c2VjcmV0LXdpdGgtcGFkZGluZw==';

  it('requires the bearer token everywhere but healthz/readyz, and logs the name only', async () => {
    const d = await startTestDaemon({ env: { SANDBOXD_API_TOKENS: `backend:${secret},ops:other:with:colons` } });
    daemons.push(d);
    expect((await d.api('GET', '/healthz')).status).toBe(200);
    expect((await d.api('GET', '/readyz')).status).toBe(200);
    const none = await d.api('GET', '/v1/sandboxes');
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ error: 'missing or invalid bearer token' });
    expect((await d.api('GET', '/v1/sandboxes', undefined, { authorization: 'Bearer ' })).status).toBe(401);
    expect((await d.api('GET', '/v1/sandboxes', undefined, { authorization: `Bearer ${secret}x` })).status).toBe(401);
    expect((await d.api('GET', '/v1/sandboxes', undefined, { authorization: `Bearer ${secret.slice(0, -2)}` })).status).toBe(401);
    expect((await d.api('POST', '/v1/admin/reconcile')).status).toBe(401);
    expect((await d.api('GET', '/v1/sandboxes', undefined, { authorization: `Bearer ${secret}` })).status).toBe(200);
    expect((await d.api('GET', '/v1/sandboxes', undefined, { authorization: 'Bearer other:with:colons' })).status).toBe(200);
    await d.waitForLog('"tokenName":"backend"');
    expect(d.log()).not.toContain(secret);
  });

  it('leaves the API description open, keeps metrics behind the token, and opens nothing else under /docs', async () => {
    const d = await startTestDaemon({ env: { SANDBOXD_API_TOKENS: `backend:${secret}` } });
    daemons.push(d);
    expect((await d.api('GET', '/openapi.json')).body.openapi).toBe('3.1.0');
    const page = await fetch(`${d.url}/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger-ui');
    expect((await fetch(`${d.url}/docs/json`)).status).toBe(200);
    expect((await d.api('GET', '/metrics')).status).toBe(401);
    expect((await d.api('GET', '/metrics', undefined, { authorization: `Bearer ${secret}` })).status).toBe(200);
    // Openness follows the matched route, never the raw URL.
    for (const sneaky of ['/docs/../v1/sandboxes', '/docs/%2e%2e/v1/sandboxes', '/docs/..%2fv1%2fsandboxes', '/openapi.json/../v1/sandboxes']) {
      const r = await d.api('GET', sneaky);
      expect(r.status, sneaky).not.toBe(200);
      expect(JSON.stringify(r.body), sneaky).not.toContain('"sandboxes"');
    }
  });

  it.each([
    ['an empty secret', { SANDBOXD_API_TOKENS: 'backend:' }],
    ['an empty name', { SANDBOXD_API_TOKENS: ':secret' }],
    ['a typo in the boolean', { SANDBOXD_API_AUTH_DISABLED: 'flase', SANDBOXD_API_TOKENS: 'a:b' }],
    ['auth on without tokens', { SANDBOXD_API_AUTH_DISABLED: 'false' }],
  ])('refuses to start with %s', async (_name, env) => {
    await expect(startTestDaemon({ env })).rejects.toThrow(/invalid configuration: SANDBOXD_API_/);
  });
});

describe('readyz', () => {
  it('is 503 with the reason while Docker does not answer, and the daemon keeps serving', async () => {
    const d = await startTestDaemon({ env: { DOCKER_SOCKET: '/nonexistent/docker.sock' } });
    daemons.push(d);
    expect((await d.api('GET', '/healthz')).status).toBe(200);
    const r = await d.api('GET', '/readyz');
    expect(r.status).toBe(503);
    expect(r.body.error).toMatch(/docker/);
    const c = await d.api('POST', '/v1/sandboxes', {});
    expect(c.status).toBe(502);
    expect(c.body.error).toMatch(/docker/);
    expect((await d.api('GET', '/healthz')).status).toBe(200);
  });
});
