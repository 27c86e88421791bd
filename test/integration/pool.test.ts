/**
 * The warm pool against real Docker: hits and misses, refills, a claimed
 * sandbox that no user could tell from a cold one, env values kept out of
 * `docker inspect`, dead pool containers replaced, and the pool off.
 */
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { previewStatus } from '../helpers/probes.js';
import { poolMetrics, poolReady, pooledContainers } from '../helpers/pool.js';
import { until } from '../helpers/wait.js';

const docker = new Docker({ socketPath: process.env.DOCKER_SOCKET || '/var/run/docker.sock' });

async function sh(d: TestDaemon, id: string, script: string): Promise<string> {
  const r = await d.api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['bash', '-c', script] });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body.exit_code, r.body.stderr).toBe(0);
  return r.body.stdout as string;
}

describe('warm pool', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startTestDaemon({ env: { SANDBOXD_POOL_SIZE: '2', SANDBOXD_POOL_CHECK_INTERVAL_SECONDS: '1' } });
    await poolReady(d, 2);
  });
  afterAll(async () => {
    await d?.dispose();
  });

  it('serves creates from the pool, refills it, and starts cold when it cannot serve', async () => {
    expect((await pooledContainers(d)).length).toBe(2);
    const before = await poolMetrics(d);
    const ids = [uniqueId('hit'), uniqueId('hit')];
    for (const id of ids) expect((await d.api('POST', '/v1/sandboxes', { id, ports: [3000] })).status).toBe(201);
    expect((await poolMetrics(d)).claims.hit).toBe((before.claims.hit ?? 0) + 2);
    for (const id of ids) expect((await sh(d, id, 'echo $SANDBOX_ID')).trim()).toBe(id);

    // Pooled containers are not sandboxes: the API lists the two claimed, no pool entry.
    const listed = (await d.api('GET', '/v1/sandboxes')).body.sandboxes.map((s: { id: string }) => s.id);
    expect(listed.sort()).toEqual([...ids].sort());

    // The pool comes back to its size, with new containers.
    await poolReady(d, 2);
    expect((await pooledContainers(d)).length).toBe(2);

    // Another disk size than the pooled one is served cold.
    const big = uniqueId('cold');
    expect((await d.api('POST', '/v1/sandboxes', { id: big, disk_mb: 1024 })).status).toBe(201);
    expect((await poolMetrics(d)).claims.ineligible).toBe(1);
    expect((await pooledContainers(d)).length).toBe(2);
    expect((await sh(d, big, 'df -m --output=size ~ | tail -1')).trim()).toMatch(/^(9\d\d|10\d\d)$/);

    // A burst larger than the pool: two hits, the rest cold, every one of them works.
    const burst = Array.from({ length: 4 }, () => uniqueId('burst'));
    const answers = await Promise.all(burst.map((id) => d.api('POST', '/v1/sandboxes', { id })));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
    const after = await poolMetrics(d);
    expect(after.claims.hit).toBe((before.claims.hit ?? 0) + 4);
    expect(after.claims.empty).toBeGreaterThanOrEqual(2);
    for (const id of burst) expect((await sh(d, id, 'echo $SANDBOX_ID')).trim()).toBe(id);
  });

  it('keeps env values out of docker inspect of a claimed container', async () => {
    await poolReady(d, 1);
    const id = uniqueId('secret');
    const secret = `s3cr3t-${uniqueId()}`;
    expect((await d.api('POST', '/v1/sandboxes', { id, env: { API_KEY: secret } })).status).toBe(201);
    const info = await docker.getContainer(`s-${id}`).inspect();
    expect(info.Config.Labels['sandboxed.kind']).toBe('pool');
    expect(JSON.stringify(info)).not.toContain(secret);
    expect((await sh(d, id, 'echo "$API_KEY"')).trim()).toBe(secret);
    expect(d.log()).not.toContain(secret);
  });

  it('replaces a pooled container that died', async () => {
    await poolReady(d, 2);
    const [victim] = await pooledContainers(d);
    await docker.getContainer(victim.Id).kill();
    await until(async () => {
      const now = await pooledContainers(d);
      return now.length === 2 && !now.some((c) => c.Id === victim.Id) && (await poolMetrics(d)).ready === 2;
    }, 'the dead pooled container to be replaced');
  });

  it('deletes a claimed sandbox whole: container, disk volume and workspace', async () => {
    await poolReady(d, 1);
    const id = uniqueId('gone');
    expect((await d.api('POST', '/v1/sandboxes', { id })).status).toBe(201);
    const info = await docker.getContainer(`s-${id}`).inspect();
    const volume = info.Mounts.find((m) => m.Destination === '/home/sandbox')?.Name;
    expect(volume).toMatch(/^sbx-.*pool-/);
    expect((await d.api('POST', `/v1/sandboxes/${id}/purge`)).status).toBe(200);
    await expect(docker.getContainer(info.Id).inspect()).rejects.toThrow();
    await expect(docker.getVolume(volume!).inspect()).rejects.toThrow();
  });
});

describe('a claimed sandbox and a cold one', () => {
  let pooled: TestDaemon;
  let cold: TestDaemon;
  beforeAll(async () => {
    [pooled, cold] = await Promise.all([startTestDaemon({ env: { SANDBOXD_POOL_SIZE: '1' } }), startTestDaemon()]);
    await poolReady(pooled, 1);
  });
  afterAll(async () => {
    await Promise.all([pooled?.dispose(), cold?.dispose()]);
  });

  it('cannot be told apart from inside, by limits or by their preview', async () => {
    const req = (id: string) => ({
      id,
      ports: [3000],
      memory_mb: 384,
      cpus: 0.5,
      env: { GREETING: 'hello world' },
      services: [{ name: 'web', command: 'python3 -m http.server "$PORT" --bind 0.0.0.0' }],
    });
    const a = uniqueId('claimed');
    const b = uniqueId('cold');
    expect((await pooled.api('POST', '/v1/sandboxes', req(a))).status).toBe(201);
    expect((await cold.api('POST', '/v1/sandboxes', req(b))).status).toBe(201);
    expect((await poolMetrics(pooled)).claims.hit).toBe(1);
    expect((await poolMetrics(cold)).claims.off).toBe(1);

    // What a process sees: identity, env, user, capabilities, limits, mounts (ids and device numbers aside).
    const probe = [
      'hostname',
      'id',
      'env | grep -v -e ^HOSTNAME= | sort',
      'grep -E "^Cap(Eff|Bnd|Prm)" /proc/self/status',
      'ulimit -n -u',
      'cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/cpu.max /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes',
      "awk '{print $5, $9, $6}' /proc/self/mountinfo | sort",
      'df -m --output=size,target ~ | tail -1',
      'cat /etc/sandboxed/sandbox.json',
      'touch /usr/x 2>&1 || true',
    ].join('; echo ---; ');
    const norm = (text: string, id: string) => text.replaceAll(id, '<id>');
    const [seenA, seenB] = [norm(await sh(pooled, a, probe), a), norm(await sh(cold, b, probe), b)];
    expect(seenA).toContain('sandbox\n');
    expect(seenA).toContain('SANDBOX_ID=<id>');
    expect(seenA).toContain('PORT=3000');
    expect(seenA).toContain('GREETING=hello world');
    expect(seenA).toBe(seenB);

    // Docker's view of the limits.
    const [ia, ib] = await Promise.all([docker.getContainer(`s-${a}`).inspect(), docker.getContainer(`s-${b}`).inspect()]);
    for (const key of ['Memory', 'MemorySwap', 'NanoCpus', 'PidsLimit', 'ReadonlyRootfs', 'CapDrop', 'SecurityOpt', 'Ulimits', 'Tmpfs', 'Init'] as const) {
      expect(ia.HostConfig[key], key).toEqual(ib.HostConfig[key]);
    }
    expect(ia.Config.Hostname).toBe(ib.Config.Hostname);
    expect(ia.Config.Env).toEqual(ib.Config.Env);

    // The service runs in both, with the same PORT, and each preview serves it.
    for (const [d, id] of [
      [pooled, a],
      [cold, b],
    ] as const) {
      await until(async () => (await previewStatus(d, id, 3000)) === 200, `the preview of ${id}`);
    }
  });
});

describe('pool off', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startTestDaemon({ env: { SANDBOXD_POOL_SIZE: '0' } });
  });
  afterAll(async () => {
    await d?.dispose();
  });

  it('creates cold, as before the pool, and makes no pooled container', async () => {
    const id = uniqueId('off');
    expect((await d.api('POST', '/v1/sandboxes', { id })).status).toBe(201);
    const m = await poolMetrics(d);
    expect(m.claims).toEqual({ off: 1 });
    expect(m.ready + m.filling).toBe(0);
    const info = await docker.getContainer(`s-${id}`).inspect();
    expect(info.Config.Labels['sandboxed.id']).toBe(id);
    expect(info.Config.Labels['sandboxed.kind']).toBeUndefined();
    expect(await pooledContainers(d)).toEqual([]);
  });
});
