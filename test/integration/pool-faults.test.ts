/**
 * The warm pool under faults: kill -9 at each step of a claim and of a
 * refill converges after restart (no container serves two ids, no orphan
 * container, disk or runtime dir, the sandbox runs), and memory pressure
 * empties the pool before it stops any sandbox.
 */
import Docker from 'dockerode';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { until } from '../helpers/wait.js';
import { poolMetrics, poolReady, pooledContainers } from '../helpers/pool.js';

const docker = new Docker({ socketPath: process.env.DOCKER_SOCKET || '/var/run/docker.sock' });

/** Everything of the daemon is accounted for: each container is a listed sandbox's own or one pooled entry's, and so is every file. */
async function assertConverged(d: TestDaemon, poolSize: number): Promise<void> {
  await until(async () => {
    const m = await poolMetrics(d);
    return m.ready === poolSize && m.filling === 0 && (await pooledContainers(d)).length === poolSize;
  }, 'the pool back at its size');
  const sandboxes: { id: string; container_id: string | null }[] = (await d.api('GET', '/v1/sandboxes')).body.sandboxes;
  const containers = await docker.listContainers({ all: true, filters: { label: [`sandboxed.instance=${d.instance}`] } });
  const pooled = new Set((await pooledContainers(d)).map((c) => c.Id));
  for (const c of containers) {
    if (pooled.has(c.Id)) continue;
    const owner = sandboxes.filter((s) => s.container_id === c.Id);
    expect(owner.length, `container ${c.Names[0]} belongs to exactly one sandbox`).toBe(1);
    expect(c.Names[0]).toBe(`/s-${owner[0].id}`);
  }
  expect(containers.length).toBe(sandboxes.filter((s) => s.container_id).length + poolSize);
  const poolIds = (await pooledContainers(d)).map((c) => c.Names[0].slice('/s-'.length));
  const expected = [...sandboxes.map((s) => s.id), ...poolIds].sort();
  expect(readdirSync(path.join(d.dataDir, 'disks')).map((f) => f.replace(/\.ext4$/, '')).sort()).toEqual(expected);
  expect(readdirSync(path.join(d.dataDir, 'runtime')).sort()).toEqual(expected);
  const volumes = (await docker.listVolumes({ filters: { label: [`sandboxed.instance=${d.instance}`] } })).Volumes ?? [];
  expect(volumes.length).toBe(containers.length);
}

describe('kill -9 in the warm pool', () => {
  let d: TestDaemon | undefined;
  afterEach(async () => {
    await d?.dispose();
    d = undefined;
  });

  for (const step of ['pool-claim:taken', 'pool-claim:handed-over']) {
    it(`converges after a kill at ${step}`, async () => {
      d = await startTestDaemon({ env: { SANDBOXD_POOL_SIZE: '1', SANDBOXD_POOL_CHECK_INTERVAL_SECONDS: '1', SANDBOXD_FAULT_KILL_AT: step } });
      await poolReady(d, 1);
      const id = uniqueId('crash');
      await expect(d.api('POST', '/v1/sandboxes', { id, ports: [3000], env: { K: 'v' } })).rejects.toThrow();
      await d.kill();
      await d.restart({ SANDBOXD_FAULT_KILL_AT: '' });
      await d.waitForLog(/pool entry undone at boot/);

      // The row was written with the claim: the sandbox exists and runs, started cold in a container of its own.
      await until(async () => (await d!.api('GET', `/v1/sandboxes/${id}`)).body.status === 'running', 'the sandbox to run');
      const r = await d.api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['sh', '-c', 'echo $SANDBOX_ID $PORT $K'] });
      expect(r.body.stdout).toBe(`${id} 3000 v\n`);
      const info = await docker.getContainer(`s-${id}`).inspect();
      expect(info.Config.Labels['sandboxed.id']).toBe(id);
      await assertConverged(d, 1);
    });
  }

  it('converges after a kill while a refill starts its container', async () => {
    d = await startTestDaemon({ env: { SANDBOXD_POOL_SIZE: '1', SANDBOXD_POOL_CHECK_INTERVAL_SECONDS: '1', SANDBOXD_FAULT_KILL_AT: 'pool-fill:started#2' } });
    await poolReady(d, 1);
    const id = uniqueId('refill');
    expect((await d.api('POST', '/v1/sandboxes', { id })).status).toBe(201);
    // The claim triggers the second fill, which dies once its container runs.
    await until(async () => (await d!.api('GET', '/healthz').catch(() => null)) === null, 'the daemon to die in the refill');
    await d.kill();
    await d.restart({ SANDBOXD_FAULT_KILL_AT: '' });
    await d.waitForLog(/"state":"filling".*pool entry undone at boot/);
    expect((await d.api('GET', `/v1/sandboxes/${id}`)).body.status).toBe('running');
    await assertConverged(d, 1);
  });
});

describe('memory pressure and the pool', () => {
  let d: TestDaemon | undefined;
  afterEach(async () => {
    await d?.dispose();
  });

  it('empties the pool before it stops a sandbox, and refills only when memory is back', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'meminfo-'));
    const meminfo = path.join(dir, 'meminfo');
    const setAvailable = (mb: number) => writeFileSync(meminfo, `MemTotal:       ${8 * 1024 * 1024} kB\nMemFree:        0 kB\nMemAvailable:   ${mb * 1024} kB\n`);
    setAvailable(4000);
    d = await startTestDaemon({
      env: {
        SANDBOXD_POOL_SIZE: '2',
        SANDBOXD_POOL_CHECK_INTERVAL_SECONDS: '1',
        SANDBOXD_MEMINFO_PATH: meminfo,
        SANDBOXD_CGROUP_ROOT: dir,
        SANDBOXD_MEMORY_FLOOR_MB: '512',
        SANDBOXD_PRESSURE_CHECK_INTERVAL_SECONDS: '1',
      },
    });
    await poolReady(d, 2);
    const id = uniqueId('victim');
    expect((await d.api('POST', '/v1/sandboxes', { id })).status).toBe(201);
    await poolReady(d, 2);

    setAvailable(300);
    await until(async () => (await d!.api('GET', `/v1/sandboxes/${id}`)).body.status === 'stopped', 'the sandbox to be stopped');
    const log = d.log();
    const drained = log.indexOf('pressure reaper emptied the warm pool');
    expect(drained).toBeGreaterThan(-1);
    expect(log.indexOf('pressure reaper stopped sandbox')).toBeGreaterThan(drained);
    expect(await pooledContainers(d)).toEqual([]);
    await d.waitForLog(/pool refill waits: memory is short/);
    expect((await poolMetrics(d)).ready).toBe(0);

    setAvailable(4000);
    await poolReady(d, 2);
  });
});
