/**
 * What the lifecycle service does to a sandbox's workspace disk under the
 * sandbox's lock (the service takes it; these never lock): swap it for a
 * snapshot's, and mount the live ones again after the daemon restarted.
 */
import { isDeleted, type Sandbox } from '../domain/sandbox.js';
import type { Parts } from './teardown.js';

/**
 * Swaps the sandbox's workspace disk (restore): the container is stopped and
 * the disk released, `swap` replaces the image, then the disk is mounted again
 * and the sandbox started if it ran. Its supervised services come back by themselves.
 */
export async function swapWorkspace(
  p: Pick<Parts, 'containers' | 'workspaces' | 'store'> & { defaultDiskMb: number },
  sb: Sandbox,
  swap: (sb: Sandbox) => Promise<void>,
): Promise<void> {
  const wasRunning = sb.desiredState === 'running';
  await p.containers.stop(sb, 'workspace swap');
  await p.workspaces.release(sb.id);
  await swap(sb);
  if (wasRunning) await p.containers.start(p.store.get(sb.id)!);
  else await p.workspaces.prepare(sb.id, sb.spec.diskMb ?? p.defaultDiskMb);
}

/** Mounts a live sandbox's workspace again (the daemon's mounts go when its container restarts); true when it did. */
export async function remountWorkspace(p: Pick<Parts, 'workspaces' | 'store'>, id: string): Promise<boolean> {
  const sb = p.store.get(id);
  return !!sb && !isDeleted(sb) && (await p.workspaces.remount(id));
}
