/**
 * The warm pool: running generic containers, each with its own fresh workspace
 * disk and runtime dir, on the sandbox network behind the isolation rules. A
 * create that one can serve takes it instead of creating and starting a
 * container: the row is written, the workspace and runtime dir handed to the
 * new id, the limits updated live, the env and services written for the
 * supervisor (woken by SIGHUP), and the container renamed s-<id>.
 *
 * Crash safety: SQLite records each step's intent (pool.ts in store/). An
 * entry is taken in the transaction that inserts the sandbox's row, and given
 * up in the one that marks the sandbox running; at boot, an entry still being
 * filled or claimed is discarded whole (its container removed), and a
 * sandbox whose claim did not finish is left to the reconciler, which starts
 * it cold. No container ever serves two ids: the row names the container.
 */
import { ulid } from 'ulid';
import type { Logger } from 'pino';
import { DEFAULT_IMAGE, type Config } from '../config.js';
import type { ContainerEngine, ContainerInfo } from '../docker/engine.js';
import { KIND_POOL, LABEL_ID, LABEL_KIND } from '../docker/labels.js';
import { buildContainerSpec, containerName, specDigest, type SpecConfig } from '../docker/spec.js';
import type { Metadata } from '../domain/metadata.js';
import { runtimeOf, type Sandbox, type SandboxSpec } from '../domain/sandbox.js';
import type { PoolEntry, PoolStore } from '../store/pool.js';
import type { SandboxStore } from '../store/sandboxes.js';
import { faultPoint } from '../telemetry/faults.js';
import { metrics } from '../telemetry/metrics.js';
import { moveRuntime, removeRuntime } from '../workspaces/runtime-files.js';
import type { Workspaces } from '../workspaces/workspaces.js';
import type { Containers } from './containers.js';
import type { MemoryReading } from './memory.js';

export type PoolConfig = SpecConfig &
  Pick<Config, 'poolSize' | 'faultKillAt' | 'defaultMemoryMb' | 'defaultCpus' | 'defaultDiskMb' | 'defaultRuntime' | 'memoryFloorMb' | 'wakeReserveMb'>;

/** How long a new pooled container's init may take to come up before the fill is given up. */
const INIT_TIMEOUT_MS = 30_000;

export type ClaimResult = { kind: 'hit'; sandbox: Sandbox } | { kind: 'miss' } | { kind: 'failed' };

export interface PoolDeps {
  config: PoolConfig;
  store: PoolStore;
  sandboxes: SandboxStore;
  engine: ContainerEngine;
  containers: Containers;
  workspaces: Workspaces;
  readMemory: () => MemoryReading;
  log: Logger;
}

/**
 * What every pooled container is made with: the defaults, no ports, no
 * services, and the default runtime. Entries are kept for that one runtime:
 * a create that names the other starts cold (a pool per runtime would keep
 * idle memory for a runtime few creates ask for).
 */
export function pooledSpec(cfg: Pick<Config, 'defaultMemoryMb' | 'defaultCpus' | 'defaultDiskMb' | 'defaultRuntime'>): SandboxSpec {
  return {
    ports: [],
    memoryMb: cfg.defaultMemoryMb,
    cpus: cfg.defaultCpus,
    diskMb: cfg.defaultDiskMb,
    idlePolicy: 'sleep',
    visibility: 'public',
    services: [],
    runtime: cfg.defaultRuntime,
  };
}

/** A create the pool can serve: the default image and runtime (what it pools), the pooled disk size, and not a fork (which brings its own disk). */
export function canServe(spec: SandboxSpec, cfg: Pick<Config, 'defaultDiskMb' | 'defaultRuntime'>, forked: boolean, image: string = DEFAULT_IMAGE): boolean {
  return image === DEFAULT_IMAGE && !forked && (spec.diskMb ?? cfg.defaultDiskMb) === cfg.defaultDiskMb && runtimeOf(spec) === cfg.defaultRuntime;
}

export class Pool {
  private readonly cfg: PoolConfig;
  private readonly spec: SandboxSpec;
  /** Fingerprint of what a pooled container is (its spec and the image's id): others are never handed out. */
  private key: string;
  private currentImageId: string | null = null;

  constructor(private readonly deps: PoolDeps) {
    this.cfg = deps.config;
    this.spec = pooledSpec(deps.config);
    this.key = this.keyFor('');
  }

  /** Called after every claim (the refill loop's trigger). */
  private taken: () => void = () => undefined;

  onTaken(fn: () => void): void {
    this.taken = fn;
  }

  /** Entries as they stand (metrics). */
  entries(): PoolEntry[] {
    return this.deps.store.list();
  }

  get enabled(): boolean {
    return this.cfg.poolSize > 0;
  }

  private keyFor(imageId: string): string {
    const spec = buildContainerSpec({ id: 'pool-key', spec: this.spec }, this.cfg, { [LABEL_KIND]: KIND_POOL }, { kind: 'dir', path: '/' });
    return `${specDigest(spec)}:${imageId}`;
  }

  private async refreshKey(): Promise<void> {
    this.currentImageId = await this.deps.engine.imageId(this.cfg.image);
    this.key = this.keyFor(this.currentImageId ?? '');
  }

  /** The build of the default image the entries handed out now were made from (their key says so). */
  get imageId(): string | null {
    return this.currentImageId;
  }

  /**
   * Serves sandbox `id` from the pool. The caller holds the id's lock and has
   * checked that no workspace exists for it. A hit returns the running
   * sandbox; a miss inserted nothing; `failed` means the row exists and the
   * caller starts it cold (the entry is gone).
   */
  async claim(id: string, spec: SandboxSpec, env: Record<string, string>, metadata: Metadata = {}): Promise<ClaimResult> {
    const entry = this.deps.store.claim(this.cfg.defaultRuntime, this.key, { id, spec, env, metadata, now: Date.now() });
    if (!entry?.containerId) {
      metrics.poolClaims.inc({ result: 'empty' });
      return { kind: 'miss' };
    }
    try {
      faultPoint(this.cfg.faultKillAt, 'pool-claim:taken');
      await this.handOver(entry, entry.containerId, this.deps.sandboxes.get(id)!);
      faultPoint(this.cfg.faultKillAt, 'pool-claim:handed-over');
      this.deps.store.finishClaim(entry.id, id, entry.containerId);
      metrics.poolClaims.inc({ result: 'hit' });
      this.deps.log.info({ sandboxId: id, poolId: entry.id, containerId: entry.containerId }, 'sandbox served from the warm pool');
      this.taken();
      return { kind: 'hit', sandbox: this.deps.sandboxes.get(id)! };
    } catch (err) {
      metrics.poolClaims.inc({ result: 'failed' });
      this.deps.log.warn({ sandboxId: id, poolId: entry.id, err }, 'claim of a pooled container failed; starting cold');
      await this.discard(entry);
      this.deps.sandboxes.setObserved(id, 'none', null);
      this.taken();
      return { kind: 'failed' };
    }
  }

  /**
   * The steps are independent of each other and run at once. The supervisor's
   * signal follows the runtime files it announces and is not waited for: it
   * only makes the reload immediate (the supervisor also notices the files
   * within its 2 s poll), and execs never depend on it.
   */
  private async handOver(entry: PoolEntry, containerId: string, sb: Sandbox): Promise<void> {
    const { engine, containers, workspaces } = this.deps;
    const resized = sb.spec.memoryMb !== this.spec.memoryMb || sb.spec.cpus !== this.spec.cpus;
    const steps = await Promise.allSettled([
      workspaces.handOver(entry.id, sb.id),
      (async () => {
        await moveRuntime(this.cfg.dataDir, entry.id, sb.id);
        await containers.writeRuntime(sb);
        void engine.signal(containerId, 'HUP').catch((err: unknown) => this.deps.log.warn({ sandboxId: sb.id, err }, 'reload signal failed; the supervisor polls'));
      })(),
      engine.rename(containerId, containerName(sb.id)),
      resized
        ? engine.updateLimits(containerId, { memoryBytes: sb.spec.memoryMb * 1024 * 1024, nanoCpus: Math.round(sb.spec.cpus * 1e9), pidsLimit: this.cfg.pidsLimit })
        : Promise.resolve(),
    ]);
    const failed = steps.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /**
   * Boot, before the first reconcile: every entry that is not simply ready is
   * undone. A sandbox whose claim was cut short loses the container (the
   * reconciler starts it cold; its workspace, fresh anyway, stays if it moved).
   */
  async recover(): Promise<void> {
    await this.refreshKey();
    for (const entry of this.deps.store.list()) {
      if (entry.state === 'ready' && entry.poolKey === this.key && this.enabled) continue;
      if (entry.state === 'claiming' && entry.claimedBy) {
        const sb = this.deps.sandboxes.get(entry.claimedBy);
        if (sb && sb.containerId === entry.containerId) this.deps.sandboxes.setObserved(sb.id, 'none', null);
      }
      await this.discard(entry);
      this.deps.log.info({ poolId: entry.id, state: entry.state }, 'pool entry undone at boot');
    }
  }

  /**
   * The loop's tick: drops ready entries whose container is gone or made
   * under other settings, removes pooled containers nothing knows, then fills
   * up to the size, one container at a time (the loop never overlaps ticks).
   */
  async tick(): Promise<void> {
    await this.refreshKey();
    await this.prune(await this.deps.engine.listManaged(this.cfg.instance));
    if (!this.enabled) return;
    while (this.deps.store.list().filter((e) => e.runtime === this.cfg.defaultRuntime && e.state !== 'claiming').length < this.cfg.poolSize) {
      const { availableMb } = this.deps.readMemory();
      if (availableMb < this.cfg.memoryFloorMb + this.cfg.wakeReserveMb) {
        this.deps.log.info({ availableMb }, 'pool refill waits: memory is short');
        return;
      }
      await this.fill();
    }
  }

  private async fill(): Promise<void> {
    const id = `pool-${ulid().toLowerCase()}`;
    const entry: PoolEntry = { id, runtime: this.cfg.defaultRuntime, poolKey: this.key, state: 'filling', containerId: null, claimedBy: null, createdAt: Date.now() };
    this.deps.store.addFilling(id, this.cfg.defaultRuntime, this.key);
    try {
      entry.containerId = await this.deps.containers.createPooled({ id, spec: this.spec });
      faultPoint(this.cfg.faultKillAt, 'pool-fill:started');
      await this.waitForInit(id);
      if (!this.deps.store.markReady(id, entry.containerId)) throw new Error('the entry was dropped while it was filled');
    } catch (err) {
      await this.discard(entry).catch((e: unknown) => this.deps.log.error({ poolId: id, err: e }, 'pool entry cleanup failed'));
      throw err;
    }
  }

  /** Ready once the init has seeded HOME: its HUP handler is set by then, so a claim's signal cannot end it. */
  private async waitForInit(id: string): Promise<void> {
    const deadline = Date.now() + INIT_TIMEOUT_MS;
    while (!(await this.deps.workspaces.seeded(id))) {
      if (Date.now() > deadline) throw new Error(`pooled container ${id} did not come up within ${INIT_TIMEOUT_MS / 1000} s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private async prune(containers: ContainerInfo[]): Promise<void> {
    const byId = new Map(containers.map((c) => [c.id, c]));
    for (const entry of this.deps.store.list()) {
      if (entry.state !== 'ready') continue;
      const alive = entry.containerId !== null && byId.get(entry.containerId)?.running === true;
      if ((alive && entry.poolKey === this.key && this.enabled) || !this.deps.store.removeIfReady(entry.id)) continue;
      this.deps.log.info({ poolId: entry.id, why: alive ? 'made under other settings' : 'its container is gone' }, 'pool entry replaced');
      await this.discard(entry);
    }
    // Read after the container list: a container claimed or filled meanwhile is known by then.
    const known = new Set(this.deps.store.list().map((e) => e.id));
    const claimed = new Set(this.deps.sandboxes.listAll().map((sb) => sb.containerId));
    for (const c of containers) {
      const poolId = c.labels[LABEL_ID];
      if (c.labels[LABEL_KIND] !== KIND_POOL || !poolId || known.has(poolId) || claimed.has(c.id)) continue;
      this.deps.log.warn({ poolId, containerId: c.id }, 'removing a pooled container nothing knows');
      await this.discard({ id: poolId, containerId: c.id });
    }
  }

  /** Empties the pool (memory pressure); returns how many containers were removed. */
  async drain(): Promise<number> {
    let n = 0;
    for (const entry of this.deps.store.list()) {
      if (entry.state !== 'ready' || !this.deps.store.removeIfReady(entry.id)) continue;
      await this.discard(entry);
      n++;
    }
    return n;
  }

  /** Removes an entry's container, its volume, whatever of its workspace and runtime dir is left, then its row. */
  private async discard(entry: Pick<PoolEntry, 'id' | 'containerId'>): Promise<void> {
    await this.deps.containers.remove(entry.containerId ?? containerName(entry.id));
    await this.deps.workspaces.remove(entry.id);
    await removeRuntime(this.cfg.dataDir, entry.id);
    this.deps.store.remove(entry.id);
  }
}
