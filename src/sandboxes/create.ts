/**
 * A create, under the new id's lock: served from the warm pool when it can
 * be, else cold (the row, then the workspace, then the container). A cold
 * create that fails part-way is rolled back: nothing of it stays but a
 * workspace that existed before.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Metadata } from '../domain/metadata.js';
import type { Sandbox, SandboxSpec } from '../domain/sandbox.js';
import { ConflictError } from '../errors.js';
import type { SandboxStore } from '../store/sandboxes.js';
import { metrics } from '../telemetry/metrics.js';
import type { Workspaces } from '../workspaces/workspaces.js';
import type { Containers } from './containers.js';
import { canServe, type Pool } from './pool.js';
import { rollbackCreate, type Parts } from './teardown.js';

export interface CreateParts {
  cfg: Pick<Config, 'defaultDiskMb' | 'defaultRuntime'>;
  store: SandboxStore;
  workspaces: Workspaces;
  containers: Containers;
  pool: Pool;
  parts: Parts;
  log: Logger;
}

export interface NewRow {
  id: string;
  spec: SandboxSpec;
  env: Record<string, string>;
  /** A disk image the workspace starts as (a fork). */
  seedImage?: string;
  /** A name of SANDBOXD_IMAGES: the pool serves only the default. */
  image: string;
  /**
   * The owner's claim (claim.ts): its quota checked, the row's metadata given.
   * Called right before each insert with nothing awaited in between, so two
   * creates cannot both take a quota's last unit.
   */
  claim: () => Metadata;
}

export async function createLocked(p: CreateParts, row: NewRow): Promise<Sandbox> {
  const { id, spec, env, seedImage, image } = row;
  const workspaceExisted = await p.workspaces.exists(id);
  // A kept workspace belongs to this id: only a cold start mounts it.
  const served = !p.pool.enabled ? 'off' : canServe(spec, p.cfg, seedImage !== undefined, image) && !workspaceExisted ? 'eligible' : 'ineligible';
  if (served === 'eligible') {
    const claim = await p.pool.claim(id, spec, env, row.claim());
    if (claim.kind === 'hit') {
      if (p.pool.imageId) p.store.setImageId(id, p.pool.imageId);
      return p.store.get(id)!;
    }
    if (claim.kind === 'failed') return startCold(p, id, workspaceExisted, seedImage);
  } else {
    metrics.poolClaims.inc({ result: served });
  }
  if (!p.store.insert({ id, spec, env, metadata: row.claim(), now: Date.now(), image })) throw new ConflictError(`sandbox ${id} already exists`);
  p.log.info({ sandboxId: id, ports: spec.ports, runtime: spec.runtime, image, envNames: Object.keys(env) }, 'creating sandbox');
  if (seedImage && workspaceExisted) {
    p.store.remove(id);
    throw new ConflictError(`sandbox ${id} has a workspace kept from a deleted sandbox; purge it or pick another id`);
  }
  return startCold(p, id, workspaceExisted, seedImage);
}

async function startCold(p: CreateParts, id: string, workspaceExisted: boolean, seedImage: string | undefined): Promise<Sandbox> {
  try {
    const diskMb = p.store.get(id)!.spec.diskMb;
    // A fork: the new workspace starts as a copy of the snapshot's disk.
    if (seedImage) await p.workspaces.copyIn(id, seedImage, diskMb);
    await p.containers.start(p.store.get(id)!);
  } catch (err) {
    p.log.warn({ sandboxId: id, err }, 'create failed; rolling back');
    await rollbackCreate(p.parts, id, !workspaceExisted);
    throw err;
  }
  return p.store.get(id)!;
}
