/**
 * Removes every container and network that carries this test run's instance
 * label prefix. Never touches anything else on the engine.
 */
import Docker from 'dockerode';
import { removeIsolation } from '../../src/network/isolation.js';

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
  const nets = await docker.listNetworks({ filters: { label: ['sandboxed.instance'] } });
  for (const n of nets) {
    if (!ours(n.Labels, runId)) continue;
    await removeNetwork(n.Id);
    networks++;
  }
  return { containers, networks };
}

/** Removes what one instance created (a single test file's daemon). */
export async function cleanupInstance(instance: string): Promise<void> {
  const list = await docker.listContainers({ all: true, filters: { label: [`sandboxed.instance=${instance}`] } });
  for (const c of list) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
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
