/**
 * Sandbox lifecycle: create, stop, start (wake), destroy, purge, and the
 * reconciler's and reapers' actions. This service alone owns the per-id locks,
 * the sandbox rows and their containers: every mutation of one sandbox runs
 * under its lock and re-reads the row inside it; SQLite records intent first,
 * Docker follows, and the reconciler repairs whatever a crash left between.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { ContainerEngine, ContainerInfo } from '../docker/engine.js';
import { NO_EVENTS, type EventSink } from '../domain/event.js';
import { OPERATOR } from '../domain/principal.js';
import { identityEnv, isDeleted, isUp, runtimeOf, type Sandbox } from '../domain/sandbox.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { PoolStore } from '../store/pool.js';
import type { SandboxQuery, SandboxStore } from '../store/sandboxes.js';
import { metrics, timed } from '../telemetry/metrics.js';
import type { Workspaces } from '../workspaces/workspaces.js';
import type { ActivityTracker } from './activity.js';
import { Containers, type ContainersConfig } from './containers.js';
import { applyAction, lockKeyOf, type ConvergeOutcome, type ReconcileAction } from './converge.js';
import { SandboxEvents } from './events.js';
import { referenceOf } from './images.js';
import { KeyedLock, SharedFlight } from './locks.js';
import type { MemoryReading } from './memory.js';
import type { NetworkGuard } from './network.js';
import { claim } from './claim.js';
import { newSandbox, type CreateInput, type LimitsConfig } from './new-sandbox.js';
import type { RuntimeCheck } from './runtimes.js';
import { PressureRelief, type PressureConfig, type PressureResult } from './pressure.js';
import { applyUpdate, type UpdateInput } from './update.js';
import { purgeAll, tombstone, type Parts } from './teardown.js';
import { createLocked, type CreateParts } from './create.js';
import { Pool, type PoolConfig } from './pool.js';
import type { SandboxView, ViewEntry } from './view.js';

export type { CreateInput, SandboxQuery, UpdateInput };

export type ServiceConfig = ContainersConfig &
  PressureConfig &
  PoolConfig &
  LimitsConfig &
  Pick<Config, 'defaultMemoryMb' | 'maxMemoryMb' | 'defaultCpus' | 'maxCpus' | 'maxDiskMb'>;

export interface SandboxServiceDeps {
  config: ServiceConfig;
  store: SandboxStore;
  engine: ContainerEngine;
  activity: ActivityTracker;
  workspaces: Workspaces;
  /** Available memory, for wake admission and the pressure reaper. */
  readMemory: () => MemoryReading;
  log: Logger;
  /** Checked before every container start (SandboxNetwork.guard). */
  network: NetworkGuard;
  poolStore: PoolStore;
  /** Lifecycle events (src/events/ behind it); none when absent. */
  events?: EventSink;
  /** Every row in memory, kept in step by the store (the edge's lookups). */
  view: SandboxView;
  /** Asked at create: a runtime Docker lacks is refused before anything is written. */
  runtimes: RuntimeCheck;
}

/** The supervisor also polls its config; this signal makes a change immediate. */
const RELOAD_SERVICES = ['/opt/sandboxed/bin/sandboxed-ctl', 'reload'];

export class SandboxService {
  private readonly locks = new KeyedLock();
  private readonly wakes = new SharedFlight();
  private readonly cfg: ServiceConfig;
  private readonly store: SandboxStore;
  private readonly engine: ContainerEngine;
  private readonly activity: ActivityTracker;
  private readonly containers: Containers;
  /** What create's rollback and delete take apart (teardown.ts). */
  private readonly parts: Parts;
  private readonly workspaces: Workspaces;
  private readonly pressure: PressureRelief;
  /** The warm pool (creates take from it; its loop refills it). */
  readonly pool: Pool;
  private readonly createParts: CreateParts;
  private readonly runtimes: RuntimeCheck;
  private readonly log: Logger;
  private readonly events: SandboxEvents;
  private readonly view: SandboxView;

  constructor(deps: SandboxServiceDeps) {
    this.events = new SandboxEvents(deps.events ?? NO_EVENTS);
    this.cfg = deps.config;
    this.store = deps.store;
    this.engine = deps.engine;
    this.activity = deps.activity;
    this.log = deps.log;
    this.view = deps.view;
    this.workspaces = deps.workspaces;
    this.runtimes = deps.runtimes;
    this.containers = new Containers(deps.config, deps.store, deps.engine, deps.workspaces, deps.log, deps.network);
    this.parts = { cfg: deps.config, store: deps.store, engine: deps.engine, containers: this.containers, workspaces: deps.workspaces, activity: deps.activity, log: deps.log };
    this.pool = new Pool({ ...deps, store: deps.poolStore, sandboxes: deps.store, containers: this.containers });
    this.createParts = { cfg: deps.config, store: deps.store, workspaces: deps.workspaces, containers: this.containers, pool: this.pool, parts: this.parts, log: deps.log };
    this.pressure = new PressureRelief(
      deps.config,
      {
        list: () => this.list(),
        busyCount: (id) => this.activity.busyCount(id),
        stopIf: (id, r, still) => this.stopIf(id, r, still),
        drainPool: () => this.pool.drain(),
      },
      deps.readMemory,
      deps.log,
    );
  }

  /** A live sandbox, or NotFoundError (tombstones are not found). */
  get(id: string): Sandbox {
    const sb = this.store.get(id);
    if (!sb || isDeleted(sb)) throw new NotFoundError(`sandbox ${id} not found`);
    return this.activity.current(sb);
  }

  /** The edge's lookup, from memory: the sandbox, 'gone' once deleted (410), 'unknown' (404). Its lastActiveAt may lag. */
  forEdge(id: string): ViewEntry {
    return this.view.get(id);
  }

  /** The row as it stands, tombstones included; undefined when the id never existed. */
  lookup(id: string): Sandbox | undefined {
    return this.store.get(id);
  }

  list(): Sandbox[] {
    return this.store.listLive().map((sb) => this.activity.current(sb));
  }

  /** Live sandboxes by status and metadata, a page at a time (the API's list). */
  find(q: SandboxQuery): Sandbox[] {
    return this.store.list(q);
  }

  /** The sandbox's identity and injected env (values): for execs and agent runs, never for output. */
  env(id: string): Record<string, string> {
    const sb = this.store.get(id);
    return { ...(sb ? identityEnv(sb) : {}), ...this.store.env(id) };
  }

  touch(id: string): void {
    this.activity.touch(id);
  }

  create(input: CreateInput): Promise<Sandbox> {
    return timed(metrics.create, () => this.createTimed(input));
  }

  private async createTimed(input: CreateInput): Promise<Sandbox> {
    const { id, spec, env, image } = newSandbox(input, this.cfg);
    const existing = this.store.get(id);
    if (existing && !isDeleted(existing)) throw new ConflictError(`sandbox ${id} already exists`);
    await this.containers.images.require(image, referenceOf({ id, image }, this.cfg));
    const by = input.by ?? OPERATOR;
    await this.runtimes.require(runtimeOf(spec));
    // Checked before admission too: a create over its quota must not make the pressure pass stop anything.
    claim(this.store, by, id, spec, input.metadata);
    await this.pressure.admit(id);
    // The claim is made again right before the row's insert, with nothing awaited in between: a quota unit is checked and taken in one step.
    return this.locks.run(id, async () => {
      const sb = await createLocked(this.createParts, { id, spec, env, seedImage: input.seedImage, image, claim: () => claim(this.store, by, id, spec, input.metadata) });
      this.events.created(id, image);
      return sb;
    });
  }

  async stop(id: string): Promise<Sandbox> {
    return this.locks.run(id, async () => {
      const sb = this.get(id);
      this.store.setDesired(id, 'stopped');
      await timed(metrics.stop, () => this.containers.stop(sb, 'api'));
      if (sb.desiredState === 'running' || sb.observedState === 'running') this.events.stopped(id, 'request');
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
      // With activity not yet flushed: a request that arrived since the reaper's snapshot keeps the sandbox up.
      if (!sb || sb.desiredState !== 'running' || !still(this.activity.current(sb))) return false;
      this.store.setDesired(id, 'stopped');
      await timed(metrics.stop, () => this.containers.stop(sb, reason));
      this.events.stopped(id, reason);
      return true;
    });
  }

  /** Starts a sandbox; concurrent calls for one id share one start. */
  async start(id: string): Promise<Sandbox> {
    return this.wakes.run(id, () => timed(metrics.start, async () => {
      const current = this.get(id);
      if (current.observedState !== 'running') await this.pressure.admit(id);
      return this.locks.run(id, async () => {
        const sb = this.get(id);
        this.store.setDesired(id, 'running');
        const outcome = await this.containers.start(sb).catch((err: unknown) => {
          // The same failure again (a preview reloading) is said once.
          this.events.failed(id, err, sb.lastError);
          throw err;
        });
        if (outcome !== 'already-running') this.events.started(id, 'request');
        this.activity.touch(id);
        return this.get(id);
      });
    }));
  }

  /** Returns the sandbox running, starting it when needed (exec, wake, tasks). */
  async ensureRunning(id: string): Promise<Sandbox> {
    const sb = this.get(id);
    if (isUp(sb)) return sb;
    return this.start(id);
  }

  keepalive(id: string): Sandbox {
    this.get(id);
    this.store.touch(id, Date.now());
    return this.get(id);
  }

  async update(id: string, input: UpdateInput): Promise<Sandbox> {
    return this.locks.run(id, async () => {
      const sb = this.get(id);
      const { spec, metadata } = applyUpdate(sb, input, this.cfg);
      this.store.setSpec(id, spec, metadata);
      const updated = this.get(id);
      if (input.services) {
        await this.containers.writeRuntime(updated);
        if (sb.observedState === 'running' && sb.containerId) {
          await this.engine
            .execDetached(sb.containerId, { cmd: RELOAD_SERVICES })
            .catch((err: unknown) => this.log.warn({ sandboxId: id, err }, 'service reload signal failed'));
        }
      }
      return updated;
    });
  }

  /** Removes the container, keeps the workspace. */
  async destroy(id: string): Promise<void> {
    await this.locks.run(id, async () => {
      const sb = this.get(id);
      await tombstone(this.parts, sb, 'destroyed');
      this.events.deleted(id);
    });
  }

  /** Removes the container and the workspace. Also purges an already destroyed sandbox. */
  async purge(id: string): Promise<void> {
    await this.locks.run(id, async () => {
      const sb = this.store.get(id);
      if (!sb || sb.desiredState === 'purged') throw new NotFoundError(`sandbox ${id} not found`);
      await purgeAll(this.parts, sb);
      this.events.purged(id);
    });
  }

  /**
   * Deletes a sandbox past its lifetime (the expiry loop) if `why(sb)`, asked
   * again under the lock, still gives a reason: purged when it asked for that,
   * else its workspace is kept like DELETE. Returns what it did, or null.
   * Says sandbox.expired (with the reason) before the deletion's own event.
   */
  async expireIf(id: string, why: (sb: Sandbox) => string | null): Promise<'destroyed' | 'purged' | null> {
    return this.locks.run(id, async () => {
      const sb = this.store.get(id);
      const reason = sb && !isDeleted(sb) ? why(sb) : null;
      if (!sb || reason === null) return null;
      const state = sb.spec.purgeOnExpiry ? 'purged' : 'destroyed';
      this.log.info({ sandboxId: id, reason, state, ttlS: sb.spec.ttlS, idleDeleteS: sb.spec.idleDeleteS }, 'sandbox expired');
      this.events.expired(id, { reason, workspace: state === 'purged' ? 'removed' : 'kept' });
      if (state === 'purged') {
        await purgeAll(this.parts, sb);
        this.events.purged(id);
      } else {
        await tombstone(this.parts, sb, 'destroyed');
        this.events.deleted(id);
      }
      return state;
    });
  }

  /** A consistent copy of the sandbox's workspace disk at `dst` (snapshots). Returns the bytes it takes. */
  async copyWorkspace(id: string, dst: string): Promise<number> {
    return this.locks.run(id, async () => this.workspaces.copyOut(this.get(id).id, dst));
  }

  /**
   * Swaps the sandbox's workspace disk (restore): the container is stopped and the
   * disk released, `swap` replaces the image, then the disk is mounted again and
   * the sandbox started if it ran. Its supervised services come back by themselves.
   */
  async replaceWorkspace(id: string, swap: (sb: Sandbox) => Promise<void>): Promise<Sandbox> {
    return this.locks.run(id, async () => {
      const sb = this.get(id);
      const wasRunning = sb.desiredState === 'running';
      await this.containers.stop(sb, 'workspace swap');
      await this.workspaces.release(id);
      await swap(sb);
      if (wasRunning) await this.containers.start(this.get(id));
      else await this.workspaces.prepare(id, sb.spec.diskMb ?? this.cfg.defaultDiskMb);
      return this.get(id);
    });
  }

  /** Reconcile and boot: the daemon's own mounts of live workspaces (lost when its container restarts). */
  async remountWorkspaces(): Promise<void> {
    for (const id of await this.workspaces.unmounted(this.list().map((sb) => sb.id))) {
      await this.locks.run(id, async () => {
        if (this.store.get(id) && !isDeleted(this.store.get(id)!) && (await this.workspaces.remount(id))) {
          this.log.info({ sandboxId: id }, 'workspace disk mounted again');
        }
      });
    }
  }

  /** What the reconciler decides from: every row (tombstones too) and this instance's containers. */
  async snapshot(): Promise<{ rows: Sandbox[]; containers: ContainerInfo[] }> {
    const containers = await this.engine.listManaged(this.cfg.instance);
    const rows = this.store.listAll();
    this.view.resync(rows);
    return { rows, containers };
  }

  /** Applies one reconcile action under its sandbox's lock; a failure is kept on the row as last_error (and said once as sandbox.failed). */
  async converge(action: ReconcileAction): Promise<ConvergeOutcome> {
    // Read first: a failing start writes its error on the row before it throws.
    const previous = 'id' in action ? (this.store.get(action.id)?.lastError ?? null) : null;
    try {
      return await this.locks.run(lockKeyOf(action), () => applyAction(action, this.store, this.containers, this.log, this.events));
    } catch (err) {
      if ('id' in action) {
        if (action.type === 'create' || action.type === 'start') this.events.failed(action.id, err, previous);
        this.store.setError(action.id, (err as Error).message);
      }
      throw err;
    }
  }

  /** The pressure reaper's pass: stops sandboxes in pressure order until memory is above the floor. */
  relieve(): Promise<PressureResult> {
    return this.pressure.relieve();
  }
}
