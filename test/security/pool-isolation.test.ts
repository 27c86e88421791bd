/**
 * Attack: get at another tenant's state through the warm pool. A tenant that
 * claimed a pooled container leaves files in HOME and /tmp, a process and
 * its env behind, then deletes its sandbox; the next tenant served from the
 * pool must find none of it, nor share a container with anyone. A pooled
 * container is never handed out twice: each serves one sandbox for life.
 */
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { poolMetrics, poolReady } from '../helpers/pool.js';

const docker = new Docker({ socketPath: process.env.DOCKER_SOCKET || '/var/run/docker.sock' });

describe('warm pool: no state crosses from one tenant to the next', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startTestDaemon({ env: { SANDBOXD_POOL_SIZE: '2', SANDBOXD_POOL_CHECK_INTERVAL_SECONDS: '1' } });
    await poolReady(d, 2);
  });
  afterAll(async () => {
    await d?.dispose();
  });

  const sh = async (id: string, script: string) => (await d.api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['bash', '-c', script] })).body;

  it('a claimed container, its files, processes and env go with its sandbox', async () => {
    const secret = `tenant-a-${uniqueId()}`;
    const a = uniqueId('tenanta');
    const neighbour = uniqueId('neighbour');
    expect((await d.api('POST', '/v1/sandboxes', { id: a, env: { SECRET: secret } })).status).toBe(201);
    expect((await d.api('POST', '/v1/sandboxes', { id: neighbour })).status).toBe(201);
    expect((await poolMetrics(d)).claims.hit).toBe(2);
    const containerA = (await d.api('GET', `/v1/sandboxes/${a}`)).body.container_id as string;
    expect((await sh(a, 'echo "$SECRET" > ~/left.txt; echo "$SECRET" > /tmp/left.txt; (setsid sleep 1000 >/dev/null 2>&1 &); echo ok')).stdout).toBe('ok\n');
    expect((await d.api('POST', `/v1/sandboxes/${a}/purge`)).status).toBe(200);
    await expect(docker.getContainer(containerA).inspect()).rejects.toThrow();

    await poolReady(d, 2);
    const b = uniqueId('tenantb');
    expect((await d.api('POST', '/v1/sandboxes', { id: b })).status).toBe(201);
    expect((await poolMetrics(d)).claims.hit).toBe(3);
    const containerB = (await d.api('GET', `/v1/sandboxes/${b}`)).body.container_id as string;
    expect(containerB).not.toBe(containerA);
    const seen = await sh(b, 'ls -A ~ /tmp; pgrep -a sleep || true; env');
    expect(seen.exit_code).toBe(0);
    expect(seen.stdout).not.toContain('left.txt');
    expect(seen.stdout).not.toContain('sleep 1000');
    expect(seen.stdout).not.toContain(secret);
    expect(JSON.stringify(await docker.getContainer(containerB).inspect())).not.toContain(secret);

    // Every running container serves at most one sandbox; the neighbour and the daemon are untouched.
    const ids = (await d.api('GET', '/v1/sandboxes')).body.sandboxes.map((s: { container_id: string }) => s.container_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect((await sh(neighbour, 'echo fine')).stdout).toBe('fine\n');
    expect((await d.api('GET', '/healthz')).status).toBe(200);
    expect(d.log()).not.toContain(secret);
  });
});
