/**
 * What sandboxes use now: memory of each running container (one Engine API
 * sample, as `docker stats` shows it) and disk of each mounted workspace (df
 * of its own filesystem, the quota). Read on demand for GET …/usage and the
 * dashboard; samples are kept a few seconds so a page that polls, or several
 * open at once, costs the engine one sample per container per interval.
 */
import type { Config } from '../config.js';
import type { ContainerEngine } from '../docker/engine.js';
import { workspaceDir } from '../domain/layout.js';
import { statusOf, type Sandbox } from '../domain/sandbox.js';
import { fsUsage, mountPoints } from '../workspaces/disk.js';

export interface SandboxUsage {
  id: string;
  /** null: not running (no container to sample) or the sample failed. */
  memoryBytes: number | null;
  memoryLimitBytes: number;
  /** null: no quota'd disk (SANDBOXD_DISK_QUOTA=false) or it is not mounted now. */
  diskUsedBytes: number | null;
  diskSizeBytes: number | null;
  measuredAt: number;
}

/** A sample this young is answered again instead of asking the engine. */
export const USAGE_MAX_AGE_MS = 5000;
/** Engine API samples in flight at once, for a list of many running sandboxes. */
const CONCURRENCY = 4;
const MIB = 1024 * 1024;

export interface UsageSource {
  engine: Pick<ContainerEngine, 'stats'>;
  config: Pick<Config, 'dataDir' | 'diskQuota'>;
  /** Live sandboxes, and one of them (NotFoundError otherwise). */
  list(): Sandbox[];
  get(id: string): Sandbox;
}

export class UsageMeter {
  private readonly samples = new Map<string, SandboxUsage>();

  constructor(private readonly src: UsageSource) {}

  async one(id: string, now = Date.now()): Promise<SandboxUsage> {
    return (await this.measure([this.src.get(id)], now))[0];
  }

  async all(now = Date.now()): Promise<SandboxUsage[]> {
    const live = this.src.list();
    // Rows gone since their sample was kept are forgotten: the map never outgrows the live sandboxes.
    const ids = new Set(live.map((sb) => sb.id));
    for (const id of this.samples.keys()) if (!ids.has(id)) this.samples.delete(id);
    return this.measure(live, now);
  }

  private async measure(rows: Sandbox[], now: number): Promise<SandboxUsage[]> {
    const stale = rows.filter((sb) => {
      const s = this.samples.get(sb.id);
      return !s || now - s.measuredAt >= USAGE_MAX_AGE_MS;
    });
    if (stale.length > 0) await this.sample(stale, now);
    return rows.map((sb) => this.samples.get(sb.id)!);
  }

  private async sample(rows: Sandbox[], now: number): Promise<void> {
    const disks = await this.disks(rows.map((sb) => sb.id));
    const memory = new Map<string, number>();
    const running = rows.filter((sb) => statusOf(sb) === 'running' && sb.containerId !== null);
    for (let i = 0; i < running.length; i += CONCURRENCY) {
      await Promise.all(
        running.slice(i, i + CONCURRENCY).map(async (sb) => {
          const s = await this.src.engine.stats(sb.containerId!).catch(() => null);
          if (s) memory.set(sb.id, s.memoryBytes);
        }),
      );
    }
    for (const sb of rows) {
      const disk = disks.get(sb.id);
      this.samples.set(sb.id, {
        id: sb.id,
        memoryBytes: memory.get(sb.id) ?? null,
        memoryLimitBytes: sb.spec.memoryMb * MIB,
        diskUsedBytes: disk?.usedBytes ?? null,
        diskSizeBytes: disk?.sizeBytes ?? null,
        measuredAt: now,
      });
    }
  }

  /** df of each mounted workspace disk (one read of mountinfo for all); none without quotas. */
  private async disks(ids: string[]): Promise<Map<string, { usedBytes: number; sizeBytes: number }>> {
    const out = new Map<string, { usedBytes: number; sizeBytes: number }>();
    if (!this.src.config.diskQuota) return out;
    const mounted = await mountPoints();
    for (const id of ids) {
      const dir = workspaceDir(this.src.config.dataDir, id);
      if (!mounted.has(dir)) continue;
      // Released since mountinfo was read (a restore, a delete): no figure this time.
      const usage = await fsUsage(dir).catch(() => null);
      if (usage) out.set(id, usage);
    }
    return out;
  }
}
