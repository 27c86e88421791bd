/**
 * Sandbox lifecycle: create, stop, start (wake), destroy, purge. Every
 * mutation of one sandbox runs under its lock and re-reads the row inside it;
 * SQLite records intent first, Docker follows, and the reconciler repairs
 * whatever a crash left between the two.
 */
import type { Logger } from 'pino';
import { ulid } from 'ulid';
import type { Config } from '../config.js';
import type { ContainerEngine } from '../docker/engine.js';
import { buildContainerSpec } from '../docker/spec.js';
import { ConflictError, DomainError, GoneError, InvalidError, NotFoundError } from '../errors.js';
import type { SandboxStore } from '../store/sandboxes.js';
import { ensureWorkspace, removeRuntime, removeWorkspace, writeRuntime } from '../workspaces/workspace.js';
import { ActivityTracker } from './activity.js';
import { KeyedLock, SharedFlight } from './locks.js';
import type { IdlePolicy, Sandbox, ServiceSpec, Visibility } from './types.js';
import { isValidSandboxId } from './types.js';

export interface CreateInput {
  id?: string;
  ports?: number[];
  env?: Record<string, string>;
  memoryMb?: number;
  cpus?: number;
  idlePolicy?: IdlePolicy;
  visibility?: Visibility;
  services?: ServiceSpec[];
}

export interface UpdateInput {
  idlePolicy?: IdlePolicy;
  visibility?: Visibility;
  services?: ServiceSpec[];
}

export type ServiceConfig = Pick<
  Config,
  | 'dataDir' | 'image' | 'network' | 'instance' | 'pidsLimit' | 'nofile' | 'tmpfsMb' | 'extraCaCerts'
  | 'stopGraceS' | 'defaultMemoryMb' | 'maxMemoryMb' | 'defaultCpus' | 'maxCpus'
>;

/** Labels the edge wants on every container (Traefik routers); pure function of the sandbox. */
export type LabelsFor = (sb: Sandbox) => Record<string, string>;

export class SandboxService {
  readonly locks = new KeyedLock();
  private readonly wakes = new SharedFlight();
  private admit: (id: string) => Promise<void> = async () => undefined;

  constructor(
    private readonly cfg: ServiceConfig,
    private readonly store: SandboxStore,
    private readonly engine: ContainerEngine,
    readonly activity: ActivityTracker,
    private readonly log: Logger,
    private readonly labelsFor: LabelsFor = () => ({}),
  ) {}

  /** Wake admission (memory): called before a container is started for a user request. */
  setAdmission(admit: (id: string) => Promise<void>): void {
    this.admit = admit;
  }

  /** A live sandbox, or NotFoundError (tombstones are not found). */
  get(id: string): Sandbox {
    const sb = this.store.get(id);
    if (!sb || sb.desiredState === 'destroyed' || sb.desiredState === 'purged') {
      throw new NotFoundError(`sandbox ${id} not found`);
    }
    return sb;
  }

  /** Like get(), but tells a deleted sandbox (410) from one that never existed (404). */
  getForEdge(id: string): Sandbox {
    const sb = this.store.get(id);
    if (!sb) throw new NotFoundError(`sandbox ${id} not found`);
    if (sb.desiredState === 'destroyed' || sb.desiredState === 'purged') throw new GoneError(`sandbox ${id} was deleted`);
    return sb;
  }

  list(): Sandbox[] {
    return this.store.listLive();
  }

  touch(id: string): void {
    this.activity.touch(id);
  }

  async create(input: CreateInput): Promise<Sandbox> {
    const id = input.id ?? ulid().toLowerCase();
    if (!isValidSandboxId(id)) throw new InvalidError('id: must be lowercase letters and digits, single dashes inside, at most 40 characters');
    const memoryMb = input.memoryMb ?? this.cfg.defaultMemoryMb;
    if (memoryMb > this.cfg.maxMemoryMb) throw new InvalidError(`memory_mb: at most ${this.cfg.maxMemoryMb}`);
    const cpus = input.cpus ?? this.cfg.defaultCpus;
    if (cpus > this.cfg.maxCpus) throw new InvalidError(`cpus: at most ${this.cfg.maxCpus}`);
    const spec = {
      ports: input.ports ?? [],
      memoryMb,
      cpus,
      idlePolicy: input.idlePolicy ?? 'sleep',
      visibility: input.visibility ?? 'public',
      services: input.services ?? [],
    };
    const env = input.env ?? {};

    const existing = this.store.get(id);
    if (existing && (existing.desiredState === 'running' || existing.desiredState === 'stopped')) {
      throw new ConflictError(`sandbox ${id} already exists`);
    }
    await this.admit(id);
    return this.locks.run(id, async () => {
      if (!this.store.insert({ id, spec, env, now: Date.now() })) throw new ConflictError(`sandbox ${id} already exists`);
      this.log.info({ sandboxId: id, ports: spec.ports, envNames: Object.keys(env) }, 'creating sandbox');
      let freshWorkspace = false;
      try {
        freshWorkspace = await ensureWorkspace(this.cfg.dataDir, id);
        await this.startContainer(this.store.get(id)!);
      } catch (err) {
        this.log.warn({ sandboxId: id, err }, 'create failed; rolling back');
        await this.rollbackCreate(id, freshWorkspace);
        throw err;
      }
      return this.store.get(id)!;
    });
  }

  private async rollbackCreate(id: string, freshWorkspace: boolean): Promise<void> {
    const sb = this.store.get(id);
    if (sb?.containerId) await this.engine.remove(sb.containerId).catch(() => undefined);
    await removeRuntime(this.cfg.dataDir, id).catch(() => undefined);
    if (freshWorkspace) await removeWorkspace(this.cfg.dataDir, id).catch(() => undefined);
    this.store.remove(id);
  }

  /**
   * Makes the container exist and run, creating it from the stored spec when
   * missing (also after an external `docker rm`). Caller holds the lock.
   */
  async startContainer(sb: Sandbox): Promise<'started' | 'already-running' | 'created'> {
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
    if (!containerId) {
      containerId = await this.createContainer(sb);
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

  private async createContainer(sb: Sandbox): Promise<string> {
    await ensureWorkspace(this.cfg.dataDir, sb.id);
    await writeRuntime(this.cfg.dataDir, {
      id: sb.id,
      ports: sb.spec.ports,
      env: this.store.env(sb.id),
      services: sb.spec.services,
      extraCaCerts: this.cfg.extraCaCerts,
    });
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

  async stop(id: string): Promise<Sandbox> {
    return this.locks.run(id, async () => {
      const sb = this.get(id);
      this.store.setDesired(id, 'stopped');
      await this.stopContainer(sb, 'api');
      return this.get(id);
    });
  }

  /**
   * Stops a sandbox for a reaper if `still(sb)` holds when re-checked under the
   * lock. Marks desired state stopped, so a later request wakes it.
   */
  async stopIf(id: string, reason: string, still: (sb: Sandbox) => boolean): Promise<boolean> {
    return this.locks.run(id, async () => {
      const sb = this.store.get(id);
      if (!sb || sb.desiredState !== 'running' || !still(sb)) return false;
      this.store.setDesired(id, 'stopped');
      await this.stopContainer(sb, reason);
      return true;
    });
  }

  /** Caller holds the lock. A container that is already gone is an outcome, not an error. */
  async stopContainer(sb: Sandbox, reason: string): Promise<void> {
    if (!sb.containerId) {
      this.store.setObserved(sb.id, 'none', null);
      return;
    }
    try {
      const outcome = await this.engine.stop(sb.containerId, this.cfg.stopGraceS);
      this.store.setObserved(sb.id, 'stopped', sb.containerId);
      this.log.info({ sandboxId: sb.id, containerId: sb.containerId, reason, outcome }, 'container stopped');
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      this.store.setObserved(sb.id, 'none', null);
      this.log.info({ sandboxId: sb.id, reason }, 'container already gone');
    }
  }

  /** Starts a sandbox; concurrent calls for one id share one start. */
  async start(id: string): Promise<Sandbox> {
    return this.wakes.run(id, async () => {
      const current = this.get(id);
      if (current.observedState !== 'running') await this.admit(id);
      return this.locks.run(id, async () => {
        const sb = this.get(id);
        this.store.setDesired(id, 'running');
        await this.startContainer(sb);
        this.activity.touch(id);
        return this.get(id);
      });
    });
  }

  /** Returns the sandbox running, starting it when needed (exec, wake). */
  async ensureRunning(id: string): Promise<Sandbox> {
    const sb = this.get(id);
    if (sb.desiredState === 'running' && sb.observedState === 'running' && sb.containerId) return sb;
    return this.start(id);
  }

  keepalive(id: string): Sandbox {
    const sb = this.get(id);
    this.store.touch(id, Date.now());
    return this.get(sb.id);
  }

  async update(id: string, input: UpdateInput): Promise<Sandbox> {
    return this.locks.run(id, async () => {
      const sb = this.get(id);
      const spec = {
        ...sb.spec,
        ...(input.idlePolicy ? { idlePolicy: input.idlePolicy } : {}),
        ...(input.visibility ? { visibility: input.visibility } : {}),
        ...(input.services ? { services: input.services } : {}),
      };
      this.store.setSpec(id, spec);
      if (input.services) {
        await writeRuntime(this.cfg.dataDir, {
          id,
          ports: spec.ports,
          env: this.store.env(id),
          services: spec.services,
          extraCaCerts: this.cfg.extraCaCerts,
        });
        // The supervisor also polls its config; the signal makes the change immediate.
        if (sb.observedState === 'running' && sb.containerId) {
          await this.engine
            .execDetached(sb.containerId, { cmd: ['/opt/sandboxed/bin/sandboxed-ctl', 'reload'], user: '1000:1000' })
            .catch((err: unknown) => this.log.warn({ sandboxId: id, err }, 'service reload signal failed'));
        }
      }
      return this.get(id);
    });
  }

  /** Removes the container, keeps the workspace. */
  async destroy(id: string): Promise<void> {
    await this.locks.run(id, async () => {
      const sb = this.get(id);
      await this.tombstone(sb, 'destroyed');
    });
  }

  /** Removes the container and the workspace. Also purges an already destroyed sandbox. */
  async purge(id: string): Promise<void> {
    await this.locks.run(id, async () => {
      const sb = this.store.get(id);
      if (!sb || sb.desiredState === 'purged') throw new NotFoundError(`sandbox ${id} not found`);
      // The tenant's processes must be gone before its tree is walked: a running
      // process could swap a directory for a symlink under the walk.
      if (sb.containerId) await this.engine.remove(sb.containerId);
      await this.tombstone({ ...sb, containerId: null }, 'purged');
      await removeWorkspace(this.cfg.dataDir, id);
      this.log.info({ sandboxId: id }, 'workspace removed');
    });
  }

  private async tombstone(sb: Sandbox, state: 'destroyed' | 'purged'): Promise<void> {
    this.store.tombstone(sb.id, state);
    this.activity.forget(sb.id);
    if (sb.containerId) {
      await this.engine.remove(sb.containerId).catch((err: unknown) => {
        // The row already says gone; the reconciler removes the container later.
        if (!(err instanceof DomainError)) throw err;
        this.log.warn({ sandboxId: sb.id, err }, 'container removal failed; reconciler will retry');
      });
    }
    this.store.setObserved(sb.id, 'none', null);
    await removeRuntime(this.cfg.dataDir, sb.id);
    this.log.info({ sandboxId: sb.id, containerId: sb.containerId, state }, 'sandbox deleted');
  }
}
