/**
 * Memory pressure: when available memory falls below the floor, stop the
 * least recently active sandboxes until it is above again. Order of
 * sacrifice (documented in README): idle `sleep` sandboxes first, then `sleep`
 * ones with work in flight (a running task or exec) only when nothing else is
 * left, then `always_on` ones as the last resort. Wake admission runs the same
 * pass, limited to idle sandboxes, and refuses a start that would still leave
 * the host below the floor.
 */
import type { Logger } from 'pino';
import type { Sandbox } from '../domain/sandbox.js';
import { UnavailableError } from '../errors.js';
import { metrics } from '../telemetry/metrics.js';
import type { MemoryReading } from './memory.js';

export function tierOf(sb: Sandbox, busy: number): number {
  const alwaysOn = sb.spec.idlePolicy === 'always_on' ? 2 : 0;
  return alwaysOn + (busy > 0 ? 1 : 0);
}

/** Candidates in the order they should be stopped. */
export function decidePressureOrder(rows: Sandbox[], busyCount: (id: string) => number): Sandbox[] {
  return rows
    .filter((sb) => sb.desiredState === 'running' && sb.observedState === 'running')
    .map((sb) => ({ sb, tier: tierOf(sb, busyCount(sb.id)) }))
    .sort((a, b) => a.tier - b.tier || a.sb.lastActiveAt - b.sb.lastActiveAt || a.sb.id.localeCompare(b.sb.id))
    .map((x) => x.sb);
}

export interface PressureConfig {
  memoryFloorMb: number;
  wakeReserveMb: number;
}

export interface PressureResult {
  available_mb: number;
  /** Warm pool containers removed first. */
  pool_drained: number;
  stopped: { sandbox_id: string; reason: string }[];
  errors: { sandbox_id: string; error: string }[];
}

/** What the relief needs of the fleet: the rows, what is in flight, a stop re-checked under the lock. */
export interface Fleet {
  list(): Sandbox[];
  busyCount(id: string): number;
  stopIf(id: string, reason: string, still: (sb: Sandbox) => boolean): Promise<boolean>;
  /** Removes the warm pool's idle containers; how many. They go before any sandbox does. */
  drainPool(): Promise<number>;
}

const LAST_RESORT = ['', ' (last resort: work in flight)', ' (last resort: always_on)', ' (last resort: always_on)'];

export class PressureRelief {
  private running: Promise<PressureResult> | null = null;

  constructor(
    private readonly cfg: PressureConfig,
    private readonly fleet: Fleet,
    private readonly readMemory: () => MemoryReading,
    private readonly log: Logger,
  ) {}

  /** One pass up to `maxTier`; concurrent callers (loop tick, admission) share it. */
  relieve(needMb = 0, maxTier = 3): Promise<PressureResult> {
    this.running ??= this.pass(needMb, maxTier).finally(() => (this.running = null));
    return this.running;
  }

  private async pass(needMb: number, maxTier: number): Promise<PressureResult> {
    const floor = this.cfg.memoryFloorMb;
    const result: PressureResult = { available_mb: this.readMemory().availableMb, pool_drained: 0, stopped: [], errors: [] };
    if (result.available_mb >= floor + needMb) return result;
    result.pool_drained = await this.fleet.drainPool();
    if (result.pool_drained > 0) {
      this.log.warn({ removed: result.pool_drained, availableMb: result.available_mb, floorMb: floor }, 'pressure reaper emptied the warm pool');
      result.available_mb = this.readMemory().availableMb;
      if (result.available_mb >= floor + needMb) return result;
    }
    const busy = (id: string) => this.fleet.busyCount(id);
    for (const sb of decidePressureOrder(this.fleet.list(), busy)) {
      const tier = tierOf(sb, busy(sb.id));
      if (tier > maxTier) break;
      const reason = `memory pressure: ${result.available_mb} MiB available, floor ${floor} MiB${LAST_RESORT[tier]}`;
      try {
        if (await this.fleet.stopIf(sb.id, reason, (cur) => cur.observedState === 'running')) {
          result.stopped.push({ sandbox_id: sb.id, reason });
          metrics.reaperStops.inc({ reason: 'memory_pressure' });
          this.log.warn({ sandboxId: sb.id, reason, tier }, 'pressure reaper stopped sandbox');
        }
      } catch (err) {
        result.errors.push({ sandbox_id: sb.id, error: (err as Error).message });
        this.log.error({ sandboxId: sb.id, err }, 'pressure stop failed');
      }
      result.available_mb = this.readMemory().availableMb;
      if (result.available_mb >= floor + needMb) break;
    }
    return result;
  }

  /** Throws 503 when starting one more sandbox would leave less than the floor. */
  async admit(id: string): Promise<void> {
    const need = this.cfg.memoryFloorMb + this.cfg.wakeReserveMb;
    if (this.readMemory().availableMb >= need) return;
    // A wake may push idle sandboxes out, never busy or always_on ones.
    await this.relieve(this.cfg.wakeReserveMb, 0);
    const available = this.readMemory().availableMb;
    if (available >= need) return;
    this.log.warn({ sandboxId: id, availableMb: available, floorMb: this.cfg.memoryFloorMb }, 'start refused: memory');
    throw new UnavailableError(`not enough memory to start sandbox ${id}: ${available} MiB available, ${need} MiB needed; retry later`, 30, 'memory');
  }
}
