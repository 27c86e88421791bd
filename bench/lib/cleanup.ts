/**
 * Removes every container, volume and network whose instance label starts with this
 * bench run's prefix (`bench-<random>` and `bench-<random>-raw`). Never
 * touches anything else on the engine.
 */
import { removeIsolation } from '../../src/network/isolation.js';
import type Docker from 'dockerode';
import { LABEL_INSTANCE } from '../../src/docker/labels.js';

function ours(labels: Record<string, string> | undefined, prefix: string): boolean {
  return (labels?.[LABEL_INSTANCE] ?? '').startsWith(prefix);
}

export async function removeLabelled(docker: Docker, prefix: string): Promise<{ containers: number; networks: number }> {
  let containers = 0;
  let networks = 0;
  const list = await docker.listContainers({ all: true, filters: { label: [LABEL_INSTANCE] } });
  await Promise.all(
    list
      .filter((c) => ours(c.Labels, prefix))
      .map(async (c) => {
        await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
        containers++;
      }),
  );
  const { Volumes } = await docker.listVolumes({ filters: { label: [LABEL_INSTANCE] } });
  for (const v of Volumes ?? []) if (ours(v.Labels, prefix)) await docker.getVolume(v.Name).remove().catch(() => undefined);
  const nets = await docker.listNetworks({ filters: { label: [LABEL_INSTANCE] } });
  for (const n of nets) {
    if (!ours(n.Labels, prefix)) continue;
    const info = await docker.getNetwork(n.Id).inspect().catch(() => null);
    if (info) await removeIsolation(info.Id, info.Options?.['com.docker.network.bridge.name'] ?? `br-${String(info.Id).slice(0, 12)}`);
    await docker.getNetwork(n.Id).remove().catch(() => undefined);
    networks++;
  }
  return { containers, networks };
}
