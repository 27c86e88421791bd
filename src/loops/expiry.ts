/**
 * The expiry loop: deletes sandboxes past their ttl_s or their
 * auto_delete_after_idle_s (decideExpiry), each re-decided under the
 * sandbox's lock by SandboxService.expireIf, since a request may have arrived
 * since the snapshot. A purge on expiry also drops the sandbox's snapshots
 * (templates stay), as POST …/purge does.
 */
import type { Logger } from 'pino';
import type { ActivityTracker } from '../sandboxes/activity.js';
import type { SandboxService } from '../sandboxes/service.js';
import { decideExpiry, expiryOf } from './expiry-decide.js';

export interface ExpiryResult {
  destroyed: string[];
  purged: string[];
  skipped: string[];
  errors: { sandbox_id: string; error: string }[];
}

export class ExpiryReaper {
  constructor(
    private readonly sandboxes: Pick<SandboxService, 'list' | 'expireIf'>,
    private readonly activity: Pick<ActivityTracker, 'busyCount'>,
    /** After an expiry purged a sandbox: its snapshots go too (the composition root passes SnapshotService.purgeFor). */
    private readonly afterPurge: (id: string) => Promise<void>,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async expireOnce(): Promise<ExpiryResult> {
    const result: ExpiryResult = { destroyed: [], purged: [], skipped: [], errors: [] };
    const busy = (id: string) => this.activity.busyCount(id);
    const decision = decideExpiry(this.sandboxes.list(), this.now(), busy);
    result.skipped.push(...decision.busy);
    for (const { id, reason } of decision.expire) {
      try {
        const done = await this.sandboxes.expireIf(id, (sb) => {
          const verdict = expiryOf(sb, this.now(), busy);
          return verdict === 'busy' ? null : verdict;
        });
        if (done === null) result.skipped.push(id);
        else result[done].push(id);
        if (done === 'purged') await this.afterPurge(id);
      } catch (err) {
        // One failure never blocks the others or the next tick.
        result.errors.push({ sandbox_id: id, error: (err as Error).message });
        this.log.error({ sandboxId: id, reason, err }, 'expiry failed');
      }
    }
    return result;
  }
}
