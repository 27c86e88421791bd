/**
 * Memory pressure: when available memory falls below the floor, stop the
 * least recently active sandboxes until it is above again. Order of
 * sacrifice (documented in README): idle `sleep` sandboxes first, then `sleep`
 * ones with work in flight (a running task or exec) only when nothing else is
 * left, then `always_on` ones as the last resort. Wake admission refuses a
 * start that would push the host below the floor after this has had its chance.
 */
import type { Logger } from 'pino';
import { UnavailableError } from '../errors.js';
import type { SandboxService } from '../sandboxes/service.js';
import type { Sandbox } from '../sandboxes/types.js';
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
  floorMb: number;
  wakeReserveMb: number;
}

export interface PressureResult {
  available_mb: number;
  stopped: { sandbox_id: string; reason: string }[];
  errors: { sandbox_id: string; error: string }[];
}

export class PressureReaper {
  private running: Promise<PressureResult> | null = null;

  constructor(
    private readonly cfg: PressureConfig,
    private readonly sandboxes: SandboxService,
    private readonly readMemory: () => MemoryReading,
    private readonly log: Logger,
  ) {}

  /** One pass; concurrent callers (loop tick, admission) share it. */
  reapOnce(needMb = 0, maxTier = 3): Promise<PressureResult> {
    this.running ??= this.pass(needMb, maxTier).finally(() => (this.running = null));
    return this.running;
  }

  private async pass(needMb: number, maxTier: number): Promise<PressureResult> {
    const result: PressureResult = { available_mb: this.readMemory().availableMb, stopped: [], errors: [] };
    if (result.available_mb >= this.cfg.floorMb + needMb) return result;
    const busy = (id: string) => this.sandboxes.activity.busyCount(id);
    for (const sb of decidePressureOrder(this.sandboxes.list(), busy)) {
      const tier = tierOf(sb, busy(sb.id));
      if (tier > maxTier) break;
      const reason = `memory pressure: ${result.available_mb} MiB available, floor ${this.cfg.floorMb} MiB` +
        (tier === 0 ? '' : tier === 1 ? ' (last resort: work in flight)' : ' (last resort: always_on)');
      try {
        const stopped = await this.sandboxes.stopIf(sb.id, reason, (cur) => cur.observedState === 'running');
        if (stopped) {
          result.stopped.push({ sandbox_id: sb.id, reason });
          this.log.warn({ sandboxId: sb.id, reason, tier }, 'pressure reaper stopped sandbox');
        }
      } catch (err) {
        result.errors.push({ sandbox_id: sb.id, error: (err as Error).message });
        this.log.error({ sandboxId: sb.id, err }, 'pressure stop failed');
      }
      result.available_mb = this.readMemory().availableMb;
      if (result.available_mb >= this.cfg.floorMb + needMb) break;
    }
    return result;
  }

  /** Throws 503 when starting one more sandbox would leave less than the floor. */
  async admit(id: string): Promise<void> {
    const need = this.cfg.wakeReserveMb;
    if (this.readMemory().availableMb >= this.cfg.floorMb + need) return;
    // A wake may push idle sandboxes out, never busy or always_on ones.
    await this.reapOnce(need, 0);
    const available = this.readMemory().availableMb;
    if (available >= this.cfg.floorMb + need) return;
    this.log.warn({ sandboxId: id, availableMb: available, floorMb: this.cfg.floorMb }, 'start refused: memory');
    throw new UnavailableError(
      `not enough memory to start sandbox ${id}: ${available} MiB available, ${this.cfg.floorMb + need} MiB needed; retry later`,
      30,
    );
  }
}
