/**
 * The Docker side of one sandbox: make its container exist and run, stop it,
 * remove it, and record what Docker said as the row's observed state. Only
 * SandboxService calls this, always under the sandbox's lock.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { ContainerEngine } from '../docker/engine.js';
import { buildContainerSpec } from '../docker/spec.js';
import type { Sandbox } from '../domain/sandbox.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { SandboxStore } from '../store/sandboxes.js';
import { ensureWorkspace, writeRuntime } from '../workspaces/workspace.js';
import type { NetworkGuard } from './network.js';

export type ContainersConfig = Pick<
  Config,
  'dataDir' | 'image' | 'network' | 'instance' | 'pidsLimit' | 'nofile' | 'tmpfsMb' | 'extraCaCerts' | 'stopGraceS'
>;

/** Labels the edge wants on every container (Traefik routers); pure function of the sandbox. */
export type LabelsFor = (sb: Sandbox) => Record<string, string>;

export type StartOutcome = 'started' | 'already-running' | 'created';

export class Containers {
  constructor(
    private readonly cfg: ContainersConfig,
    private readonly store: SandboxStore,
    private readonly engine: ContainerEngine,
    private readonly labelsFor: LabelsFor,
    private readonly log: Logger,
    /** Fails closed: no container is created or started unless the network's isolation is in place. */
    private readonly network: NetworkGuard,
  ) {}

  /** Makes the container exist and run, creating it from the stored spec when missing (also after an external `docker rm`). */
  async start(sb: Sandbox): Promise<StartOutcome> {
    let containerId = sb.containerId;
    let created = false;
    if (containerId) {
      try {
        const info = await this.engine.inspect(containerId);
        if (info.running) {
          this.store.setObserved(sb.id, 'running', containerId);
          return 'already-running';
        }
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
        containerId = null;
      }
    }
    await this.network.guard();
    if (!containerId) {
      containerId = await this.create(sb);
      created = true;
    }
    try {
      await this.engine.start(containerId);
    } catch (err) {
      this.store.setObserved(sb.id, 'stopped', containerId, (err as Error).message);
      throw err;
    }
    this.store.setObserved(sb.id, 'running', containerId);
    this.log.info({ sandboxId: sb.id, containerId }, created ? 'container created and started' : 'container started');
    return created ? 'created' : 'started';
  }

  /** Writes the runtime files (env, services) the container's supervisor reads. */
  async writeRuntime(sb: Sandbox): Promise<void> {
    await writeRuntime(this.cfg.dataDir, {
      id: sb.id,
      ports: sb.spec.ports,
      env: this.store.env(sb.id),
      services: sb.spec.services,
      extraCaCerts: this.cfg.extraCaCerts,
    });
  }

  private async create(sb: Sandbox): Promise<string> {
    await ensureWorkspace(this.cfg.dataDir, sb.id);
    await this.writeRuntime(sb);
    const spec = buildContainerSpec(sb, this.cfg, this.labelsFor(sb));
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

  async remove(containerId: string): Promise<void> {
    await this.engine.remove(containerId);
  }
}
