/**
 * Taking a sandbox apart, for the lifecycle service (which holds the sandbox's
 * lock while these run): a create that failed part-way, and a delete.
 */
import type { Logger } from 'pino';
import type { ContainerEngine } from '../docker/engine.js';
import type { Sandbox } from '../domain/sandbox.js';
import { DomainError } from '../errors.js';
import type { SandboxStore } from '../store/sandboxes.js';
import { removeRuntime } from '../workspaces/runtime-files.js';
import type { Workspaces } from '../workspaces/workspaces.js';
import type { ActivityTracker } from './activity.js';
import type { Containers } from './containers.js';

/** The lifecycle service's collaborators, as these functions need them. */
export interface Parts {
  cfg: { dataDir: string };
  store: SandboxStore;
  engine: ContainerEngine;
  containers: Containers;
  workspaces: Workspaces;
  activity: ActivityTracker;
  log: Logger;
}

/** Undoes a create that failed part-way: nothing of it stays but a workspace that existed before. */
export async function rollbackCreate(p: Parts, id: string, freshWorkspace: boolean): Promise<void> {
  const sb = p.store.get(id);
  if (sb?.containerId) await p.containers.remove(sb.containerId).catch(() => undefined);
  await p.containers.removeVolumes(id).catch(() => undefined);
  await removeRuntime(p.cfg.dataDir, id).catch(() => undefined);
  if (freshWorkspace) await p.workspaces.remove(id).catch(() => undefined);
  else await p.workspaces.release(id).catch(() => undefined);
  p.store.remove(id);
}

/** Marks a sandbox deleted and removes its container, volumes, mounts and runtime dir (the workspace image stays). */
export async function tombstone(p: Parts, sb: Sandbox, state: 'destroyed' | 'purged'): Promise<void> {
  p.store.tombstone(sb.id, state);
  p.activity.forget(sb.id);
  if (sb.containerId) {
    await p.containers.remove(sb.containerId).catch((err: unknown) => {
      // The row already says gone; the reconciler removes the container later.
      if (!(err instanceof DomainError)) throw err;
      p.log.warn({ sandboxId: sb.id, err }, 'container removal failed; reconciler will retry');
    });
  }
  p.store.setObserved(sb.id, 'none', null);
  await p.containers.removeVolumes(sb.id).catch((err: unknown) => p.log.warn({ sandboxId: sb.id, err }, 'volume removal failed; the sweep retries'));
  // Destroy keeps the workspace: its image stays, only the daemon's mount and the loop device go.
  await p.workspaces.release(sb.id);
  await removeRuntime(p.cfg.dataDir, sb.id);
  p.log.info({ sandboxId: sb.id, containerId: sb.containerId, state }, 'sandbox deleted');
}

/**
 * Removes the container and the workspace of a sandbox, deleted or not. The
 * tenant's processes must be gone before its tree is walked: a running
 * process could swap a directory for a symlink under the walk.
 */
export async function purgeAll(p: Parts, sb: Sandbox): Promise<void> {
  if (sb.containerId) await p.containers.remove(sb.containerId);
  await tombstone(p, { ...sb, containerId: null }, 'purged');
  await p.workspaces.remove(sb.id);
  p.log.info({ sandboxId: sb.id }, 'workspace removed');
}
