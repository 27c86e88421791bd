/**
 * The Docker side of one sandbox: make its container exist and run, stop it,
 * remove it, and record what Docker said as the row's observed state. Only
 * SandboxService calls this, always under the sandbox's lock.
 */
import type { Logger } from 'pino';
import { DEFAULT_IMAGE, type Config } from '../config.js';
import type { ContainerEngine, ContainerInfo } from '../docker/engine.js';
import { KIND_POOL, LABEL_ID, LABEL_INSTANCE, LABEL_KIND } from '../docker/labels.js';
import { buildContainerSpec, homeVolumeName, LABEL_SPEC, withDigest, type ContainerSpec, type HomeMount } from '../docker/spec.js';
import { workspaceDir } from '../domain/layout.js';
import { runtimeOf, type Sandbox } from '../domain/sandbox.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { SandboxStore } from '../store/sandboxes.js';
import { writeRuntime } from '../workspaces/runtime-files.js';
import type { Workspaces } from '../workspaces/workspaces.js';
import { Images, referenceOf, type ImagesConfig } from './images.js';
import { GvisorIpv6Check } from './gvisor-ipv6.js';
import type { NetworkGuard } from './network.js';

export type ContainersConfig = Pick<
  Config,
  'dataDir' | 'image' | 'network' | 'instance' | 'pidsLimit' | 'nofile' | 'tmpfsMb' | 'extraCaCerts' | 'stopGraceS' | 'defaultDiskMb' | 'diskQuota' | 'sandboxUid' | 'sandboxGid'
> &
  ImagesConfig &
  Pick<Config, 'gvisorRuntime' | 'gvisorPidsLimit'>;

function notFoundAsNull(err: unknown): null {
  if (err instanceof NotFoundError) return null;
  throw err;
}

export type StartOutcome = 'started' | 'already-running' | 'created';

export class Containers {
  readonly images: Images;
  private readonly ipv6: GvisorIpv6Check;

  constructor(
    private readonly cfg: ContainersConfig,
    private readonly store: SandboxStore,
    private readonly engine: ContainerEngine,
    private readonly workspaces: Workspaces,
    private readonly log: Logger,
    /** Fails closed: no container is created or started unless the network's isolation is in place. */
    private readonly network: NetworkGuard,
  ) {
    this.images = new Images(cfg, engine);
    this.ipv6 = new GvisorIpv6Check(engine);
  }

  /**
   * Makes the container exist and run, creating it from the stored spec when
   * missing (also after an external `docker rm`), with its workspace prepared
   * first. A stopped container made from another spec (a setting changed, its
   * disk is now on another loop device, its image name points elsewhere) or
   * from another build of its image is recreated; a running one is left alone
   * until its next start.
   */
  async start(sb: Sandbox): Promise<StartOutcome> {
    let info = sb.containerId ? await this.engine.inspect(sb.containerId).catch(notFoundAsNull) : null;
    if (info && this.cfg.diskQuota && info.homeVolume === null) {
      // From before quotas (its home a directory): gone before the workspace moves into its disk, so nothing writes meanwhile.
      await this.replace(sb, info, 'its home is a directory from before disk quotas');
      info = null;
    }
    if (info?.running) {
      this.store.setObserved(sb.id, 'running', info.id);
      this.noteImage(sb, info.imageId);
      return 'already-running';
    }
    const reference = referenceOf(sb, this.cfg);
    await this.workspaces.admit();
    const spec = withDigest(buildContainerSpec(sb, this.cfg, {}, await this.home(sb), reference));
    const current = await this.engine.imageId(reference);
    if (info && info.labels[LABEL_SPEC] !== spec.labels[LABEL_SPEC]) {
      await this.replace(sb, info, 'it was made from another spec');
      info = null;
    } else if (info?.imageId && current !== null && info.imageId !== current) {
      // The reference was rebuilt (or re-tagged): the sandbox moves to the new build at this start.
      await this.replace(sb, info, 'its image was rebuilt');
      info = null;
    }
    await this.network.guard();
    const gvisor = runtimeOf(sb.spec) === 'gvisor';
    if (gvisor) this.ipv6.refuseIfKnownBad();
    const created = !info;
    // A missing image is the operator's to fix: said before anything is created.
    if (!info && current === null) throw this.images.missing(sb.image ?? DEFAULT_IMAGE, reference);
    const imageId = info ? info.imageId : current;
    const containerId = info?.id ?? (await this.create(sb, spec));
    this.noteImage(sb, imageId);
    try {
      await this.engine.start(containerId);
      if (gvisor) await this.ipv6.verify(containerId);
    } catch (err) {
      this.store.setObserved(sb.id, 'stopped', containerId, (err as Error).message);
      throw err;
    }
    this.store.setObserved(sb.id, 'running', containerId);
    this.log.info({ sandboxId: sb.id, containerId }, created ? 'container created and started' : 'container started');
    return created ? 'created' : 'started';
  }

  /** Which build the container runs, for the API (an operator finds the sandboxes on an old one). */
  private noteImage(sb: Sandbox, imageId: string | null | undefined): void {
    if (imageId !== undefined && imageId !== null && imageId !== sb.imageId) this.store.setImageId(sb.id, imageId);
  }

  private async replace(sb: Sandbox, info: ContainerInfo, why: string): Promise<void> {
    this.log.info({ sandboxId: sb.id, containerId: info.id, why }, 'replacing the container');
    await this.engine.remove(info.id);
    if (info.homeVolume) await this.engine.removeVolume(info.homeVolume);
  }

  /**
   * A pooled container for pool entry `entry.id`: the generic spec (what every
   * sandbox's container is, minus identity), its own workspace disk and runtime
   * dir, created and started. Its kind label keeps the reconciler off it.
   */
  async createPooled(entry: Pick<Sandbox, 'id' | 'spec'>): Promise<string> {
    await this.workspaces.admit();
    const spec = withDigest(buildContainerSpec(entry, this.cfg, { [LABEL_KIND]: KIND_POOL }, await this.home(entry)));
    await this.network.guard();
    await this.writeRuntime(entry);
    const containerId = await this.engine.create(spec);
    await this.engine.start(containerId);
    return containerId;
  }

  /** Writes the runtime files (env, services) the container's supervisor reads. */
  async writeRuntime(sb: Pick<Sandbox, 'id' | 'spec'>): Promise<void> {
    await writeRuntime(this.cfg.dataDir, {
      id: sb.id,
      ports: sb.spec.ports,
      env: this.store.env(sb.id),
      services: sb.spec.services,
      extraCaCerts: this.cfg.extraCaCerts,
      owner: { uid: this.cfg.sandboxUid, gid: this.cfg.sandboxGid },
    });
  }

  /** Prepares the workspace (mounted and seeded) and says how the container gets it. */
  private async home(sb: Pick<Sandbox, 'id' | 'spec'>): Promise<HomeMount> {
    await this.workspaces.admit();
    const prepared = await this.workspaces.prepare(sb.id, sb.spec.diskMb ?? this.cfg.defaultDiskMb);
    if (!prepared.device) return { kind: 'dir', path: workspaceDir(this.cfg.dataDir, sb.id) };
    return { kind: 'disk', volume: homeVolumeName(this.cfg.instance, sb.id, prepared.device), device: prepared.device };
  }

  /** This sandbox's volumes (its disk on an earlier loop device), except `keep`. Best effort: a leftover is swept later. */
  async removeVolumes(id: string, keep?: string): Promise<void> {
    const names = await this.engine.listVolumes({ [LABEL_INSTANCE]: this.cfg.instance, [LABEL_ID]: id });
    for (const name of names) {
      if (name === keep) continue;
      const outcome = await this.engine.removeVolume(name);
      if (outcome === 'in-use') this.log.warn({ sandboxId: id, volume: name }, 'volume still in use; left for the sweep');
    }
  }

  private async create(sb: Sandbox, spec: ContainerSpec): Promise<string> {
    await this.writeRuntime(sb);
    await this.workspaces.adoptOwner(sb.id);
    try {
      return await this.engine.create(spec);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      // A leftover container of this very sandbox (same instance) holds the name: replace it.
      const old = await this.engine.inspect(spec.name);
      if (old.sandboxId !== sb.id || old.instance !== this.cfg.instance) throw err;
      await this.engine.remove(old.id);
      return this.engine.create(spec);
    }
  }

  /** A container that is already gone is an outcome, not an error. */
  async stop(sb: Sandbox, reason: string, containerId = sb.containerId): Promise<void> {
    if (!containerId) {
      this.store.setObserved(sb.id, 'none', null);
      return;
    }
    try {
      const outcome = await this.engine.stop(containerId, this.cfg.stopGraceS);
      this.store.setObserved(sb.id, 'stopped', containerId);
      this.log.info({ sandboxId: sb.id, containerId, reason, outcome }, 'container stopped');
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      this.store.setObserved(sb.id, 'none', null);
      this.log.info({ sandboxId: sb.id, reason }, 'container already gone');
    }
  }

  /** Why a container that ran is not running now, in words for a sandbox.failed event. */
  async whyNotRunning(containerId: string | null): Promise<string> {
    const info = containerId ? await this.engine.inspect(containerId).catch(notFoundAsNull) : null;
    if (!info) return 'its container was removed';
    if (info.oomKilled) return 'its container was killed: out of memory';
    return info.exitCode === null ? `its container is ${info.status}` : `its container exited with code ${info.exitCode}`;
  }

  /**
   * Removes a container and the volume of its disk: the volume only describes
   * the loop device (the data is in the image), and a claimed pool container's
   * volume carries the pool entry's name, which no lookup by sandbox id finds.
   */
  async remove(containerId: string): Promise<void> {
    const home = await this.engine.inspect(containerId).then(
      (i) => i.homeVolume,
      () => null,
    );
    await this.engine.remove(containerId);
    if (home) await this.engine.removeVolume(home).catch((err: unknown) => this.log.warn({ containerId, volume: home, err }, 'volume removal failed'));
  }
}
