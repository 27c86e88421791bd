/**
 * Removes every container, volume and network that carries this test run's
 * instance label prefix, and the workspace disks (mounts, loop devices) of
 * test data dirs. Never touches anything else on the engine or the host.
 */
import Docker from 'dockerode';
import os from 'node:os';
import path from 'node:path';
import { removeIsolation } from '../../src/network/isolation.js';
import { releaseDisks } from './disks.js';

/** Test daemons' data dirs carry the run id: the run's end releases their disks, and no other run's. */
export function testDataPrefix(runId: string): string {
  return path.join(os.tmpdir(), `sandboxed-test-${runId}-`);
}

const docker = new Docker({ socketPath: process.env.DOCKER_SOCKET || '/var/run/docker.sock' });

function ours(labels: Record<string, string> | undefined, runId: string): boolean {
  return (labels?.['sandboxed.instance'] ?? '').startsWith(runId);
}

export async function cleanupTestRun(runId: string): Promise<{ containers: number; networks: number }> {
  let containers = 0;
  let networks = 0;
  const list = await docker.listContainers({ all: true, filters: { label: ['sandboxed.instance'] } });
  for (const c of list) {
    if (!ours(c.Labels, runId)) continue;
    await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    containers++;
  }
  await removeVolumes((labels) => ours(labels, runId));
  const nets = await docker.listNetworks({ filters: { label: ['sandboxed.instance'] } });
  for (const n of nets) {
    if (!ours(n.Labels, runId)) continue;
    await removeNetwork(n.Id);
    networks++;
  }
  releaseDisks((p) => p.startsWith(testDataPrefix(runId)));
  return { containers, networks };
}

async function removeVolumes(match: (labels: Record<string, string> | undefined) => boolean): Promise<void> {
  const { Volumes } = await docker.listVolumes({ filters: { label: ['sandboxed.instance'] } });
  for (const v of Volumes ?? []) if (match(v.Labels)) await docker.getVolume(v.Name).remove().catch(() => undefined);
}

/** Removes what one instance created (a single test file's daemon), its disks under `dataDir` included. */
export async function cleanupInstance(instance: string, dataDir?: string): Promise<void> {
  const list = await docker.listContainers({ all: true, filters: { label: [`sandboxed.instance=${instance}`] } });
  for (const c of list) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
  await removeVolumes((labels) => labels?.['sandboxed.instance'] === instance);
  if (dataDir) releaseDisks((p) => p === dataDir || p.startsWith(`${dataDir}/`));
  const nets = await docker.listNetworks({ filters: { label: [`sandboxed.instance=${instance}`] } });
  for (const n of nets) await removeNetwork(n.Id);
}

async function removeNetwork(id: string): Promise<void> {
  try {
    const n = await docker.getNetwork(id).inspect();
    const bridge = n.Options?.['com.docker.network.bridge.name'] ?? `br-${String(n.Id).slice(0, 12)}`;
    await removeIsolation(n.Id, bridge);
  } catch {
    /* already gone */
  }
  await docker.getNetwork(id).remove().catch(() => undefined);
}
