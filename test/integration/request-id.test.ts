/**
 * Request ids: every answer carries x-request-id (the client's own when it is
 * usable, a fresh one otherwise; junk is never echoed), and every log line the
 * daemon writes for the request (Fastify's and the services') carries it as reqId.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
});
afterAll(async () => {
  await d?.dispose();
});

const logLines = (): any[] =>
  d
    .log()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));

describe('x-request-id', () => {
  it('is the client’s own when usable, and tags every log line of the request, the services’ too', async () => {
    const reqId = `create-${uniqueId()}`;
    const id = uniqueId('rid');
    const r = await d.api('POST', '/v1/sandboxes', { id }, { 'x-request-id': reqId });
    expect(r.status).toBe(201);
    expect(r.headers.get('x-request-id')).toBe(reqId);
    await d.waitForLog(`"reqId":"${reqId}","res"`);
    const mine = logLines().filter((l) => l.reqId === reqId);
    const messages = mine.map((l) => l.msg);
    expect(messages).toEqual(expect.arrayContaining(['incoming request', 'creating sandbox', 'container created and started', 'request completed']));
    // The lifecycle service logged these with its own logger: the id came with the request's async context.
    expect(mine.filter((l) => l.component === 'sandboxes').length).toBeGreaterThanOrEqual(2);
    // And a line of another request never carries it.
    const other = `exec-${uniqueId()}`;
    expect((await d.api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['true'] }, { 'x-request-id': other })).status).toBe(200);
    await d.waitForLog(`"reqId":"${other}","res"`);
    const execLine = logLines().find((l) => l.msg === 'exec finished' && l.sandboxId === id);
    expect(execLine.reqId).toBe(other);
    expect(logLines().filter((l) => l.msg === 'exec finished' && l.reqId === reqId)).toEqual([]);
  });

  it.each([
    ['too long', 'a'.repeat(129)],
    ['spaces', 'a b'],
    ['markup', '<script>alert(1)</script>'],
    ['a log-looking value', '","level":60,"msg":"forged'],
    ['empty', ''],
  ])('replaces a client id with %s by a fresh one', async (_what, given) => {
    const r = await d.api('GET', '/healthz', undefined, { 'x-request-id': given });
    expect(r.headers.get('x-request-id')).toMatch(UUID);
    expect(d.log()).not.toContain(given || '"reqId":""');
  });

  it('is generated, distinct, when the client sends none, and carried by refusals and errors too', async () => {
    const a = (await d.api('GET', '/healthz')).headers.get('x-request-id');
    const b = (await d.api('GET', '/healthz')).headers.get('x-request-id');
    expect(a).toMatch(UUID);
    expect(b).toMatch(UUID);
    expect(a).not.toBe(b);
    const refusals = [
      await d.api('GET', '/v1/sandboxes', undefined, { origin: 'https://evil.example' }),
      await d.api('POST', '/v1/sandboxes', 'x', { 'content-type': 'text/plain' }),
      await d.api('GET', '/v1/nothing-here'),
      await d.api('POST', '/v1/sandboxes', { ports: 'x' }),
    ];
    expect(refusals.map((r) => r.status)).toEqual([403, 415, 404, 400]);
    for (const r of refusals) expect(r.headers.get('x-request-id')).toMatch(UUID);
    expect((await d.api('GET', '/healthz', undefined, { 'x-request-id': 'Abc.1_2:3-4' })).headers.get('x-request-id')).toBe('Abc.1_2:3-4');
  });
});
