/**
 * No pointless hold: a request for a port that nothing is on its way up on is
 * answered with what to do instead of being held for the wake timeout, which
 * this daemon sets to an hour — so every answer below arrives only because the
 * edge did not hold it. A request whose declared service is still coming up is
 * held and gets the app.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { request, type Reply } from '../security/edge-helpers.js';

let d: TestDaemon;

/** The edge's answer for a preview host, by the security tests' own client. */
function preview(id: string, port: number, headers: Record<string, string> = {}): Promise<Reply> {
  return request(d.edgePort, `s-${id}-${port}.preview.localhost`, { headers });
}

async function create(id: string, services: { name: string; command: string; port?: number }[]): Promise<void> {
  const r = await d.api('POST', '/v1/sandboxes', { id, ports: [3000, 3001, 3002], services });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
}

beforeAll(async () => {
  d = await startTestDaemon({ env: { SANDBOXD_WAKE_TIMEOUT_SECONDS: '3600' } });
});

afterAll(async () => {
  await d?.dispose();
});

describe('a running sandbox', () => {
  const id = uniqueId('nohold');

  beforeAll(async () => {
    await create(id, [
      { name: 'web', command: 'python3 -m http.server 3000', port: 3000 },
      { name: 'local', command: 'python3 -m http.server 3002 --bind 127.0.0.1', port: 3002 },
    ]);
    // The declared app answers: the sandbox is up and the edge proxies it.
    expect((await preview(id, 3000)).status).toBe(200);
  });

  it('a port with no listener and no service is answered with what to do and the port state', async () => {
    const r = await preview(id, 3001);
    expect(r.status).toBe(502);
    expect(r.headers['x-sandboxed-edge']).toBe('no-app');
    expect(r.json).toMatchObject({ port: 3001, port_state: 'closed' });
    expect(r.json.error).toMatch(/nothing listens on port 3001 .* no service is declared for it/);
    expect(r.json.hint).toMatch(/declare one .*"port":3001.*0\.0\.0\.0:3001/);
    expect(r.json.services).toEqual(
      expect.arrayContaining([
        { name: 'web', port: 3000, state: 'running' },
        { name: 'local', port: 3002, state: 'running' },
      ]),
    );
    // The page load that follows (the warming page's reload) says the same once, and does not reload itself.
    const page = await preview(id, 3001, { accept: 'text/html' });
    expect(page.status).toBe(502);
    expect(page.text).toContain('No app answers on port 3001');
    expect(page.text).not.toMatch(/refresh|location\.reload/);
  });

  it('an app listening on localhost only is reported as such', async () => {
    const r = await preview(id, 3002);
    expect(r.status).toBe(502);
    expect(r.json).toMatchObject({ port: 3002, port_state: 'loopback-only' });
    expect(r.json.hint).toMatch(/0\.0\.0\.0:3002/);
  });

  it('a declared service still on its way up is waited for, and the request gets the app', async () => {
    const slow = uniqueId('slow');
    await create(slow, [{ name: 'web', command: 'sleep 6 && exec python3 -m http.server 3000', port: 3000 }]);
    const r = await preview(slow, 3000);
    expect(r.status).toBe(200);
    expect(r.text).toContain('Directory listing');
  });
});

describe('a stopped sandbox', () => {
  it('is started by the request, then answered with the hint when nothing is declared for the port', async () => {
    const id = uniqueId('nohold-stopped');
    await create(id, [{ name: 'web', command: 'python3 -m http.server 3000', port: 3000 }]);
    expect((await d.api('POST', `/v1/sandboxes/${id}/stop`)).status).toBe(200);
    const r = await preview(id, 3001);
    expect(r.status).toBe(502);
    expect(r.json).toMatchObject({ port: 3001, port_state: 'closed' });
    expect((await d.api('GET', `/v1/sandboxes/${id}`)).body.status).toBe('running');
  });
});
