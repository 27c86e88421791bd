/**
 * Defects of the earlier implementation (shared/reference/original-pitfalls.md)
 * that no other test pins down directly.
 */
import Docker from 'dockerode';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { sleep, until } from '../helpers/wait.js';

const docker = new Docker();

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon({ env: { SANDBOXD_IDLE_THRESHOLD_SECONDS: '2', SANDBOXD_IDLE_CHECK_INTERVAL_SECONDS: '1' } });
});
afterAll(async () => {
  await d?.dispose();
});

describe('reapers', () => {
  it('a container that vanished never blocks the idle reaper: its row is corrected and the others still stop', async () => {
    const gone = uniqueId('gone');
    const other = uniqueId('other');
    for (const id of [gone, other]) expect((await d.api('POST', '/v1/sandboxes', { id, idle_policy: 'always_on' })).status).toBe(201);
    await docker.getContainer(`s-${gone}`).remove({ force: true });
    // Both become eligible at once; the vanished one comes first in the list.
    for (const id of [gone, other]) await d.api('PATCH', `/v1/sandboxes/${id}`, { idle_policy: 'sleep' });
    await until(async () => (await d.api('GET', `/v1/sandboxes/${other}`)).body.status === 'stopped', 'the other sandbox to stop');
    const row = (await d.api('GET', `/v1/sandboxes/${gone}`)).body;
    expect(row).toMatchObject({ status: 'stopped', container_id: null });
    await d.waitForLog(new RegExp(`"sandboxId":"${gone}".*container already gone`));
    // Corrected once, not retried forever.
    await sleep(3000);
    expect(d.log().split('\n').filter((l) => l.includes(gone) && l.includes('container already gone'))).toHaveLength(1);
  });
});

describe('wake', () => {
  it('a browser navigating away mid-wake leaves no half state: the sandbox ends running and its row says so', async () => {
    const id = uniqueId('navaway');
    const services = [{ name: 'web', command: 'python3 -m http.server 3000' }];
    expect((await d.api('POST', '/v1/sandboxes', { id, ports: [3000], services, idle_policy: 'always_on' })).status).toBe(201);
    await d.api('POST', `/v1/sandboxes/${id}/stop`);
    const wakesBefore = d.log().split('\n').filter((l) => l.includes(id) && l.includes('waking sandbox')).length;
    // The client leaves once the wake has begun (seen in the daemon's log), not after a fixed delay.
    const req = http.get({
      host: '127.0.0.1',
      port: d.edgePort,
      path: '/',
      headers: { host: `s-${id}-3000.preview.localhost:${d.edgePort}`, accept: 'application/json' },
    });
    let answered = false;
    req.on('response', () => (answered = true));
    req.on('error', () => undefined);
    await until(
      async () => d.log().split('\n').filter((l) => l.includes(id) && l.includes('waking sandbox')).length > wakesBefore,
      'the wake to begin',
    );
    req.destroy();
    // It really left mid-wake: no answer had come yet.
    expect(answered).toBe(false);
    await until(async () => (await d.api('GET', `/v1/sandboxes/${id}`)).body.status === 'running', 'the wake to finish');
    const row = (await d.api('GET', `/v1/sandboxes/${id}`)).body;
    expect((await docker.getContainer(row.container_id).inspect()).State.Running).toBe(true);
  });
});
