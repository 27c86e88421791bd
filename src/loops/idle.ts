/**
 * The idle reaper: running `sleep` sandboxes with no activity for the
 * threshold, and nothing in flight (exec, WebSocket, task), are stopped.
 */
import type { Logger } from 'pino';
import type { ActivityTracker } from '../sandboxes/activity.js';
import type { SandboxService } from '../sandboxes/service.js';
import type { Sandbox } from '../domain/sandbox.js';
import { metrics } from '../telemetry/metrics.js';

export interface IdleDecision {
  stop: string[];
  /** Would be idle by time, but something is in flight. */
  busy: string[];
}

export function decideIdle(rows: Sandbox[], now: number, thresholdMs: number, busyCount: (id: string) => number): IdleDecision {
  const out: IdleDecision = { stop: [], busy: [] };
  for (const sb of rows) {
    if (sb.desiredState !== 'running' || sb.observedState !== 'running') continue;
    if (sb.spec.idlePolicy !== 'sleep') continue;
    if (now - sb.lastActiveAt < thresholdMs) continue;
    if (busyCount(sb.id) > 0) out.busy.push(sb.id);
    else out.stop.push(sb.id);
  }
  return out;
}

export interface ReapResult {
  stopped: string[];
  skipped: string[];
  errors: { sandbox_id: string; error: string }[];
}

export class IdleReaper {
  constructor(
    private readonly sandboxes: Pick<SandboxService, 'list' | 'stopIf'>,
    private readonly activity: Pick<ActivityTracker, 'busyCount'>,
    private readonly thresholdMs: number,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async reapOnce(): Promise<ReapResult> {
    const result: ReapResult = { stopped: [], skipped: [], errors: [] };
    const busy = (id: string) => this.activity.busyCount(id);
    const decision = decideIdle(this.sandboxes.list(), this.now(), this.thresholdMs, busy);
    result.skipped.push(...decision.busy);
    for (const id of decision.stop) {
      try {
        // Re-decide under the lock: a request may have arrived since the snapshot.
        const stopped = await this.sandboxes.stopIf(id, 'idle', (sb) => decideIdle([sb], this.now(), this.thresholdMs, busy).stop.length === 1);
        (stopped ? result.stopped : result.skipped).push(id);
        if (stopped) metrics.reaperStops.inc({ reason: 'idle' });
      } catch (err) {
        // One failure never blocks the others or the next tick.
        result.errors.push({ sandbox_id: id, error: (err as Error).message });
        this.log.error({ sandboxId: id, err }, 'idle stop failed');
      }
    }
    if (result.stopped.length > 0) this.log.info({ stopped: result.stopped }, 'idle reaper stopped sandboxes');
    return result;
  }
}
